"""Reports read from a real streaming replica of the test database, and fall back to the
primary when the replica lags or fails. The replica is made once per module with
pg_basebackup (see tests/replica_support.py); it copies the whole primary cluster."""

import datetime
import logging
import os
import time

import psycopg2
import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from finance.models import Book, JournalEntry
from finance.services import book_open, cash_receive
from groups.models import SelfHelpGroup
from ksm_portal import db_router
from ksm_portal.db_router import REPLICA, replica_reads
from tests.conftest import browser_tests_must_run
from tests.replica_support import (
    STANDBY_MUST_MATCH,
    forget_replica_alias,
    point_replica_alias,
    start_replica,
    stop_replica,
)
from tests.replica_support import unavailable_reason as replica_unavailable_reason
from tests.web.support import element, logged_in

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])

OPENING = datetime.date(2017, 1, 1)


def _unavailable(reason: str):
    if browser_tests_must_run(os.environ):  # CI=true: never a quiet skip
        pytest.fail(f"The replica tests cannot run: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def replica_server(django_db_setup, django_db_blocker):
    """A hot standby of the primary, made after pytest-django created the test database."""
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            _unavailable("a streaming replica needs PostgreSQL (DATABASE_URL=postgres://...)")
        major = connection.pg_version // 10000
        reason = replica_unavailable_reason(major)
        if reason:
            _unavailable(reason)
        with connection.cursor() as cursor:
            primary = {}
            for name in STANDBY_MUST_MATCH:
                cursor.execute(f"SHOW {name}")
                primary[name] = cursor.fetchone()[0]
        primary_db = connection.settings_dict
        server = start_replica(
            host=primary_db["HOST"] or "127.0.0.1",
            port=int(primary_db["PORT"] or 5432),
            user=primary_db["USER"] or "postgres",
            server_major=major,
            primary_settings=primary,
        )
    print(
        f"\nReplica: base backup of the primary cluster in {server.seconds_to_copy:.1f} s, "
        f"open for reads {server.seconds_to_start:.1f} s later"
    )
    point_replica_alias(HOST="127.0.0.1", PORT=str(server.port))
    yield server
    forget_replica_alias()
    stop_replica(server)


@pytest.fixture
def routed(settings):
    """The settings DATABASE_REPLICA_URL gives, for a replica at a port set by the test."""
    settings.DATABASE_ROUTERS = ["ksm_portal.db_router.ReplicaRouter"]
    settings.DATABASE_REPLICA_MAX_LAG = 30
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "ksm_portal.db_router.RecentWriteMiddleware"]
    db_router.forget_replica_health()
    yield settings
    connections[REPLICA].close()
    db_router.forget_replica_health()


@pytest.fixture
def replica(replica_server, routed):
    return replica_server


def _wait_for_replay(timeout: float = 60.0) -> None:
    """Until the replica has replayed everything the primary has committed so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (target,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    with connections[REPLICA].cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
            assert time.monotonic() < deadline, f"the replica did not replay {target}"
            time.sleep(0.05)


@pytest.fixture
def grant_book(ksm):
    book = book_open(owner=ksm, opening_date=OPENING)
    cash_receive(
        book=book, source="grant", amount=5_000_000, entry_date=OPENING, description="Hibah"
    )
    return book


def _trial_balance(client, book, date=OPENING):
    return client.get(reverse("finance:trial_balance", args=[book.pk]), {"date": date.isoformat()})


def _total(response) -> list[str]:
    row = element(response, "trial-balance-total")
    return [cell.text for cell in row.children if getattr(cell, "tag", "") in ("td", "th")]


def _finance_queries(captured) -> list[str]:
    return [query["sql"] for query in captured.captured_queries if "finance_" in query["sql"]]


def test_a_trial_balance_is_read_from_the_replica_with_the_committed_figures(
    replica, grant_book, facilitator
):
    _wait_for_replay()
    client = logged_in(facilitator)

    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = _trial_balance(client, grant_book)

    assert response.status_code == 200
    assert _total(response) == ["", "Total", "5.000.000", "5.000.000"]
    assert _finance_queries(on_replica), "the report's queries ran on the replica"
    assert _finance_queries(on_primary) == []


def test_a_replica_that_has_not_replayed_a_post_yet_shows_the_report_without_it(
    replica, grant_book, facilitator
):
    """The replica really is another server: paused, it still shows the figures before the
    last post (within the allowed lag), while the primary has the new entry."""
    _wait_for_replay()
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        cash_receive(
            book=grant_book,
            source="grant",
            amount=1_000_000,
            entry_date=OPENING,
            description="Hibah kedua",
        )
        response = _trial_balance(logged_in(facilitator), grant_book)
    finally:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")

    assert _total(response) == ["", "Total", "5.000.000", "5.000.000"]
    assert JournalEntry.objects.filter(book=grant_book).count() == 2


def test_a_lagging_replica_is_left_for_the_primary_with_one_log_line(
    replica, routed, grant_book, facilitator, caplog
):
    routed.DATABASE_REPLICA_MAX_LAG = 0  # any replay left to do is too much
    _wait_for_replay()
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        cash_receive(
            book=grant_book,
            source="grant",
            amount=1_000_000,
            entry_date=OPENING,
            description="Hibah kedua",
        )
        _wait_for_receipt()
        client = logged_in(facilitator)
        with (
            caplog.at_level(logging.WARNING, logger="ksm_portal.replica"),
            CaptureQueriesContext(connections[REPLICA]) as on_replica,
        ):
            first = _trial_balance(client, grant_book)
            second = _trial_balance(client, grant_book)
    finally:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")

    assert first.status_code == second.status_code == 200
    assert _total(second) == ["", "Total", "6.000.000", "6.000.000"]
    assert _finance_queries(on_replica) == []
    warnings = [r.getMessage() for r in caplog.records if r.name == "ksm_portal.replica"]
    assert len(warnings) == 1
    assert "lagging" in warnings[0] and "primary" in warnings[0]


def _wait_for_receipt(timeout: float = 30.0) -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (target,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    with connections[REPLICA].cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_last_wal_receive_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
            assert time.monotonic() < deadline, f"the replica did not receive {target}"
            time.sleep(0.05)


def test_reads_inside_a_transaction_stay_on_the_primary(replica, grant_book):
    _wait_for_replay()
    with CaptureQueriesContext(connections[REPLICA]) as on_replica, replica_reads():
        with transaction.atomic():
            inside = Book.objects.get(pk=grant_book.pk)
        outside = Book.objects.get(pk=grant_book.pk)

    assert inside._state.db == "default"
    assert outside._state.db == REPLICA
    assert len(_finance_queries(on_replica)) == 1


def test_writes_in_the_replica_scope_go_to_the_primary(replica, ksm):
    _wait_for_replay()
    with CaptureQueriesContext(connections[REPLICA]) as on_replica, replica_reads():
        group = SelfHelpGroup.objects.get(pk=ksm.pk)
        group.name = "KSM Maju Bersama"
        group.save(update_fields=["name"])

    assert group._state.db == "default"
    assert SelfHelpGroup.objects.using("default").get(pk=ksm.pk).name == "KSM Maju Bersama"
    assert not [q for q in on_replica.captured_queries if q["sql"].startswith("UPDATE")]


def test_right_after_a_post_the_same_browser_reads_its_report_from_the_primary(
    replica, grant_book, facilitator
):
    _wait_for_replay()
    client = logged_in(facilitator)
    client.post(reverse("set_language"), {"language": "id", "next": "/"})

    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        response = _trial_balance(client, grant_book)

    assert _total(response) == ["", "Total", "5.000.000", "5.000.000"]
    assert _finance_queries(on_replica) == []


def test_a_replica_connection_dropped_under_a_report_gives_the_primary_s_report(
    replica, grant_book, facilitator, caplog
):
    _wait_for_replay()
    client = logged_in(facilitator)
    assert _trial_balance(client, grant_book).status_code == 200  # connected, verdict fresh
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    name = connection.settings_dict["NAME"]
    dsn = f"host=127.0.0.1 port={replica.port} user=postgres dbname={name}"
    other = psycopg2.connect(dsn)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()

    with caplog.at_level(logging.WARNING, logger="ksm_portal.replica"):
        response = _trial_balance(client, grant_book)

    assert response.status_code == 200
    assert _total(response) == ["", "Total", "5.000.000", "5.000.000"]
    assert any("failed during a request" in r.getMessage() for r in caplog.records)
