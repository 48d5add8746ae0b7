"""The posting's statements, prepared once per PostgreSQL connection: the same entries and
figures as unprepared, nothing prepared twice, a statement PostgreSQL cannot prepare sent as it
is, and none prepared when the setting is off (behind a transaction-mode pooler)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from dashboard.services.rollups import rollups_drain
from finance.models import AccountMonth, JournalEntry
from finance.services import account_for, book_open, cash_pay, cash_receive
from ksm_portal import sqlbatch

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PREPARE is PostgreSQL's (SQLite sends as is)"
    ),
    pytest.mark.django_db,
]
DAY = datetime.date(2017, 3, 10)


def prepared() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE 'ksm_batch_%%'")
        return {name for (name,) in cursor.fetchall()}


def post(book, count: int) -> None:
    for n in range(count):
        cash_receive(
            book=book, source="income_business", amount=1000, entry_date=DAY, description=f"J{n}"
        )
        cash_pay(book=book, category="expense_admin", amount=400, entry_date=DAY, description="B")


@pytest.fixture
def book(ksm):
    return book_open(owner=ksm, opening_date=datetime.date(2017, 1, 1))


def test_the_postings_shapes_are_prepared_once_and_post_the_same_entries(book, settings):
    settings.PREPARED_STATEMENTS = True
    post(book, 3)
    after_three = prepared()
    assert after_three  # the lock, the totals, the book's month, the entry with its lines
    post(book, 5)
    assert prepared() == after_three  # the same shapes: nothing prepared again
    rollups_drain()
    assert prepared() == after_three  # a drain's statements vary in shape: not prepared
    numbers = list(JournalEntry.objects.filter(book=book).order_by("number").values_list("number"))
    assert [n for (n,) in numbers] == list(range(1, 17))  # gap-free, as unprepared
    cash = AccountMonth.objects.get(account=account_for(book, "cash"), month=DAY.replace(day=1))
    assert (cash.debit, cash.credit) == (Decimal(8000), Decimal(3200))


def test_a_posting_refused_after_its_statements_were_prepared_leaves_nothing(book, settings):
    settings.PREPARED_STATEMENTS = True
    post(book, 1)
    with pytest.raises(ValidationError):  # more than the cash box holds
        cash_pay(
            book=book, category="expense_admin", amount=10_000, entry_date=DAY, description="X"
        )
    assert JournalEntry.objects.filter(book=book).count() == 2
    post(book, 1)  # and the connection's statements still serve
    assert JournalEntry.objects.filter(book=book).count() == 4


def test_a_statement_postgresql_cannot_prepare_is_sent_as_it_is(db, settings):
    settings.PREPARED_STATEMENTS = True
    sql = "SET LOCAL statement_timeout = %s"  # PREPARE takes queries only
    with connection.cursor() as cursor:
        assert sqlbatch.executed(cursor, sql, 1) == sql
        assert sqlbatch.executed(cursor, sql, 1) == sql  # remembered: not tried again
        cursor.execute(sql, ["5s"])  # the transaction is still usable
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("5s",)
        typed = "SELECT %s::int + 1, '100%%'"
        name = sqlbatch.executed(cursor, typed, 1)
        assert name.startswith("EXECUTE ksm_batch_")
        cursor.execute(name, [41])
        assert cursor.fetchone() == (42, "100%")


def test_none_are_prepared_when_the_setting_is_off(book, settings):
    settings.PREPARED_STATEMENTS = False
    before = prepared()
    post(book, 2)
    assert prepared() == before
    assert JournalEntry.objects.filter(book=book).count() == 4


def test_a_new_connection_prepares_its_own(db, settings):
    settings.PREPARED_STATEMENTS = True
    with connection.cursor() as cursor:
        first = sqlbatch.executed(cursor, "SELECT %s::int", 1)
        assert sqlbatch.executed(cursor, "SELECT %s::int", 1) == first
        cursor.execute("DEALLOCATE ALL")  # what a new session starts with
    connection._ksm_prepared = (object(), connection._ksm_prepared[1])  # as after a reconnect
    with connection.cursor() as cursor:
        again = sqlbatch.executed(cursor, "SELECT %s::int", 1)
        cursor.execute(again, [7])
        assert cursor.fetchone() == (7,)
