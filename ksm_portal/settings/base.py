"""Settings for KSM Portal, read from the environment.

Development needs nothing set: SQLite in the project folder and DEBUG off unless asked for.
Production sets DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS (and leaves DEBUG off);
`manage.py check --deploy` is then clean.
"""

import datetime
import email.utils
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_seconds(name: str, default: float) -> float:
    value = os.environ.get(name) or str(default)
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:
        raise ImproperlyConfigured(f"{name} must be seconds (0 or more), not {value!r}.")
    return seconds


DEBUG = env_bool("DEBUG")

# Without SECRET_KEY a development key is used; `check --deploy` flags it (security.W009).
SECRET_KEY = os.environ.get("SECRET_KEY") or "django-insecure-ksm-portal-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "simple_history",
    "csp",
    "axes",
    "ksm_portal",
    "accounts",
    "villages",
    "groups",
    "finance",
    "training",
    "imports",
    "dashboard",
    "demo",
]

MIDDLEWARE = [
    "ksm_portal.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "ksm_portal.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses the pages (issue 13: a 400 kbps link), with Django's random padding against
    # BREACH. Below WhiteNoise, which answers static files itself, already compressed at
    # collectstatic; above everything that writes the page.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ksm_portal.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The user's scope kept in their session while their roles stamp holds.
    "ksm_portal.scope.ScopeSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ksm_portal.urls"
WSGI_APPLICATION = "ksm_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "ksm_portal.context_processors.roles",
            ],
        },
    },
]


def sqlite_options() -> dict:
    """The embedded default holds a small office: every transaction takes the write lock when
    it begins (IMMEDIATE, so two writers never deadlock upgrading a read lock), a writer waits
    up to 20 s for the one before it instead of answering "database is locked", and the
    write-ahead log lets pages read while someone posts."""
    return {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }


DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(sqlite_options())
# A PostgreSQL streaming replica for the reads that tolerate a little lag (reports, dashboard,
# exports): see ksm_portal/db_router.py and docs/scale.md. Without it everything uses DATABASE_URL.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    # A replica that does not answer within 2 s is taken as down; the primary serves.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["ksm_portal.db_router.ReplicaRouter"]
    DATABASE_REPLICA_MAX_LAG = env_seconds("DATABASE_REPLICA_MAX_LAG", 30.0)
    MIDDLEWARE.append("ksm_portal.db_router.RecentWriteMiddleware")
# The posting's statements are prepared once per PostgreSQL connection (ksm_portal/sqlbatch.py);
# off behind a pooler in transaction mode (PgBouncer), where a session's statements are lost.
PREPARED_STATEMENTS = env_bool("PREPARED_STATEMENTS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes) on the site's and the admin's login: after AXES_FAILURE_LIMIT
# wrong passwords for one username, or from one address, that username or address is refused
# (the right password too) until the cool-off passes or staff delete the lock in admin
# (Axes > Access attempts). Every failure is kept (Access failures), every login (Access logs).
AUTHENTICATION_BACKENDS = [
    "accounts.throttle.LoginThrottleBackend",
    # Django's ModelBackend, reading the roles stamp with the user row.
    "accounts.backends.PortalBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "accounts.throttle.lockout_response"
AXES_USERNAME_CALLABLE = "accounts.throttle.attempted_username"
# The address as the WSGI server passes it (behind a proxy, the proxy sets REMOTE_ADDR through
# the server's forwarded-allow settings), never a header the caller could write.
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["ksm_portal.formats"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [
    # static/build/ holds what `make assets` compiles (Bootstrap's parts the templates use,
    # from the npm package's Sass), never committed.
    BASE_DIR / "static",
    # Installed from the npm registry by `npm ci` (package-lock.json), never committed.
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
# Uploaded files (training materials). Not served under MEDIA_URL: every file is downloaded
# through a view that checks who may see it.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Security: on unless DEBUG, each overridable for a deployment behind a TLS proxy.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: only this site's own scripts, styles, images and fonts. Templates
# carry no inline scripts or event handlers (behaviour lives in static/js, wired by data-
# attributes); the few <style> blocks of printable pages carry the request's nonce. Bootstrap's
# CSS draws its icons as data: SVGs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "worker-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
# Features the portal never uses are switched off for every page (Permissions-Policy).
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=(), "
    "xr-spatial-tracking=()"
)
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
# What pages keep between requests (ksm_portal/caching.py: each user's menu under their roles
# stamp, the dashboard's region figures for a minute, a KSM's health panel under its books'
# stamp) lives in each worker's memory: nothing kept there must be shared between workers to be
# right, so no cache server is needed (docs/operations.md).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "TIMEOUT": 300,
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
}

# Logs: one JSON object per line on standard error (LOG_FORMAT=text for plain lines), each with
# the request id (also sent as X-Request-ID and shown on the 500 page) and the user. Server
# errors are mailed to ADMINS when it is set, and sent to a Sentry-compatible DSN when
# SENTRY_DSN is set. docs/operations.md has the details.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "ksm_portal.logs.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "ksm_portal.logs.JsonFormatter"},
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(user)s] %(message)s"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_context"],
            "formatter": "text" if LOG_FORMAT == "text" else "json",
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["request_context"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # django-axes logs every login at INFO; its failures and lockouts are in the database.
        "axes": {"level": os.environ.get("AXES_LOG_LEVEL", "WARNING")},
        "django.request": {
            "handlers": ["console", "mail_admins"],
            "level": "WARNING",
            "propagate": False,
        },
    },
}

# ADMINS="Nama <alamat@contoh.id>, Nama Lain <lain@contoh.id>"; mail goes through EMAIL_HOST.
ADMINS = [
    (name.strip() or address, address)
    for name, address in (
        email.utils.parseaddr(part)
        for part in os.environ.get("ADMINS", "").split(",")
        if part.strip()
    )
    if address
]
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", "portal-ksm@localhost")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", SERVER_EMAIL)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = 10

SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    from ksm_portal.errors import init_error_reports

    init_error_reports(
        SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        release=os.environ.get("SENTRY_RELEASE") or None,
    )

PAGE_SIZE = 25

# Bounded requests: the largest form is a meeting sheet, 8 fields a member (2,000 fields hold a
# KSM of 250); no form but a file upload comes near 1 MiB (files are not counted here).
# Beyond either, the request is answered at once with the 400 page. Every formset also has
# an absolute_max, so a post claiming 1,030 lines builds no more forms than the page has.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
