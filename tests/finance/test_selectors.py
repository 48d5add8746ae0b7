import datetime
import random
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from finance.models import JournalLine
from finance.selectors import account_totals, book_summary
from finance.services import cash_pay, cash_receive, savings_deposit

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_book(book, saver):
    """Two to three entries a week through 2017, seeded."""
    rng = random.Random(7)
    day = datetime.date(2017, 1, 2)
    while day.year == 2017:
        cash_receive(
            book=book,
            source="income_business",
            amount=rng.randint(1, 90) * 1000,
            entry_date=day,
            description="Penjualan",
        )
        if rng.random() < 0.5:
            cash_pay(
                book=book,
                category="expense_admin",
                amount=rng.randint(1, 20) * 500,
                entry_date=day,
                description="ATK",
            )
        if rng.random() < 0.3:
            savings_deposit(
                book=book,
                member=saver,
                savings_type="savings_mandatory",
                amount=10000,
                entry_date=day,
            )
        day += datetime.timedelta(days=rng.choice((2, 3)))
    return book


def _from_lines(book, date_from, date_to):
    lines = JournalLine.objects.filter(book=book, entry_date__lte=date_to)
    if date_from:
        lines = lines.filter(entry_date__gte=date_from)
    return {
        row["account_id"]: (row["d"], row["c"])
        for row in lines.values("account_id").annotate(d=Sum("debit"), c=Sum("credit"))
    }


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        (None, datetime.date(2017, 12, 31)),
        (None, datetime.date(2017, 6, 17)),
        (datetime.date(2017, 3, 1), datetime.date(2017, 3, 31)),
        (datetime.date(2017, 3, 15), datetime.date(2017, 3, 20)),
        (datetime.date(2017, 2, 14), datetime.date(2017, 9, 3)),
        (datetime.date(2017, 4, 30), datetime.date(2017, 5, 1)),
    ],
)
def test_balances_from_monthly_totals_agree_with_the_lines_for_any_range(
    busy_book, date_from, date_to
):
    assert account_totals(busy_book, date_from=date_from, date_to=date_to) == _from_lines(
        busy_book, date_from, date_to
    )


def test_the_book_summary_shows_cash_savings_and_this_years_surplus(book, saver):
    today = timezone.localdate()
    cash_receive(
        book=book,
        source="income_business",
        amount=Decimal("100000"),
        entry_date=today,
        description="Jual",
    )
    cash_pay(
        book=book,
        category="expense_meeting",
        amount=Decimal("30000"),
        entry_date=today,
        description="Rapat",
    )
    savings_deposit(
        book=book,
        member=saver,
        savings_type="savings_mandatory",
        amount=Decimal("20000"),
        entry_date=today,
    )

    summary = book_summary(book)

    assert summary.cash == Decimal("90000")
    assert summary.surplus_this_year == Decimal("70000")
    assert summary.savings["Simpanan Wajib"] == Decimal("20000")
