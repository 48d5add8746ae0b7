"""Back-dated entries racing on PostgreSQL: each alone leaves every later date at or above
zero, together they would not; the book's lock lets exactly one of them post."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from finance.models import AccountDay, JournalEntry
from finance.services import cash_pay, cash_receive, savings_deposit, savings_withdraw
from finance.services.floors import BELOW_ZERO
from tests.finance.test_concurrency import all_at_once

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite lets one writer at a time, so nothing can race",
    ),
    pytest.mark.django_db(transaction=True),
]

D = Decimal


def day(n: int) -> datetime.date:
    return datetime.date(2017, 1, n)


def test_two_back_dated_payments_that_together_would_overdraw_a_later_date_post_one(book):
    cash_receive(
        book=book, source="grant", amount=D("100000"), entry_date=day(5), description="Hibah"
    )
    cash_pay(
        book=book,
        category="expense_admin",
        amount=D("60000"),
        entry_date=day(20),
        description="ATK",
    )

    results = all_at_once(
        2,
        lambda i: cash_pay(
            book=book,
            category="expense_meeting",
            amount=D("30000"),
            entry_date=day(8 + i),
            description=f"Rapat {i}",
        ),
    )

    refused = [r for r in results if isinstance(r, ValidationError)]
    posted = [r for r in results if not isinstance(r, Exception)]
    assert len(posted) == 1 and len(refused) == 1, results
    assert refused[0].error_dict["amount"][0].code == BELOW_ZERO
    assert "pada 20-01-2017 akan menjadi -\u2060Rp\xa020.000" in " ".join(refused[0].messages)
    cash = dict(AccountDay.objects.filter(book=book).values_list("date", "credit"))
    assert sum(cash.values()) == D("90000")
    assert JournalEntry.objects.filter(book=book).count() == 3
    call_command("verify_books", "--book", str(book.pk), stdout=io.StringIO())


def test_two_back_dated_withdrawals_racing_for_a_later_deposit_never_overdraw_the_member(
    book, saver
):
    savings_deposit(
        book=book,
        member=saver,
        savings_type="savings_voluntary",
        amount=D("50000"),
        entry_date=day(5),
    )
    cash_receive(
        book=book, source="grant", amount=D("500000"), entry_date=day(5), description="Hibah"
    )

    results = all_at_once(
        2,
        lambda i: savings_withdraw(
            book=book, member=saver, amount=D("30000"), entry_date=day(6 + i)
        ),
    )

    posted = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(posted) == 1 and len(refused) == 1, results
    call_command("verify_books", "--book", str(book.pk), stdout=io.StringIO())
