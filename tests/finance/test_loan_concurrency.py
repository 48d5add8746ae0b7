"""Two repayments of one loan at the same moment (PostgreSQL): the second sees what the first
paid, so together they never pay more than the loan owes, and the totals tie to the lines."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from finance.models import Loan
from finance.services import loan_repay
from tests.finance.test_concurrency import all_at_once
from tests.finance.test_loans import _active_loan
from tests.web.support import translated

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite lets one writer at a time, so nothing can race",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_two_payoffs_of_one_loan_at_once_pay_it_once(funded, saver, chair, product):
    loan = _active_loan(funded, saver, chair, product)
    day = datetime.date(2017, 2, 1)
    results = all_at_once(2, lambda _i: loan_repay(loan=loan, amount=1_020_000, paid_date=day))

    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1, results
    assert refused[0].messages == [
        translated("Loan %(ref)s is not outstanding.") % {"ref": "PJ-0001"}
    ]
    loan.refresh_from_db()
    assert (loan.status, loan.balance, loan.interest_paid) == (
        Loan.Status.PAID,
        Decimal(0),
        Decimal(20_000),
    )
    call_command("verify_books", "--book", str(funded.pk), stdout=io.StringIO())


def test_two_instalments_at_once_are_split_in_turn(funded, saver, chair, product):
    loan = _active_loan(funded, saver, chair, product)
    day = datetime.date(2017, 2, 10)
    results = all_at_once(2, lambda _i: loan_repay(loan=loan, amount=120_000, paid_date=day))

    assert not any(isinstance(r, Exception) for r in results), results
    loan.refresh_from_db()
    # The first pays February's instalment; the second, paid ahead, is March's principal
    # (March's interest is not yet payable).
    assert (loan.balance, loan.interest_paid) == (Decimal(780_000), Decimal(20_000))
    call_command("verify_books", "--book", str(funded.pk), stdout=io.StringIO())
