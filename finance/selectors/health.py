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

from django.db.models import Max, Q, Sum
from django.db.models.functions import TruncMonth

from groups.models import Membership, SelfHelpGroup

from ..models import ZERO, Account, Book, JournalEntry, JournalLine, Loan, Meeting
from ..schedule import add_months
from .balances import account_totals
from .loans import positions

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


def _savings(book: Book, accounts: list[Account], on_date: datetime.date) -> Decimal:
    if on_date < book.opening_date:
        return ZERO
    totals = account_totals(book, date_to=on_date, accounts=[a.pk for a in accounts])
    return sum((credit - debit for debit, credit in totals.values()), ZERO)


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
    book = Book.objects.filter(group=group).first()
    if book is None:
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
    savings = _savings(book, accounts, on_date)
    before = _savings(book, accounts, add_months(on_date, -12))
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


def group_health_months(group: SelfHelpGroup, on_date: datetime.date, months: int = 6):
    """The figures at today and at the end of each of the months before: newest first."""
    dates = [on_date]
    first = on_date.replace(day=1)
    for _ in range(months - 1):
        first = add_months(first, -1)
        dates.append(add_months(first, 1) - datetime.timedelta(days=1))
    book_accounts = _book_and_savings_accounts(group)
    return [group_health(group, day, book_accounts=book_accounts) for day in dates]
