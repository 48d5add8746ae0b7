"""`make run` serves as production does on this machine: the site's own 404 page rather than
Django's debug page, static files under hashed names with long cache lifetimes, plain HTTP
on the loopback. Started here the way the Makefile starts it (its RUN_ENV)."""

import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)


def _makefile_run_env() -> dict[str, str]:
    """The settings `make run` gives runserver (its RUN_ENV), with no DEBUG asked for."""
    environment = {key: value for key, value in os.environ.items() if key != "DEBUG"}
    printed = subprocess.run(
        [
            "make",
            "-s",
            "--no-print-directory",
            "--eval",
            "print-run-env: ; @echo $(RUN_ENV)",
            "print-run-env",
        ],
        cwd=BASE,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(pair.split("=", 1) for pair in shlex.split(printed))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("make_run")
    env = {
        **os.environ,
        **_makefile_run_env(),
        "DJANGO_SETTINGS_MODULE": "ksm_portal.settings.base",
        "DATABASE_URL": f"sqlite:///{root / 'db.sqlite3'}",
        "STATIC_ROOT": str(root / "static"),
    }
    manage = [sys.executable, str(BASE / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], env=env, check=True, cwd=BASE)
    subprocess.run([*manage, "collectstatic", "--no-input", "-v0"], env=env, check=True, cwd=BASE)
    port = _free_port()
    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=BASE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(server.stderr.read().decode()[-2000:])
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_page_that_is_not_there_gets_the_sites_own_404(served):
    status, _headers, body = _get(f"{served}/no-such-page/")
    assert status == 404
    assert "Using the URLconf" not in body and "Traceback" not in body
    assert 'href="/"' in body or "navbar" in body  # the site's page, with its frame


def test_static_files_have_hashed_names_and_long_cache_lifetimes(served):
    _status, _headers, body = _get(f"{served}/login/")
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', body)
    assert stylesheet, "the page links the stylesheet by its hashed name"
    status, headers, _css = _get(served + stylesheet[1])
    assert status == 200
    max_age = int(re.search(r"max-age=(\d+)", headers["Cache-Control"])[1])
    assert max_age >= 365 * 24 * 3600


def test_it_serves_plain_http_on_the_loopback(served):
    status, headers, _body = _get(f"{served}/login/")
    assert status == 200  # no redirect to https
    assert "Strict-Transport-Security" not in headers
