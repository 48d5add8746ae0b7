"""Fixtures for the cooperative, BUMDes and capital tests: a cooperative's books with two member
KSM, and a worked year (2017) ready to close. Imported into the test modules that use them."""

import datetime
from decimal import Decimal

import pytest

from finance.services import (
    book_open,
    cash_receive,
    journal_post,
    loan_apply,
    loan_approve,
    loan_disburse,
    loan_product_save,
    loan_repay,
    period_close,
    savings_deposit,
    year_end_close,
)
from finance.services.posting import Line, accounts_for
from finance.services.surplus import Rules
from tests.groups.factories import CooperativeMembershipFactory, SelfHelpGroupFactory

D = Decimal
OPENED = datetime.date(2017, 3, 1)


@pytest.fixture
def ksm_a(village):
    return SelfHelpGroupFactory(village=village, name="KSM Anggrek")


@pytest.fixture
def ksm_b(village):
    return SelfHelpGroupFactory(village=village, name="KSM Bougenville")


@pytest.fixture
def coop_book(cooperative, ksm_a, ksm_b):
    CooperativeMembershipFactory(cooperative=cooperative, group=ksm_a)
    CooperativeMembershipFactory(cooperative=cooperative, group=ksm_b)
    return book_open(owner=cooperative, opening_date=OPENED)


@pytest.fixture
def bumdes_book(bumdes):
    return book_open(owner=bumdes, opening_date=datetime.date(2017, 1, 10))


def close_year(book, year=2017):
    """Close every month of the year, then the year itself."""
    month = max(book.opening_date.replace(day=1), datetime.date(year, 1, 1))
    while month.month < 12:
        period_close(book=book, month=month, actor=None)
        month = month.replace(month=month.month + 1)
    return year_end_close(book=book, year=year, actor=None)


@pytest.fixture
def worked_year(coop_book, ksm_a, ksm_b):
    """The cooperative's 2017, written out:

    - a grant of Rp 10.000.000 (capital, not income);
    - savings on 31 December: KSM Anggrek Rp 1.000.000 (pokok 600.000, wajib 400.000),
      KSM Bougenville Rp 500.000 (sukarela); Bougenville's Rp 1.000.000 of January 2018
      does not count;
    - KSM Bougenville borrowed Rp 1.000.000 (2% flat, 10 months, 1% admin fee Rp 10.000)
      and paid its first instalment (Rp 100.000 principal + Rp 20.000 interest):
      transactions Rp 30.000;
    - KSM Anggrek bought Rp 11.000 of the cooperative's services: transactions Rp 11.000;
    - other income Rp 9.959.001,50; so the year's surplus is Rp 10.000.001,50.
    """
    book = coop_book
    cash_receive(
        book=book, source="grant", amount=10_000_000, entry_date=OPENED, description="Hibah"
    )
    for group, kind, amount in (
        (ksm_a, "savings_principal", 600_000),
        (ksm_a, "savings_mandatory", 400_000),
        (ksm_b, "savings_voluntary", 500_000),
    ):
        savings_deposit(book=book, group=group, savings_type=kind, amount=amount, entry_date=OPENED)
    product = loan_product_save(
        book=book,
        name="Pinjaman KSM",
        interest_method="flat",
        monthly_rate=D("2"),
        max_term_months=12,
        admin_fee_percent=D("1"),
    )
    loan = loan_apply(
        book=book,
        product=product,
        principal=1_000_000,
        term_months=10,
        purpose="Modal simpan pinjam",
        applied_date=datetime.date(2017, 3, 20),
        group=ksm_b,
    )
    loan_approve(loan=loan, decided_date=datetime.date(2017, 3, 25))
    loan_disburse(loan=loan, disbursed_date=datetime.date(2017, 4, 1))
    loan.refresh_from_db()
    loan_repay(loan=loan, amount=120_000, paid_date=datetime.date(2017, 5, 1))
    cash, business = accounts_for(book, "cash", "income_business")
    journal_post(
        book=book,
        entry_date=datetime.date(2017, 6, 1),
        description="Jasa pelatihan KSM Anggrek",
        lines=[
            Line(account=cash, debit=D(11_000)),
            Line(account=business, credit=D(11_000), group=ksm_a),
        ],
    )
    cash_receive(
        book=book,
        source="income_other",
        amount=D("9959001.50"),
        entry_date=datetime.date(2017, 11, 30),
        description="Bunga deposito",
    )
    close_year(book)
    savings_deposit(
        book=book,
        group=ksm_b,
        savings_type="savings_voluntary",
        amount=1_000_000,
        entry_date=datetime.date(2018, 1, 10),
    )
    return book


SHU_2017 = {
    "reserve_pct": D(40),
    "members_pct": D(40),
    "board_pct": D(5),
    "staff_pct": D(5),
    "education_pct": D(5),
    "social_pct": D(5),
}

# The rules the worked example's figures were first worked out by (fines counted, non-member
# surplus shared, all savings on 31 December, KSM that left get nothing): a meeting may still
# choose them, and the worked example keeps its figures under them.
AS_BEFORE = Rules(
    jua_basis="with_fines",
    non_member_to="shared",
    jma_basis="all_savings",
    jma_balance="year_end",
    leavers="forfeit",
)
