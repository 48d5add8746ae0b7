"""Racing writes on PostgreSQL: two pokok deposits for one member, and two exit settlements of
one member, at the same moment. (SQLite lets one writer at a time, so nothing can race there.)"""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from finance.models import EntryKind, JournalEntry
from finance.services import cash_receive, savings_deposit
from finance.services.exit import member_exit
from groups.models import Membership
from tests.finance.test_concurrency import all_at_once

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite lets one writer at a time, so nothing can race",
    ),
    pytest.mark.django_db(transaction=True),
]
JAN_2 = datetime.date(2017, 1, 2)


def test_two_pokok_deposits_for_one_member_at_once_post_one(book, saver):
    results = all_at_once(
        2,
        lambda i: savings_deposit(
            book=book,
            member=saver,
            savings_type="savings_principal",
            amount=100_000,
            entry_date=JAN_2,
            token=f"phone-{i}",
        ),
    )

    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1, results
    assert JournalEntry.objects.filter(book=book, kind=EntryKind.SAVINGS_DEPOSIT).count() == 1


def test_two_exit_settlements_of_one_member_at_once_post_one(book, saver):
    cash_receive(book=book, source="grant", amount=1_000_000, entry_date=JAN_2, description="H")
    savings_deposit(
        book=book, member=saver, savings_type="savings_mandatory", amount=90_000, entry_date=JAN_2
    )
    membership = Membership.objects.get(group=book.group, member=saver)

    results = all_at_once(
        2,
        lambda i: member_exit(
            book=book,
            membership=membership,
            left_date=datetime.date(2017, 1, 20),
            token=f"phone-{i}",
        ),
    )

    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1, results
    assert JournalEntry.objects.filter(book=book, kind=EntryKind.MEMBER_EXIT).count() == 1
    call_command("verify_books", "--book", str(book.pk), stdout=io.StringIO())
