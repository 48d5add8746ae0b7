"""The fault soak (bench/soak.py, issue 14) in its short form: 60 s of treasurer posts through
gunicorn with workers killed, on a throwaway PostgreSQL database made and dropped here
(ksm_soak_<random>, on the server the suite's DATABASE_URL names). On SQLite it is skipped,
except under CI=true, where a missing PostgreSQL fails."""

import os
import secrets
import signal
import subprocess
import sys
import urllib.parse
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from tests.conftest import browser_tests_must_run

ROOT = Path(__file__).resolve().parent.parent
SOAK = ROOT / "bench" / "soak.py"
SECONDS = 60  # the short form issue 14 asks of CI; bench/README.md gives the 10-minute run


def _unavailable(reason: str):
    if browser_tests_must_run(os.environ):  # CI=true: never a quiet skip
        pytest.fail(f"The fault soak cannot run: {reason}")
    pytest.skip(reason)


def _run_soak(env_changes: dict, *args: str, timeout: int) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(env_changes)
    # A session of its own, so a soak that overruns is stopped with its gunicorn.
    process = subprocess.Popen(
        [sys.executable, str(SOAK), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(f"bench/soak.py ran past {timeout} s:\n{(stdout + stderr)[-6000:]}")
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.fixture
def soak_database():
    """A fresh PostgreSQL database beside the suite's, dropped afterwards: its URL."""
    if connection.vendor != "postgresql":
        _unavailable("the fault soak needs PostgreSQL (DATABASE_URL=postgres://...)")
    db = connection.settings_dict
    server = {
        "host": db["HOST"] or "127.0.0.1",
        "port": int(db["PORT"] or 5432),
        "user": db["USER"] or "postgres",
        "password": db["PASSWORD"] or None,
    }
    name = f"ksm_soak_{secrets.token_hex(4)}"
    admin = psycopg2.connect(dbname="postgres", **server)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    password = f":{urllib.parse.quote(server['password'])}" if server["password"] else ""
    try:
        yield f"postgres://{server['user']}{password}@{server['host']}:{server['port']}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [name],
            )
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def test_fault_soak_keeps_the_books_whole(soak_database):
    run = _run_soak({"DATABASE_URL": soak_database}, "--seconds", str(SECONDS), timeout=1200)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-6000:]
    assert "OK: all" in run.stdout, output[-6000:]
    assert "verify_books: " in run.stdout and "every invariant holds" in run.stdout


def test_the_soak_refuses_sqlite_and_a_missing_database_url(tmp_path):
    sqlite = _run_soak({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}, timeout=120)
    assert sqlite.returncode != 0
    assert "PostgreSQL only" in sqlite.stderr
    assert not (tmp_path / "x.sqlite3").exists()  # refused before anything was written
    missing = _run_soak({}, timeout=120)
    assert missing.returncode != 0
    assert "needs PostgreSQL" in missing.stderr
