import datetime
from decimal import Decimal

import pytest

from finance.services import book_open, cash_receive, loan_product_save, savings_deposit
from groups.models import Membership
from tests.groups.factories import MembershipFactory


@pytest.fixture
def book(ksm):
    return book_open(owner=ksm, opening_date=datetime.date(2017, 1, 1))


@pytest.fixture
def saver(ksm):
    """An active member of the book's KSM."""
    return MembershipFactory(group=ksm, joined_date=datetime.date(2016, 6, 1)).member


@pytest.fixture
def chair(ksm):
    return MembershipFactory(
        group=ksm, role=Membership.Role.CHAIR, joined_date=datetime.date(2016, 6, 1)
    ).member


@pytest.fixture
def product(book):
    return loan_product_save(
        book=book,
        name="Pinjaman usaha",
        interest_method="flat",
        monthly_rate=Decimal("2"),
        max_term_months=12,
        admin_fee_percent=Decimal("1"),
        fine_rule="fixed",
        fine_value=Decimal(5_000),
        grace_days=3,
        max_savings_multiple=Decimal("3"),
    )


@pytest.fixture
def funded(book, saver):
    """The KSM has cash, and the saver Rp 400.000 of savings."""
    cash_receive(
        book=book,
        source="grant",
        amount=5_000_000,
        entry_date=datetime.date(2017, 1, 1),
        description="Hibah modal",
    )
    savings_deposit(
        book=book,
        member=saver,
        savings_type="savings_mandatory",
        amount=400_000,
        entry_date=datetime.date(2017, 1, 1),
    )
    return book
