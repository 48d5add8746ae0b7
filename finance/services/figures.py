"""Keeping BookMonth: each entry's figures and activity in the posting's transaction, meetings
from the meeting service, and the loans' risk after a change to a book's loans (once per book
and transaction, after commit) or with the passing of time (`rollups --refresh`).

Every change is also sent as `book_figures_changed`, so the rollups above the books (the
regions' figures) can follow without the books knowing about them (the dashboard queues it in
the same transaction).
"""

import contextlib
import contextvars
import datetime

from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone

from ksm_portal import sqlbatch

from ..figures import (
    MEETING_FIGURES,
    MONEY_FIGURES,
    RISK_FIGURES,
    entry_figures,
    is_current,
    month_end,
    month_of,
    next_month,
    previous_month,
)
from ..models import ZERO, Book, BookMonth, Loan
from ..selectors.figures import loan_risks
from ..signals import book_figures_changed

ADDED = (*MONEY_FIGURES, "entries", *MEETING_FIGURES)
TABLE = BookMonth._meta.db_table
COLUMNS = ("book_id", "month", *ADDED, *RISK_FIGURES, "last_activity", "current")


def _send(book: Book, changes: dict) -> None:
    changes = {month: delta for month, delta in changes.items() if any(delta.values())}
    if changes:
        book_figures_changed.send(sender=Book, book=book, changes=changes)


def _upsert(book_id: int, month: datetime.date, added: dict, activity, current: bool) -> None:
    """Add to one BookMonth row in one statement (SQLite and PostgreSQL share the syntax)."""
    values = [book_id, month, *(added.get(name, 0) for name in ADDED)]
    values += [ZERO] * len(RISK_FIGURES) + [activity, current]
    updates = [f"{name} = {TABLE}.{name} + excluded.{name}" for name in ADDED]
    updates.append(
        f"last_activity = CASE WHEN {TABLE}.last_activity IS NULL OR excluded.last_activity "
        f"> {TABLE}.last_activity THEN excluded.last_activity ELSE {TABLE}.last_activity END"
    )
    updates.append(f"current = ({TABLE}.current OR excluded.current)")
    sqlbatch.execute(
        f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(COLUMNS))}) "
        f"ON CONFLICT (book_id, month) DO UPDATE SET {', '.join(updates)}",
        values,
        prepare=True,
    )


def activity_months(day: datetime.date) -> tuple[datetime.date, datetime.date, datetime.date]:
    """The months whose last activity decides what activity on `day` changes."""
    month = month_of(day)
    return previous_month(month), month, next_month(month)


def activity_wanted(book: Book) -> bool:
    """Whether an entry posted now adds its figures at once (and so reads the months'
    activity), rather than at the end of a figures_batch."""
    pending = _batch.get()
    return pending is None or pending["book"] != book.pk


def book_month_add(
    book: Book, day: datetime.date, added: dict, activity: dict | None = None
) -> None:
    """Add an entry's or a meeting's figures to the book's month of `day`; the day is activity,
    which may make the book current on this month's end and on the next. `activity`, when
    given, is {month: last activity} of `activity_months(day)`, read under the book's lock."""
    month = month_of(day)
    changes = {month: {name: value for name, value in added.items() if value}}
    months = activity_months(day)
    if activity is None:
        activity = dict(
            BookMonth.objects.filter(book=book, month__in=months).values_list(
                "month", "last_activity"
            )
        )
    rows = dict(activity)
    was = {m: is_current(rows, m) for m in months[1:]}
    rows[month] = max(filter(None, (rows.get(month), day)))
    for later in months[1:]:
        if not was[later] and is_current(rows, later):
            changes.setdefault(later, {})["books_current"] = 1
            if later != month:
                _upsert(book.pk, later, {}, None, True)
    _upsert(book.pk, month, added, day, True)
    _send(book, changes)


# A service that posts many entries to one book in one transaction (the meeting sheet: one per
# member) adds their figures once, at the end of `figures_batch`, instead of once per entry.
_batch: contextvars.ContextVar[dict | None] = contextvars.ContextVar("figures_batch", default=None)


@contextlib.contextmanager
def figures_batch(book: Book):
    """Inside a transaction: the entries posted to `book` within count their figures and
    activity together when the block ends (nothing is added if it raises)."""
    pending: dict = {"book": book.pk, "days": {}}
    token = _batch.set(pending)
    try:
        yield
    finally:
        _batch.reset(token)
    for day, added in sorted(pending["days"].items()):
        book_month_add(book, day, added)


def _add(book: Book, day: datetime.date, added: dict, activity: dict | None = None) -> None:
    """Now, or at the end of the book's figures_batch when one is open."""
    pending = _batch.get()
    if pending is None or pending["book"] != book.pk:
        book_month_add(book, day, added, activity)
        return
    totals = pending["days"].setdefault(day, {})
    for name, value in added.items():
        totals[name] = totals.get(name, 0) + value


def entry_figures_add(
    book: Book, entry, lines, *, reversed_kind: str | None = None, activity: dict | None = None
) -> None:
    """In journal_post: the entry's figures and activity, and a risk reading to come when it
    moves a loan. `activity`: see book_month_add."""
    added = entry_figures(entry.kind, lines, reversed_kind=reversed_kind)
    added["entries"] = 1
    _add(book, entry.entry_date, added, activity)
    if any(line.loan is not None for line in lines):
        risk_refresh_after_commit(book.pk, month_of(entry.entry_date))


def meeting_figures_add(book: Book, meeting) -> None:
    """In meeting_record: the meeting, its attendance, and the day as activity."""
    added = {
        "meetings": 1,
        "members_expected": meeting.members_count,
        "members_present": meeting.present_count,
    }
    _add(book, meeting.meeting_date, added)


# --- Loan risk --------------------------------------------------------------------------------


def book_risk_refresh(book: Book, since: datetime.date, today: datetime.date | None = None):
    """Read the book's loan risk again for every month from `since` to this one (past months
    as of their end, this month as of today), writing and sending only what changed."""
    today = today or timezone.localdate()
    month = month_of(max(since, book.opening_date))
    kept = {
        row.month: row
        for row in BookMonth.objects.filter(book=book, month__gte=month, month__lte=today)
    }
    readings = risk_readings(month, today)
    risks = loan_risks(book, readings)
    changes = {}
    for month, on_date in readings:
        risk = risks[month]
        row = kept.get(month)
        if row is None:
            if any(risk.values()):
                BookMonth.objects.create(book=book, month=month, risk_as_of=on_date, **risk)
                changes[month] = risk
        else:
            delta = {name: risk[name] - getattr(row, name) for name in RISK_FIGURES}
            if any(delta.values()) or row.risk_as_of != on_date:
                BookMonth.objects.filter(pk=row.pk).update(risk_as_of=on_date, **risk)
                changes[month] = delta
    _send(book, changes)


def _pending() -> dict[int, datetime.date]:
    pending = getattr(connection, "_ksm_risk_pending", None)
    if pending is None:
        pending = connection._ksm_risk_pending = {}
    return pending


def risk_refresh_after_commit(book_id: int, month: datetime.date) -> None:
    """Once the transaction commits, read the book's loan risk again from `month` on: once per
    book however many loan lines the transaction posted (a meeting sheet posts one per member).
    A callback is registered every time, so one dropped by a rollback cannot hide a later one."""
    pending = _pending()
    pending[book_id] = min(pending.get(book_id, month), month)
    transaction.on_commit(lambda: _flush(book_id))


def _flush(book_id: int) -> None:
    since = _pending().pop(book_id, None)
    if since is None:  # another callback of the same transaction did it
        return
    with transaction.atomic():
        book = Book.objects.filter(pk=book_id).first()
        if book is not None:
            book_risk_refresh(book, since)


def books_risk_refresh(today: datetime.date | None = None, book_ids=None) -> int:
    """The passing of time (`rollups --refresh`, daily): this month's and last month's risk of
    every book with loans that were open in them. Returns the number of books read."""
    today = today or timezone.localdate()
    since = previous_month(month_of(today))
    books = Book.objects.filter(
        pk__in=Loan.objects.filter(direction=Loan.Direction.RECEIVABLE, disbursed_date__lte=today)
        .filter(Q(closed_date__isnull=True) | Q(closed_date__gte=since))
        .values("book_id")
    ).order_by("pk")
    if book_ids is not None:
        books = books.filter(pk__in=book_ids)
    count = 0
    for book in books.iterator(chunk_size=500):
        with transaction.atomic():
            book_risk_refresh(book, since, today)
        count += 1
    return count


# --- Rebuild ----------------------------------------------------------------------------------


def risk_readings(since: datetime.date, today: datetime.date) -> list[tuple]:
    """(month, reading date) for every month from `since` to today's: past months as of their
    end, this month as of today."""
    readings, month = [], month_of(since)
    while month <= today:
        readings.append((month, min(month_end(month), today)))
        month = next_month(month)
    return readings


def book_months_rebuild(book_ids: list[int], today: datetime.date | None = None) -> int:
    """Write these books' BookMonth rows again from the journal, the meetings and the loans
    (`rollups --rebuild`; the regions are rebuilt after, so nothing is sent). Returns rows."""
    from ..selectors.figures import journal_months

    today = today or timezone.localdate()
    found = journal_months(book_ids)
    first_loans = dict(
        Loan.objects.filter(book_id__in=book_ids, direction=Loan.Direction.RECEIVABLE)
        .exclude(disbursed_date__isnull=True)
        .values("book_id")
        .annotate(first=Min("disbursed_date"))
        .values_list("book_id", "first")
    )
    for book in Book.objects.filter(pk__in=first_loans).order_by("pk"):
        readings = risk_readings(max(first_loans[book.pk], book.opening_date), today)
        for month, risk in loan_risks(book, readings).items():
            if any(risk.values()) or (book.pk, month) in found:
                row = found.setdefault((book.pk, month), {})
                row.update(risk, risk_as_of=min(month_end(month), today))
    BookMonth.objects.filter(book_id__in=book_ids).delete()
    BookMonth.objects.bulk_create(
        [BookMonth(book_id=book_id, month=month, **row) for (book_id, month), row in found.items()],
        batch_size=2000,
    )
    return len(found)
