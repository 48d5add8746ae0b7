"""The read-replica settings and the fallback when the replica is down (no replica server
needed: a closed port stands for it). tests/test_replica.py runs against a real one."""

import datetime
import json
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError, connections, router
from django.http import HttpResponse
from django.urls import reverse

from finance.models import Book
from finance.services import book_open, cash_receive
from ksm_portal import db_router
from ksm_portal.db_router import REPLICA, ReplicaRouter, replica_reads
from tests.replica_support import forget_replica_alias, point_replica_alias
from tests.web.support import element, logged_in

BASE_DIR = Path(__file__).resolve().parent.parent
OPENING = datetime.date(2017, 1, 1)
SHOW_SETTINGS = """
import json
import django
django.setup()
from django.conf import settings
replica = settings.DATABASES.get("replica")
print(json.dumps({
    "replica": replica and {k: replica[k] for k in ("HOST", "PORT", "NAME", "OPTIONS", "TEST")},
    "routers": settings.DATABASE_ROUTERS,
    "max_lag": getattr(settings, "DATABASE_REPLICA_MAX_LAG", None),
    "middleware": [m for m in settings.MIDDLEWARE if "db_router" in m],
}))
"""


def _settings_with(**env) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DATABASE_REPLICA") and key != "DJANGO_SETTINGS_MODULE"
    }
    environment.update(DJANGO_SETTINGS_MODULE="ksm_portal.settings.base", **env)
    return subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_a_replica_url_there_is_no_replica_and_no_router():
    result = _settings_with()

    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown == {"replica": None, "routers": [], "max_lag": None, "middleware": []}
    assert settings.DATABASE_ROUTERS == []
    assert router.db_for_read(Book) == "default"


def test_a_replica_url_adds_the_replica_the_router_and_a_short_connect_timeout():
    result = _settings_with(
        DATABASE_REPLICA_URL="postgres://reader@10.0.0.2:5433/ksm", DATABASE_REPLICA_MAX_LAG="12"
    )

    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["replica"]["HOST"] == "10.0.0.2"
    assert shown["replica"]["PORT"] == 5433
    assert shown["replica"]["OPTIONS"]["connect_timeout"] == 2
    assert shown["replica"]["TEST"]["MIRROR"] == "default"
    assert shown["routers"] == ["ksm_portal.db_router.ReplicaRouter"]
    assert shown["max_lag"] == 12
    assert shown["middleware"] == ["ksm_portal.db_router.RecentWriteMiddleware"]


@pytest.mark.parametrize("value", ["-1", "half a minute"])
def test_a_nonsense_max_lag_is_refused_with_its_name(value):
    result = _settings_with(
        DATABASE_REPLICA_URL="postgres://reader@10.0.0.2/ksm", DATABASE_REPLICA_MAX_LAG=value
    )

    assert result.returncode != 0
    assert "DATABASE_REPLICA_MAX_LAG must be seconds" in result.stderr


def test_the_router_writes_and_migrates_on_the_primary_only():
    routing = ReplicaRouter()

    assert routing.db_for_write(Book) == "default"
    assert routing.allow_migrate("default", "finance")
    assert not routing.allow_migrate(REPLICA, "finance")
    assert routing.db_for_read(Book) == "default"  # outside replica_reads()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def down_replica(django_db_setup, django_db_blocker):
    """A replica alias at a port where nothing listens."""
    with django_db_blocker.unblock():
        point_replica_alias(
            ENGINE="django.db.backends.postgresql",
            HOST="127.0.0.1",
            PORT=str(_closed_port()),
            NAME="ksm_replica_down",
            USER="postgres",
            PASSWORD="",
        )
    yield
    forget_replica_alias()


@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_a_replica_that_is_down_leaves_the_reports_to_the_primary_with_one_log_line(
    down_replica, settings, ksm, facilitator, caplog
):
    settings.DATABASE_ROUTERS = ["ksm_portal.db_router.ReplicaRouter"]
    db_router.forget_replica_health()
    book = book_open(owner=ksm, opening_date=OPENING)
    cash_receive(book=book, source="grant", amount=750_000, entry_date=OPENING, description="Hibah")
    client = logged_in(facilitator)
    url = reverse("finance:trial_balance", args=[book.pk])

    with caplog.at_level(logging.WARNING, logger="ksm_portal.replica"):
        pages = [client.get(url, {"date": OPENING.isoformat()}) for _ in range(2)]
        export = client.get(url, {"date": OPENING.isoformat(), "format": "xlsx"})

    assert [page.status_code for page in pages] == [200, 200]
    row = element(pages[1], "trial-balance-total")
    assert [c.text for c in row.children if getattr(c, "tag", "") == "td"][-2:] == [
        "750.000",
        "750.000",
    ]
    assert export.status_code == 200
    warnings = [r.getMessage() for r in caplog.records if r.name == "ksm_portal.replica"]
    assert len(warnings) == 1
    assert warnings[0].startswith("Replica unreachable")
    assert "reads go to the primary" in warnings[0]
    assert connections[REPLICA].connection is None
    db_router.forget_replica_health()


class _Cancelled(Exception):
    pgcode = "40001"


def _flaky_view(error: Exception):
    """A view whose first run fails with `error`; it records whether it ran in the scope."""
    runs = []

    @replica_reads
    def view(request):
        runs.append(db_router._scope.get())
        if len(runs) == 1:
            raise error
        return HttpResponse("laporan")

    return view, runs


def test_a_report_the_standby_cancels_runs_again_on_the_primary(down_replica, rf, caplog):
    error = OperationalError("canceling statement due to conflict with recovery")
    error.__cause__ = _Cancelled()
    view, runs = _flaky_view(error)

    with caplog.at_level(logging.WARNING, logger="ksm_portal.replica"):
        response = view(rf.get("/laporan/"))

    assert response.content == b"laporan"
    assert runs == [True, False]
    assert "failed during a request" in caplog.records[-1].getMessage()
    db_router.forget_replica_health()


def test_an_error_that_is_not_the_replica_s_is_not_hidden(down_replica, rf):
    view, runs = _flaky_view(OperationalError("deadlock detected"))

    with pytest.raises(OperationalError):
        view(rf.get("/laporan/"))
    assert runs == [True]
