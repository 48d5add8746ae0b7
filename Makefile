# KSM Portal: `make run` serves the Batang demo, `make test` runs the whole suite.
# Both set up everything first: .venv (pinned by requirements.lock), front-end assets from
# the npm registry (package-lock.json), migrations.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run prepare test install assets migrate demo static lint format messages lock check-python clean

# `make run` serves as production does, on this machine: DEBUG off (the site's own 404 and
# 500 pages), static files collected under hashed names with long cache lifetimes, plain HTTP
# on the loopback (no HTTPS redirect, no secure-only cookies). `DEBUG=1 make run` gives
# Django's debug pages instead.
DEBUG ?= 0
RUN_ENV = DEBUG=$(DEBUG) SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 SECURE_HSTS_SECONDS=0

# Two at a time (this is a 2-core machine): the venv beside the npm packages and the Sass
# build, the static files collected beside the migrations and the demo.
run:
	@$(MAKE) --no-print-directory -j2 prepare
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

prepare: install assets migrate demo static

static: install assets
	$(PY) manage.py collectstatic --no-input --verbosity 0

test:
	@$(MAKE) --no-print-directory -j2 install assets
	$(PY) -m pytest $(PYTEST_ARGS)

install: $(VENV)/.installed

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "KSM Portal needs Python 3.11 or newer (found " + sys.version.split()[0] + ").")'

$(VENV)/.installed: requirements.lock pyproject.toml | check-python
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

assets: node_modules/.installed static/build/bootstrap.css

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed to install Bootstrap, htmx and Sass (apt-get install npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Only the Bootstrap parts the templates use, compiled from the npm package's Sass into
# static/build/ (served by staticfiles, never committed). static/scss/bootstrap-ksm.scss says
# which parts; add one there when a template needs it.
SASS_FLAGS := --load-path=node_modules --no-source-map --style=compressed --quiet-deps \
	--silence-deprecation=import --silence-deprecation=global-builtin

static/build/bootstrap.css: $(wildcard static/scss/*.scss) node_modules/.installed
	@mkdir -p $(@D)
	node_modules/.bin/sass $(SASS_FLAGS) static/scss/bootstrap-ksm.scss $@

migrate: install
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py load_regions
	$(PY) manage.py seed_demo

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Refresh the Indonesian catalogue after changing user-facing strings, then translate it.
messages: install
	$(PY) manage.py makemessages --locale id --ignore '.venv/*' --ignore 'node_modules/*' --no-obsolete
	$(PY) manage.py compilemessages --locale id --ignore '.venv/*'

# Re-pin requirements.lock from the ranges in pyproject.toml (base and dev extras).
lock: check-python
	rm -rf /tmp/ksm-lock-venv && $(PYTHON) -m venv /tmp/ksm-lock-venv
	/tmp/ksm-lock-venv/bin/pip install --quiet $$($(PYTHON) -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; print(" ".join(repr(d) for d in p["dependencies"] + p["optional-dependencies"]["dev"]))' | tr -d "'")
	/tmp/ksm-lock-venv/bin/pip freeze --exclude-editable | sort -f > requirements.lock

clean:
	rm -rf $(VENV) node_modules static/build staticfiles .pytest_cache
