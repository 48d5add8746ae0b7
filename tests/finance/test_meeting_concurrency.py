"""Two phones sending a meeting sheet at the same moment, on PostgreSQL: one meeting is
recorded, once. (SQLite lets one writer at a time, so nothing can race there.)"""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from finance.models import EntryKind, JournalEntry, Loan, Meeting, MeetingLine, MemberBalance
from finance.services.meetings import meeting_record
from tests.finance.test_concurrency import all_at_once
from tests.finance.test_meeting_sheet import FEB, line, make_group

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite lets one writer at a time, so nothing can race",
    ),
    pytest.mark.django_db(transaction=True),
]


def sheet(group):
    p = group.people
    return [
        line(p["ani"], mandatory=10_000, repayment=120_000),
        line(p["budi"], mandatory=10_000, repayment=120_000),
        line(p["citra"], mandatory=10_000, voluntary_out=50_000),
        line(p["dewi"], present=False),
    ]


def test_one_sheet_sent_from_four_threads_at_once_records_one_meeting(book, ksm):
    group = make_group(book, ksm)
    lines = sheet(group)

    results = all_at_once(
        4,
        lambda _i: meeting_record(book=group, meeting_date=FEB, token="same-sheet", lines=lines),
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(1 for recorded in results if recorded.created) == 1
    assert len({recorded.meeting.pk for recorded in results}) == 1
    assert Meeting.objects.count() == 1
    assert MeetingLine.objects.count() == 4
    assert JournalEntry.objects.filter(book=group, kind=EntryKind.MEETING).count() == 3
    loan = Loan.objects.get(pk=group.member_loans["ani"].pk)
    assert loan.balance == 900_000  # paid once, not four times
    call_command("verify_books", "--book", str(group.pk), stdout=io.StringIO())


def test_two_different_sheets_for_one_meeting_at_once_record_one_and_refuse_the_other(book, ksm):
    group = make_group(book, ksm)
    lines = sheet(group)

    results = all_at_once(
        2,
        lambda i: meeting_record(book=group, meeting_date=FEB, token=f"phone-{i}", lines=lines),
    )

    recorded = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(recorded) == 1 and len(refused) == 1, results
    assert "10-02-2017" in refused[0].message_dict["meeting_date"][0]
    assert Meeting.objects.get().token == recorded[0].meeting.token
    assert JournalEntry.objects.filter(book=group, kind=EntryKind.MEETING).count() == 3
    assert Loan.objects.get(pk=group.member_loans["budi"].pk).balance == 900_000
    # Citra's Rp 50.000 of sukarela was taken out once only.
    citra = MemberBalance.objects.get(
        member=group.people["citra"], account__role="savings_voluntary"
    )
    assert citra.balance == 0
    call_command("verify_books", "--book", str(group.pk), stdout=io.StringIO())
