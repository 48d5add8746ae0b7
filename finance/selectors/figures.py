"""BookMonth as the journal says it should be: for the rebuild and the check (`rollups`).

One aggregate query per chunk of books reads the money figures and the activity from the
lines, by the same rules the posting service applies (finance/figures.py); meetings come from
the meetings, whether each month ended current from the activity, and the loans' risk from the
loans. Nothing here writes.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q

from ..figures import MONEY_FIGURES, RISK_FIGURES, RULES, is_current, next_month, rule_sql
from ..models import ZERO, Account, Book, BookMonth, JournalEntry, JournalLine, Loan, Meeting
from ..sql import date, in_, money, month_of, rows
from .loans import positions_over

ENTRY = JournalEntry._meta.db_table
LINE = JournalLine._meta.db_table
ACCOUNT = Account._meta.db_table
MEETING = Meeting._meta.db_table

COUNTED = (*MONEY_FIGURES, "entries", "meetings", "members_expected", "members_present")


def journal_months(book_ids: list[int]) -> dict[tuple[int, datetime.date], dict]:
    """{(book id, month): figures} for these books: money figures and entries from the journal,
    the last entry or meeting, and the meetings."""
    kind = "COALESCE(o.kind, e.kind)"
    sums = ",\n".join(
        rule_sql(rule, role="a.role", account_type="a.type", kind=kind, reversal="o.id IS NOT NULL")
        for rule in RULES
    )
    found: dict[tuple[int, datetime.date], dict] = defaultdict(dict)
    for book_id, month, *values in rows(
        f"""
        SELECT l.book_id, {month_of("l.entry_date")} AS month, {sums}
        FROM {LINE} l
        JOIN {ACCOUNT} a ON a.id = l.account_id
        JOIN {ENTRY} e ON e.id = l.entry_id
        LEFT JOIN {ENTRY} o ON o.id = e.reversal_of_id
        WHERE l.book_id IN {in_(book_ids)}
        GROUP BY l.book_id, {month_of("l.entry_date")}
        """,
        book_ids,
    ):
        found[(book_id, date(month))].update(
            {name: money(value) for name, value in zip(MONEY_FIGURES, values, strict=True)}
        )
    for book_id, month, count, last in rows(
        f"""
        SELECT book_id, {month_of("entry_date")}, COUNT(*), MAX(entry_date) FROM {ENTRY}
        WHERE book_id IN {in_(book_ids)} GROUP BY book_id, {month_of("entry_date")}
        """,
        book_ids,
    ):
        found[(book_id, date(month))].update(entries=count, last_activity=date(last))
    for book_id, month, count, expected, present, last in rows(
        f"""
        SELECT book_id, {month_of("meeting_date")}, COUNT(*), SUM(members_count),
               SUM(present_count), MAX(meeting_date)
        FROM {MEETING} WHERE book_id IN {in_(book_ids)}
        GROUP BY book_id, {month_of("meeting_date")}
        """,
        book_ids,
    ):
        row = found[(book_id, date(month))]
        row.update(meetings=count, members_expected=expected, members_present=present)
        last = date(last)
        if row.get("last_activity") is None or last > row["last_activity"]:
            row["last_activity"] = last
    _mark_current(found)
    return dict(found)


def _mark_current(found: dict) -> None:
    """Each book's months that ended current, adding a row for a month whose only claim is
    activity late in the month before."""
    last_by_book: dict[int, dict] = defaultdict(dict)
    for (book_id, month), row in found.items():
        if row.get("last_activity"):
            last_by_book[book_id][month] = row["last_activity"]
    for book_id, last in last_by_book.items():
        for month in list(last):
            for candidate in (month, next_month(month)):
                if is_current(last, candidate):
                    found[(book_id, candidate)]["current"] = True


def kept_months(book_ids: list[int]) -> dict[tuple[int, datetime.date], dict]:
    fields = (*COUNTED, "last_activity", "current")
    return {
        (row["book_id"], row["month"]): row
        for row in BookMonth.objects.filter(book_id__in=book_ids).values(
            "book_id", "month", *fields
        )
    }


def loan_risk(book: Book, month: datetime.date, on_date: datetime.date) -> dict[str, Decimal]:
    """Arrears, principal outstanding in loans more than 30 days late, and the instalments due
    in the month up to `on_date` and what was paid of them: the book's receivable loans read as
    of `on_date` (the month's end, or today for the running month)."""
    return loan_risks(book, [(month, on_date)])[month]


def loan_risks(book: Book, readings: list[tuple[datetime.date, datetime.date]]) -> dict:
    """{month: loan risk} for each (month, reading date), from one reading of the loans."""
    if not readings:
        return {}
    first = min(month for month, _day in readings)
    last = max(day for _month, day in readings)
    loans = list(
        Loan.objects.filter(
            book=book, direction=Loan.Direction.RECEIVABLE, disbursed_date__lte=last
        )
        .filter(Q(closed_date__isnull=True) | Q(closed_date__gte=first))
        .select_related("product")
    )
    # Each month's reading date is its own; a loan closed before the month is not read for it.
    wanted = {
        on_date: {
            loan.pk for loan in loans if loan.closed_date is None or loan.closed_date >= month
        }
        for month, on_date in readings
    }
    by_date = positions_over(loans, sorted(wanted), only=wanted)
    found = {}
    for month, on_date in readings:
        risk = dict.fromkeys(RISK_FIGURES, ZERO)
        for pos in by_date[on_date].values():
            for state in pos.instalments:
                if month <= state.due_date <= on_date:
                    risk["instalments_due"] += state.amount
                    risk["instalments_paid"] += state.paid
            if pos.balance > 0:
                risk["arrears"] += pos.arrears
                if pos.days_past_due > 30:
                    risk["at_risk30"] += pos.balance
        found[month] = risk
    return found


def book_month_differences(
    book_ids: list[int],
) -> list[tuple[int, datetime.date, str, object, object]]:
    """(book id, month, figure, kept, from the journal) wherever BookMonth and the journal
    disagree; the loans' risk is read again as of the day each row was read."""
    expected = journal_months(book_ids)
    kept = kept_months(book_ids)
    found = []
    for key in sorted(expected.keys() | kept.keys()):
        want, have = expected.get(key, {}), kept.get(key, {})
        for name in (*COUNTED, "last_activity", "current"):
            default = False if name == "current" else (None if name == "last_activity" else 0)
            if (want.get(name) or default) != (have.get(name) or default):
                found.append((*key, name, have.get(name), want.get(name)))
    books = {book.pk: book for book in Book.objects.filter(pk__in=book_ids)}
    read: dict[int, list] = defaultdict(list)
    for row in BookMonth.objects.filter(book_id__in=book_ids, risk_as_of__isnull=False).order_by(
        "book_id", "month"
    ):
        read[row.book_id].append(row)
    for book_id, kept_rows in read.items():
        risks = loan_risks(books[book_id], [(row.month, row.risk_as_of) for row in kept_rows])
        for row in kept_rows:
            for name in RISK_FIGURES:
                if risks[row.month][name] != getattr(row, name):
                    found.append(
                        (book_id, row.month, name, getattr(row, name), risks[row.month][name])
                    )
    return found
