import datetime

import pytest

from finance.services import book_open
from tests.groups.factories import MembershipFactory


@pytest.fixture
def book(ksm):
    return book_open(owner=ksm, opening_date=datetime.date(2017, 1, 1))


@pytest.fixture
def saver(ksm):
    """An active member of the book's KSM."""
    return MembershipFactory(group=ksm, joined_date=datetime.date(2016, 6, 1)).member
