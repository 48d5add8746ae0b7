"""What the monthly meeting sheet shows before the treasurer types anything: every active
member with what they are expected to pay, and the meetings already recorded.

The sheet is read in a fixed number of queries whatever the group's size: the members with
their last wajib deposit and voluntary balance (one query with two indexed subqueries), their
outstanding loans (one), the loans' positions (three, `finance.selectors.loans.positions`),
the cash in the box on the date and whether that date's meeting is already recorded.

Prefilled wajib: the group's savings rule in force on the meeting date (set in the book's
settings). Without a rule, the group's usual amount, which is the most common of the members' latest
wajib deposits (ties go to the larger amount). Each member's own latest deposit may be a
catch-up of several months or a first partial payment; the usual amount is what the group's
rule asks of everyone. A group with no wajib deposit yet gets no prefill.

Prefilled instalment: what the loan asks at this meeting, which is the unpaid part of every
instalment fallen due and of the current one (the next to fall due, payable at the meeting
with its interest, as `finance.schedule` states) plus the late-payment fines due, and never
more than would pay the loan off.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, Exists, F, OuterRef, Subquery
from django.utils import timezone

from groups.models import Member, Membership

from ..models import ZERO, Book, EntryKind, JournalLine, Loan, Meeting, MemberBalance
from ..models.books import MONEY
from ..schedule import Position
from .balances import account_totals
from .loans import positions
from .savings import rule_in_force

# The entries a regular wajib deposit is made by (not opening balances, not the general
# journal's corrections).
WAJIB_KINDS = (EntryKind.SAVINGS_DEPOSIT, EntryKind.MEETING)
SHEET_ROLES = ("cash", "savings_mandatory", "savings_voluntary")


@dataclass
class SheetRow:
    member: Member
    last_wajib: Decimal | None  # the member's latest wajib deposit on or before the date
    voluntary_balance: Decimal  # today's balance: a withdrawal may not exceed it
    loan: Loan | None = None
    position: Position | None = None
    instalment_due: Decimal = ZERO  # prefilled: instalments due now, with fines
    fines_due: Decimal = ZERO
    wajib: Decimal = ZERO  # prefilled


@dataclass
class Sheet:
    book: Book
    on_date: datetime.date
    rows: list[SheetRow]
    usual_wajib: Decimal | None  # the wajib prefilled: the rule's, else the usual amount
    cash_before: Decimal
    recorded: Meeting | None  # this KSM's meeting on this date, if already recorded
    loans_count: int = 0
    due_total: Decimal = ZERO
    notes: list[str] = field(default_factory=list)
    wajib_from_rule: bool = False  # the prefill is the group's rule, not the usual amount

    @property
    def rows_by_member(self) -> dict[int, SheetRow]:
        return {row.member.pk: row for row in self.rows}


def usual_amount(amounts: list[Decimal]) -> Decimal | None:
    """The most common amount; ties go to the larger."""
    counts = Counter(amount for amount in amounts if amount)
    if not counts:
        return None
    return max(counts.items(), key=lambda item: (item[1], item[0]))[0]


def _money(expression):
    return Subquery(expression, output_field=DecimalField(**MONEY))


def sheet_accounts(book: Book) -> dict:
    return {a.role: a for a in book.accounts.filter(role__in=SHEET_ROLES)}


def sheet_members(book: Book, on_date: datetime.date, accounts: dict | None = None):
    """The KSM's members active on the date (joined by then, not left), by name, each with
    their latest wajib deposit on or before the date and their voluntary balance."""
    if accounts is None:
        accounts = sheet_accounts(book)
    members = Member.objects.filter(
        Exists(
            Membership.objects.active().filter(
                group_id=book.group_id, member_id=OuterRef("pk"), joined_date__lte=on_date
            )
        )
    )
    mandatory = accounts.get("savings_mandatory")
    voluntary = accounts.get("savings_voluntary")
    if mandatory is not None:
        members = members.annotate(
            last_wajib=_money(
                JournalLine.objects.filter(
                    member_id=OuterRef("pk"),
                    account=mandatory,
                    credit__gt=0,
                    entry_date__lte=on_date,
                    entry__kind__in=WAJIB_KINDS,
                )
                .order_by("-entry_date", "-entry_id")
                .values("credit")[:1]
            )
        )
    if voluntary is not None:
        members = members.annotate(
            voluntary_held=_money(
                MemberBalance.objects.filter(account=voluntary, member_id=OuterRef("pk"))
                .annotate(held=F("credit") - F("debit"))
                .values("held")[:1]
            )
        )
    return members.order_by("full_name", "pk")


def instalment_due(pos: Position) -> Decimal:
    """What a loan asks at a meeting on the position's date (see the module docstring)."""
    owed = sum((state.unpaid for state in pos.instalments if state.chargeable), ZERO)
    owed = min(max(owed, ZERO), pos.interest_current + pos.balance)
    return owed + pos.fines_due


def member_loans(book: Book, member_ids: list[int]) -> list[Loan]:
    """The members' outstanding loans in these books (one each at most, by constraint)."""
    return list(
        Loan.objects.filter(
            book=book,
            direction=Loan.Direction.RECEIVABLE,
            status=Loan.Status.ACTIVE,
            member_id__in=member_ids,
        ).select_related("product")
    )


def meeting_sheet(book: Book, on_date: datetime.date | None = None) -> Sheet:
    on_date = on_date or timezone.localdate()
    accounts = sheet_accounts(book)
    members = list(sheet_members(book, on_date, accounts))
    rows = [
        SheetRow(
            member=member,
            last_wajib=getattr(member, "last_wajib", None),
            voluntary_balance=getattr(member, "voluntary_held", None) or ZERO,
        )
        for member in members
    ]
    rule = rule_in_force(book, on_date)
    if rule is not None and rule.wajib:
        usual = rule.wajib
    else:
        usual = usual_amount([row.last_wajib for row in rows if row.last_wajib])
    by_member = {row.member.pk: row for row in rows}
    loans = member_loans(book, list(by_member))
    found = positions(loans, on_date)
    sheet = Sheet(
        book=book,
        on_date=on_date,
        rows=rows,
        usual_wajib=usual,
        cash_before=cash_on(book, on_date, accounts.get("cash")),
        recorded=Meeting.objects.filter(group_id=book.group_id, meeting_date=on_date).first(),
        wajib_from_rule=rule is not None and bool(rule.wajib),
    )
    for loan in loans:
        row = by_member[loan.member_id]
        loan.member = row.member
        row.loan = loan
        pos = found.get(loan.pk)
        if pos is not None and pos.balance > 0:
            row.position = pos
            row.fines_due = pos.fines_due
            row.instalment_due = instalment_due(pos)
            sheet.loans_count += 1
            sheet.due_total += row.instalment_due
    for row in rows:
        row.wajib = usual or ZERO
    return sheet


def cash_on(book: Book, on_date: datetime.date, cash=None) -> Decimal:
    """The cash in the box at the end of the date, from the maintained monthly totals and
    that month's lines."""
    cash = cash or book.accounts.filter(role="cash").first()
    if cash is None:
        return ZERO
    debit, credit = account_totals(book, date_to=on_date, accounts=[cash.pk]).get(
        cash.pk, (ZERO, ZERO)
    )
    return (debit - credit) * cash.sign


def meeting_lines(meeting: Meeting):
    """A meeting's lines for its summary, by member name."""
    return meeting.lines.select_related("member", "loan", "entry").order_by(
        "member__full_name", "member_id"
    )


def book_meetings(book: Book):
    """A book's meetings, newest first (paginate it)."""
    return Meeting.objects.filter(book=book).order_by("-meeting_date", "-id")
