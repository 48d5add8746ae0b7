"""A group's health from its books, on a date: the figures the group page shows month by month
and the training app's grading reads as evidence.

- savings growth: members' savings (pokok + wajib + sukarela) now against twelve months
  earlier, in %;
- savings regularity: the share of the members of three months ago and still active who paid
  simpanan wajib in each of the last three months (calendar months ending with the date's);
- repayment rate: of the instalments that fell due in the last 90 days (for a loan paid off
  or written off, those due before it closed), the share of the amount paid by the date;
- PAR30: the share of loan principal outstanding in loans more than 30 days past due;
- attendance: members present over members listed, at the meetings of the last 90 days;
- books current: an entry or a meeting in the last 35 days.

Each figure is None when the group has nothing to measure it by (no books, no loans due, no
meetings). Every query is bounded by one group's book.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncMonth

from groups.models import Membership, SelfHelpGroup

from ..models import (
    ZERO,
    Account,
    AccountMonth,
    Book,
    BookYear,
    JournalEntry,
    JournalLine,
    Loan,
    LoanSchedule,
    Meeting,
)
from ..schedule import add_months
from .balances import month_end
from .loans import positions, positions_over

SAVINGS_ROLES = ("savings_principal", "savings_mandatory", "savings_voluntary")
CURRENT_DAYS = 35
WINDOW_DAYS = 90
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class GroupHealth:
    on_date: datetime.date | None = None
    savings: Decimal | None = None
    savings_growth: Decimal | None = None
    savings_regularity: Decimal | None = None
    repayment_rate: Decimal | None = None
    par30: Decimal | None = None
    attendance_rate: Decimal | None = None
    books_current: bool = False
    last_activity: datetime.date | None = None


def _pct(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.1"))


def _regularity(group, mandatory: list[int], on_date) -> Decimal | None:
    """`mandatory`: the ids of the book's simpanan wajib account(s), read once by the caller,
    so the lines are found by the (account, entry_date) index rather than by a join through
    every book's accounts."""
    first = add_months(on_date.replace(day=1), -2)
    members = set(
        Membership.objects.active()
        .filter(group=group, joined_date__lt=first)
        .values_list("member_id", flat=True)
    )
    if not members:
        return None
    paid = (
        JournalLine.objects.filter(
            account_id__in=mandatory,
            entry_date__gte=first,
            entry_date__lte=on_date,
            credit__gt=0,
            member_id__in=members,
        )
        .annotate(month=TruncMonth("entry_date"))
        .values_list("member_id", "month")
        # Without order_by() the model's default ordering joins DISTINCT and returns a row per
        # line instead of one per member and month.
        .order_by()
        .distinct()
    )
    months: dict[int, set] = {}
    for member_id, month in paid:
        months.setdefault(member_id, set()).add(month)
    regular = sum(1 for member_id in members if len(months.get(member_id, ())) >= 3)
    return _pct(regular, len(members))


def _loan_figures(book, on_date) -> tuple[Decimal | None, Decimal | None]:
    """(repayment rate, PAR30) from one reading of the book's loans on the date."""
    since = on_date - datetime.timedelta(days=WINDOW_DAYS)
    loans = list(
        Loan.objects.filter(
            book=book, direction=Loan.Direction.RECEIVABLE, disbursed_date__lte=on_date
        )
        .filter(Q(closed_date__isnull=True) | Q(closed_date__gt=since))
        .select_related("product")
    )
    due = paid = outstanding = at_risk = ZERO
    closed = {loan.pk: loan.closed_date for loan in loans}
    for loan_id, pos in positions(loans, on_date).items():
        # A loan paid off or written off owes nothing after the day it closed.
        until = on_date if pos.balance > 0 else min(on_date, closed[loan_id] or on_date)
        for state in pos.instalments:
            if since < state.due_date <= until:
                due += state.amount
                paid += state.paid
        outstanding += pos.balance
        if pos.days_past_due > 30:
            at_risk += pos.balance
    par30 = (at_risk * HUNDRED / outstanding).quantize(Decimal("0.01")) if outstanding else None
    return _pct(paid, due), par30


def _book_and_savings_accounts(group: SelfHelpGroup) -> tuple[Book | None, list[Account]]:
    # The group's book through the reverse relation: no query when the page read it already.
    try:
        book = group.book
    except Book.DoesNotExist:
        return None, []
    return book, list(book.accounts.filter(role__in=SAVINGS_ROLES))


def group_health(
    group: SelfHelpGroup, on_date: datetime.date, *, book_accounts=None
) -> GroupHealth:
    """`book_accounts`: the group's book and savings accounts when the caller read them
    already (group_health_months reads them once for all its months)."""
    book, accounts = book_accounts or _book_and_savings_accounts(group)
    meetings = Meeting.objects.filter(
        group=group,
        meeting_date__gt=on_date - datetime.timedelta(days=WINDOW_DAYS),
        meeting_date__lte=on_date,
    ).aggregate(present=Sum("present_count"), listed=Sum("members_count"), last=Max("meeting_date"))
    attendance = _pct(meetings["present"] or 0, meetings["listed"] or 0)
    if book is None:
        return GroupHealth(on_date=on_date, attendance_rate=attendance)
    mandatory = [a.pk for a in accounts if a.role == "savings_mandatory"]
    a_year_before = add_months(on_date, -12)
    both = _savings_on(book, accounts, [on_date, a_year_before])
    savings, before = both[on_date], both[a_year_before]
    growth = _pct(savings - before, before) if before > 0 else None
    last_entry = (
        JournalEntry.objects.filter(book=book, entry_date__lte=on_date)
        .order_by("-entry_date")
        .values_list("entry_date", flat=True)
        .first()
    )
    last = max((d for d in (last_entry, meetings["last"]) if d), default=None)
    repayment_rate, par30 = _loan_figures(book, on_date)
    return GroupHealth(
        on_date=on_date,
        savings=savings,
        savings_growth=growth,
        savings_regularity=_regularity(group, mandatory, on_date),
        repayment_rate=repayment_rate,
        par30=par30,
        attendance_rate=attendance,
        books_current=last is not None and (on_date - last).days <= CURRENT_DAYS,
        last_activity=last,
    )


def health_stamp(group: SelfHelpGroup) -> tuple | None:
    """What today's health of the group is worked out from changes with, in one query: the
    number of entries of its book (every posting, reversal and loan payment adds one), its
    meetings (a sheet without money posts nothing) and its loans' schedules (a rescheduling
    posts nothing either). None when the group has no books."""
    try:
        book = group.book
    except Book.DoesNotExist:
        return None
    entries = (
        BookYear.objects.filter(book=OuterRef("pk"))
        .order_by()
        .values("book")
        .annotate(n=Sum("last_number"))
        .values("n")
    )
    meetings = Meeting.objects.filter(group_id=OuterRef("group_id")).order_by().values("group")
    schedules = (
        LoanSchedule.objects.filter(loan__book=OuterRef("pk"))
        .order_by()
        .values("loan__book")
        .annotate(last=Max("id"))
        .values("last")
    )
    return (
        Book.objects.filter(pk=book.pk)
        .values_list(
            "pk",
            "opening_date",
            Subquery(entries),
            Subquery(meetings.annotate(n=Count("id")).values("n")),
            Subquery(meetings.annotate(last=Max("id")).values("last")),
            Subquery(schedules),
        )
        .first()
    )


def _month_dates(on_date: datetime.date, months: int) -> list[datetime.date]:
    dates = [on_date]
    first = on_date.replace(day=1)
    for _ in range(months - 1):
        first = add_months(first, -1)
        dates.append(add_months(first, 1) - datetime.timedelta(days=1))
    return dates


def _savings_on(book: Book, accounts: list[Account], dates: list[datetime.date]) -> dict:
    """The members' savings on each date, as `_savings` works each out, from two queries:
    the kept monthly totals up to the last whole month, and the lines of the months a date
    falls inside of."""
    ids = [a.pk for a in accounts]
    wanted = [d for d in dates if d >= book.opening_date]
    result = dict.fromkeys(dates, ZERO)
    if not wanted or not ids:
        return result
    by_month: dict[datetime.date, Decimal] = {}
    for month, debit, credit in (
        AccountMonth.objects.filter(book=book, account_id__in=ids, month__lte=max(wanted))
        .order_by()
        .values("month")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .values_list("month", "debit", "credit")
    ):
        by_month[month] = (credit or ZERO) - (debit or ZERO)
    partial = [d for d in wanted if d != month_end(d)]
    by_day: dict[datetime.date, Decimal] = {}
    if partial:
        within = Q()
        for day in partial:
            within |= Q(entry_date__gte=day.replace(day=1), entry_date__lte=day)
        for day, debit, credit in (
            JournalLine.objects.filter(within, book=book, account_id__in=ids)
            .order_by()
            .values("entry_date")
            .annotate(debit=Sum("debit"), credit=Sum("credit"))
            .values_list("entry_date", "debit", "credit")
        ):
            by_day[day] = (credit or ZERO) - (debit or ZERO)
    for day in wanted:
        first = day.replace(day=1)
        if day == month_end(day):
            total = sum((v for m, v in by_month.items() if m <= first), ZERO)
        else:
            total = sum((v for m, v in by_month.items() if m < first), ZERO)
            total += sum((v for d, v in by_day.items() if first <= d <= day), ZERO)
        result[day] = total
    return result


def _regularity_on(group, mandatory: list[int], dates: list[datetime.date]) -> dict:
    """`_regularity` on each date from two queries: the group's active memberships and the
    days each of those members paid simpanan wajib over the dates' windows."""
    firsts = {d: add_months(d.replace(day=1), -2) for d in dates}
    joined = list(
        Membership.objects.active()
        .filter(group=group, joined_date__lt=max(firsts.values()))
        .values_list("member_id", "joined_date")
    )
    result: dict = dict.fromkeys(dates)
    if not joined:
        return result
    paid_days: dict[int, set] = {}
    if mandatory:
        for member_id, day in (
            JournalLine.objects.filter(
                account_id__in=mandatory,
                entry_date__gte=min(firsts.values()),
                entry_date__lte=max(dates),
                credit__gt=0,
                member_id__in={member for member, _joined in joined},
            )
            .values_list("member_id", "entry_date")
            .order_by()
            .distinct()
        ):
            paid_days.setdefault(member_id, set()).add(day)
    for day in dates:
        first = firsts[day]
        members = {member for member, since in joined if since < first}
        if not members:
            continue
        regular = 0
        for member in members:
            months = {d.replace(day=1) for d in paid_days.get(member, ()) if first <= d <= day}
            if len(months) >= 3:
                regular += 1
        result[day] = _pct(regular, len(members))
    return result


def _loan_figures_on(book, dates: list[datetime.date]) -> dict:
    """`_loan_figures` on each date, from one reading of the loans that any of the dates
    counts and one `positions_over` (their schedules, instalments and lines, once)."""
    since = {d: d - datetime.timedelta(days=WINDOW_DAYS) for d in dates}
    loans = list(
        Loan.objects.filter(
            book=book, direction=Loan.Direction.RECEIVABLE, disbursed_date__lte=max(dates)
        )
        .filter(Q(closed_date__isnull=True) | Q(closed_date__gt=min(since.values())))
        .select_related("product")
    )
    only = {
        day: {
            loan.pk
            for loan in loans
            if loan.disbursed_date <= day
            and (loan.closed_date is None or loan.closed_date > since[day])
        }
        for day in dates
    }
    closed = {loan.pk: loan.closed_date for loan in loans}
    by_date = positions_over(loans, dates, only=only)
    result = {}
    for on_date in dates:
        due = paid = outstanding = at_risk = ZERO
        for loan_id, pos in by_date[on_date].items():
            until = on_date if pos.balance > 0 else min(on_date, closed[loan_id] or on_date)
            for state in pos.instalments:
                if since[on_date] < state.due_date <= until:
                    due += state.amount
                    paid += state.paid
            outstanding += pos.balance
            if pos.days_past_due > 30:
                at_risk += pos.balance
        par30 = (at_risk * HUNDRED / outstanding).quantize(Decimal("0.01")) if outstanding else None
        result[on_date] = (_pct(paid, due), par30)
    return result


def _meetings_on(group, dates: list[datetime.date]) -> dict:
    """(attendance rate, last meeting) on each date, from one reading of the meetings of
    the dates' windows."""
    rows = list(
        Meeting.objects.filter(
            group=group,
            meeting_date__gt=min(dates) - datetime.timedelta(days=WINDOW_DAYS),
            meeting_date__lte=max(dates),
        )
        .order_by()
        .values_list("meeting_date", "present_count", "members_count")
    )
    result = {}
    for day in dates:
        start = day - datetime.timedelta(days=WINDOW_DAYS)
        inside = [r for r in rows if start < r[0] <= day]
        present = sum(r[1] for r in inside if r[1] is not None)
        listed = sum(r[2] for r in inside if r[2] is not None)
        result[day] = (_pct(present, listed), max((r[0] for r in inside), default=None))
    return result


def _last_entries_on(book: Book, dates: list[datetime.date]) -> dict:
    """The book's last entry date on or before each date, in one query (a subquery per
    date, each read from the (book, entry_date) index)."""
    names = {f"d{i}": day for i, day in enumerate(dates)}
    row = (
        Book.objects.filter(pk=book.pk)
        .values(
            **{
                name: Subquery(
                    JournalEntry.objects.filter(book=book, entry_date__lte=day)
                    .order_by("-entry_date")
                    .values("entry_date")[:1]
                )
                for name, day in names.items()
            }
        )
        .first()
    ) or {}
    return {day: row.get(name) for name, day in names.items()}


def group_health_months(group: SelfHelpGroup, on_date: datetime.date, months: int = 6):
    """The figures at today and at the end of each of the months before: newest first.

    The same figures as `group_health` on each of those dates, read once for all of them: the
    number of queries does not grow with the months asked or with the book's loans."""
    dates = _month_dates(on_date, months)
    book, accounts = _book_and_savings_accounts(group)
    meetings = _meetings_on(group, dates)
    if book is None:
        return [GroupHealth(on_date=day, attendance_rate=meetings[day][0]) for day in dates]
    mandatory = [a.pk for a in accounts if a.role == "savings_mandatory"]
    a_year_before = {day: add_months(day, -12) for day in dates}
    savings = _savings_on(book, accounts, dates + list(a_year_before.values()))
    regularity = _regularity_on(group, mandatory, dates)
    loans = _loan_figures_on(book, dates)
    last_entries = _last_entries_on(book, dates)
    result = []
    for day in dates:
        attendance, last_meeting = meetings[day]
        now, before = savings[day], savings[a_year_before[day]]
        last = max((d for d in (last_entries[day], last_meeting) if d), default=None)
        repayment_rate, par30 = loans[day]
        result.append(
            GroupHealth(
                on_date=day,
                savings=now,
                savings_growth=_pct(now - before, before) if before > 0 else None,
                savings_regularity=regularity[day],
                repayment_rate=repayment_rate,
                par30=par30,
                attendance_rate=attendance,
                books_current=last is not None and (day - last).days <= CURRENT_DAYS,
                last_activity=last,
            )
        )
    return result
