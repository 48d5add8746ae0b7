"""Operations: JSON logs with request id and user, error reports (mail to ADMINS, a
Sentry-compatible DSN), and a backup that restores into a fresh database whose books verify."""

import datetime
import gzip
import io
import json
import logging
import os
import subprocess
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import brotli
import psycopg2
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from finance.models import JournalEntry
from finance.services import cash_receive
from ksm_portal.errors import init_error_reports, stop_error_reports
from tests.finance import conftest as finance_fixtures
from tests.web.support import translated

book = finance_fixtures.book
ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def console_log():
    """What the configured console handler writes, as parsed JSON lines."""
    handler = next(h for h in logging.getLogger("django.request").handlers if h.name == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    handler.setStream(previous)


@pytest.mark.django_db
def test_a_log_line_is_json_with_the_request_id_and_the_user(client, user, console_log):
    client.force_login(user)
    response = client.get("/tidak-ada/")

    assert response.status_code == 404
    (line,) = [entry for entry in console_log() if entry["logger"] == "django.request"]
    assert line["level"] == "WARNING"
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["user"] == user.username
    assert line["path"] == "/tidak-ada/"


@pytest.mark.django_db
def test_the_proxys_request_id_is_kept_and_a_hostile_one_replaced(client):
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a9c21e0"})
    hostile = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})

    assert kept.headers["X-Request-ID"] == "lb-7f3a9c21e0"
    assert hostile.headers["X-Request-ID"] != "<script>alert(1)</script>"
    assert len(hostile.headers["X-Request-ID"]) == 32


@pytest.mark.django_db
@pytest.mark.urls("tests.ops_urls")
def test_a_server_error_shows_its_code_and_is_mailed_to_the_admins(client, settings, mailoutbox):
    settings.ADMINS = [("Tim TI", "ti@binaswadaya.example")]
    client.raise_request_exception = False

    response = client.get("/uji/boom/")

    assert response.status_code == 500
    code = response.headers["X-Request-ID"]
    page = response.content.decode()
    assert translated("If it happens again, tell the programme staff this error code:") in page
    assert f'<code id="error-code">{code}</code>' in page
    (mail,) = mailoutbox
    assert mail.to == ["ti@binaswadaya.example"]
    assert "/uji/boom/" in mail.subject
    assert "kas tidak seimbang" in mail.body


class _Collector(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        type(self).received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.mark.django_db
@pytest.mark.urls("tests.ops_urls")
def test_a_server_error_reaches_a_sentry_compatible_service_with_its_request_id(client):
    _Collector.received = []
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client.raise_request_exception = False
    init_error_reports(f"http://publickey@127.0.0.1:{server.server_port}/7", environment="test")
    try:
        response = client.get("/uji/boom/", headers={"X-Request-ID": "laporan-0001"})
    finally:
        stop_error_reports()
        server.shutdown()

    assert response.status_code == 500
    sent = b"".join(_Collector.received).decode()
    assert "kas tidak seimbang" in sent
    assert '"request_id":"laporan-0001"' in sent.replace(" ", "")


def _run(args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "ksm_portal.settings.test", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_whose_books_verify(book, tmp_path):
    for day, amount in ((2, 1_500_000), (9, 250_000)):
        cash_receive(
            book=book,
            source="grant",
            amount=amount,
            entry_date=datetime.date(2017, 1, day),
            description="Hibah",
        )
    entries = JournalEntry.objects.filter(book=book).count()

    call_command("backup_db", output=str(tmp_path), stdout=io.StringIO())
    (backup,) = tmp_path.iterdir()
    assert not list(tmp_path.glob("*.partial"))

    if connection.vendor == "postgresql":
        db = connection.settings_dict
        fresh = f"ksm_restore_{uuid.uuid4().hex[:8]}"
        admin = psycopg2.connect(
            dbname="postgres", host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"]
        )
        admin.autocommit = True
        admin.cursor().execute(f'CREATE DATABASE "{fresh}"')
        try:
            from ksm_portal.management.commands.backup_db import pg_environment

            restored = subprocess.run(
                ["pg_restore", "--no-owner", "--exit-on-error", "-d", fresh, str(backup)],
                env=pg_environment({**db, "NAME": fresh}),
                capture_output=True,
                text=True,
            )
            assert restored.returncode == 0, restored.stderr
            url = (
                f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{fresh}"
            )
            verified = _run(["verify_books"], DATABASE_URL=url)
        finally:
            admin.cursor().execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
            admin.close()
    else:
        verified = _run(["verify_books"], DATABASE_URL=f"sqlite:///{backup}")

    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"1 book(s), {entries} entries" in verified.stdout
    assert "every invariant holds" in verified.stdout


@pytest.mark.django_db(transaction=True)  # SQLite's backup waits for an open transaction
def test_backups_beyond_keep_are_removed_oldest_first(tmp_path):
    for stamp in ("20261201-010000", "20261202-010000", "20261203-010000"):
        suffix = ".dump" if connection.vendor == "postgresql" else ".sqlite3"
        (tmp_path / f"ksm-portal-{stamp}{suffix}").write_bytes(b"old")

    call_command("backup_db", output=str(tmp_path), keep=2, stdout=io.StringIO())

    names = sorted(path.name for path in tmp_path.iterdir())
    assert len(names) == 2
    assert names[0].startswith("ksm-portal-20261203")
