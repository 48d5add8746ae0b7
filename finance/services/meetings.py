"""The monthly meeting (rapat bulanan) recorded in one go: attendance, savings, instalments and
fines of every member, all or nothing.

One transaction under the book's row lock. Every line is checked before anything is written,
and every bad line is reported at once with the member's name, so the treasurer fixes the
sheet and sends it again. Then the Meeting row is written (the database refuses a second one
for the same KSM and date), one journal entry per member line with money (kind MEETING), the
loans' closing when paid off, and the MeetingLine rows pointing at the entries.

The sheet's one-time token is the meeting's idempotency key: the same sheet sent again finds
the meeting it recorded; another sheet for a date already recorded is stale and refused.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from groups.models import Member, Membership

from ..models import ZERO, Book, EntryKind, Loan, Meeting, MeetingLine, MemberBalance
from ..money import rupiah
from ..selectors.meetings import cash_on
from .figures import figures_batch, meeting_figures_add
from .loans import loan_close_if_paid, repayment_allocate, repayment_lines
from .posting import CENT, MAX_AMOUNT, Line, _check_date, _lock_book, accounts_for, journal_post
from .prepayment import loan_prepayment_replan

AMOUNT_FIELDS = ("mandatory", "voluntary_in", "voluntary_out", "repayment", "fine")
# What an absent member pays only when someone brought it for them (titip): the page clears
# these boxes when attendance is unticked, and the server refuses them without the titip box.
ABSENT_REFUSED = ("mandatory", "repayment")


def absent_message(name: str) -> str:
    if name == "mandatory":
        return _("Marked absent: clear the wajib, or tick titip if someone paid it for the member.")
    return _(
        "Marked absent: clear the instalment, or tick titip if someone paid it for the member."
    )


@dataclass(frozen=True)
class SheetLine:
    """One member's line of the sheet, as the treasurer filled it in."""

    member: Member
    present: bool = False
    paid_for: bool = False  # titip: absent, someone paid the wajib or instalment for them
    mandatory: Decimal = ZERO
    voluntary_in: Decimal = ZERO
    voluntary_out: Decimal = ZERO
    repayment: Decimal = ZERO
    fine: Decimal = ZERO

    @property
    def money_in(self) -> Decimal:
        return self.mandatory + self.voluntary_in + self.repayment + self.fine

    @property
    def has_money(self) -> bool:
        return bool(self.money_in or self.voluntary_out)


@dataclass
class Recorded:
    meeting: Meeting
    created: bool  # False when this sheet had been recorded already


class SheetError(ValidationError):
    """Bad lines of a sheet. `lines` maps a member id to [(field or None, message)]; the
    messages (each starting with the member's name) are the error's own messages."""

    def __init__(self, lines: dict[int, list[tuple[str | None, str]]], names: dict[int, str]):
        super().__init__(
            [
                _("%(member)s: %(problem)s") % {"member": names[member_id], "problem": problem}
                for member_id, problems in lines.items()
                for _field, problem in problems
            ]
        )
        self.lines = lines


def stale_message(meeting_date: datetime.date) -> str:
    return _(
        "The meeting of %(date)s is already recorded, from another sheet. Nothing from this "
        "sheet was recorded: open the recorded meeting, or choose another date."
    ) % {"date": meeting_date.strftime("%d-%m-%Y")}


def _amount(value) -> Decimal:
    """Zero or a positive rupiah amount; ValueError with the reason otherwise."""
    try:
        amount = Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, ValueError):
        raise ValueError(_("Write the amount as a number, e.g. 25000.")) from None
    if not amount.is_finite():
        raise ValueError(_("Write the amount as a number, e.g. 25000."))
    if amount < 0:
        raise ValueError(_("Amounts cannot be negative."))
    if amount > MAX_AMOUNT:
        raise ValueError(_("This amount is too large."))
    if amount != amount.quantize(CENT):
        raise ValueError(_("Rupiah amounts have at most two decimals."))
    return amount.quantize(CENT)


def _clean_lines(book: Book, lines: list[SheetLine], problems: dict) -> list[SheetLine]:
    """The lines with their amounts as Decimals; what is wrong goes into `problems`."""
    cleaned, seen = [], set()
    for line in lines:
        mine = problems.setdefault(line.member.pk, [])
        if line.member.pk in seen:
            mine.append((None, _("This member is on the sheet twice.")))
            continue
        seen.add(line.member.pk)
        amounts = {}
        for name in AMOUNT_FIELDS:
            try:
                amounts[name] = _amount(getattr(line, name))
            except ValueError as error:
                mine.append((name, str(error)))
                amounts[name] = ZERO
        if amounts["voluntary_in"] and amounts["voluntary_out"]:
            mine.append(
                (
                    "voluntary_out",
                    _("Write sukarela paid in or taken out, not both on one line."),
                )
            )
        present = bool(line.present)
        paid_for = not present and bool(line.paid_for)
        if not present and not paid_for:
            for name in ABSENT_REFUSED:
                if amounts[name]:
                    mine.append((name, absent_message(name)))
        cleaned.append(SheetLine(member=line.member, present=present, paid_for=paid_for, **amounts))
    active = set(
        Membership.objects.active()
        .filter(group_id=book.group_id, member_id__in=seen)
        .values_list("member_id", flat=True)
    )
    for member_id in seen - active:
        problems[member_id].append((None, _("Not an active member of this KSM.")))
    return cleaned


@transaction.atomic
def meeting_record(
    *,
    book: Book,
    meeting_date: datetime.date,
    lines: list[SheetLine],
    token: str,
    actor=None,
    notes: str = "",
) -> Recorded:
    """Record a KSM's monthly meeting from its sheet: all of it, or nothing with every bad
    line named. `token` is the sheet's idempotency key (finance.tokens.token_key)."""
    if not book.group_id:
        raise ValidationError(_("Only a KSM's books have monthly meetings."))
    if not token:
        raise ValidationError(_("This sheet was sent without its one-time code; send it again."))
    book = _lock_book(book)
    already = Meeting.objects.filter(token=token).first()
    if already is not None:
        if already.book_id != book.pk:
            raise ValidationError(_("This form does not belong to these books."))
        return Recorded(meeting=already, created=False)
    if Meeting.objects.filter(group_id=book.group_id, meeting_date=meeting_date).exists():
        raise ValidationError({"meeting_date": stale_message(meeting_date)})
    try:
        _check_date(book, meeting_date)
    except ValidationError as error:
        raise ValidationError({"meeting_date": error.messages}) from None
    if not lines:
        raise ValidationError(_("The sheet has no members."))

    checked = _check_sheet(book, meeting_date, lines, lock=True)
    if checked.problems:
        raise SheetError(checked.problems, checked.names)
    lines, loans, allocations = checked.lines, checked.loans, checked.allocations
    cash, mandatory, voluntary, fines = checked.accounts

    total_in = sum((line.money_in for line in lines), ZERO)
    total_out = sum((line.voluntary_out for line in lines), ZERO)
    cash_before = cash_on(book, meeting_date, cash)
    cash_after = cash_before + total_in - total_out
    if total_out and cash_after < 0:
        raise ValidationError(
            _(
                "The cash box had %(before)s and the sheet takes in %(in)s, so %(out)s "
                "cannot be paid out. Nothing was recorded."
            )
            % {"before": rupiah(cash_before), "in": rupiah(total_in), "out": rupiah(total_out)}
        )
    meeting = Meeting(
        group_id=book.group_id,
        book=book,
        meeting_date=meeting_date,
        token=token,
        members_count=len(lines),
        present_count=sum(1 for line in lines if line.present),
        total_in=total_in,
        total_out=total_out,
        cash_before=cash_before,
        cash_after=cash_after,
        notes=" ".join((notes or "").split())[:500],
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError:  # a sheet for the same date got in first (or the same token)
        raise ValidationError({"meeting_date": stale_message(meeting_date)}) from None

    with figures_batch(book):  # the sheet's entries count once
        rows = []
        entries = {}
        for line in lines:
            loan = loans.get(line.member.pk)
            entry = None
            if line.has_money:
                entry = _post_line(
                    book,
                    meeting_date,
                    line,
                    loan,
                    allocations.get(line.member.pk),
                    actor,
                    accounts=(cash, mandatory, voluntary, fines),
                )
                entries[line.member.pk] = entry
            rows.append(
                MeetingLine(
                    meeting=meeting,
                    member=line.member,
                    present=line.present,
                    paid_for=line.paid_for,
                    mandatory=line.mandatory,
                    voluntary_in=line.voluntary_in,
                    voluntary_out=line.voluntary_out,
                    loan=loan,
                    repayment=line.repayment,
                    fine=line.fine,
                    entry=entry,
                )
            )
        MeetingLine.objects.bulk_create(rows)
        meeting_figures_add(book, meeting)
    for member_id, allocation in allocations.items():
        if allocation.principal == loans[member_id].balance:  # the balance before the sheet
            loan_close_if_paid(loans[member_id], meeting_date)
        elif allocation.prepaid > 0:
            loan_prepayment_replan(loan=loans[member_id], entry=entries[member_id], actor=actor)
    return Recorded(meeting=meeting, created=True)


@dataclass
class _Checked:
    lines: list[SheetLine]
    problems: dict[int, list[tuple[str | None, str]]]
    names: dict[int, str]
    accounts: tuple
    loans: dict[int, Loan]
    allocations: dict


def _check_sheet(book: Book, meeting_date: datetime.date, lines, *, lock: bool) -> _Checked:
    """Every line's problems, found before anything is written (under the book's lock when
    recording, so the balances and loans read are the ones the entries will change)."""
    problems: dict[int, list] = {}
    lines = _clean_lines(book, lines, problems)
    names = {line.member.pk: line.member.full_name for line in lines}
    accounts = accounts_for(book, "cash", "savings_mandatory", "savings_voluntary", "income_fines")
    loans = _member_loans(book, [line.member.pk for line in lines], lock=lock)
    withdrawing = [line.member.pk for line in lines if line.voluntary_out]
    held = {
        row.member_id: row.balance
        for row in MemberBalance.objects.filter(
            account=accounts[2], member_id__in=withdrawing
        ).select_related("account")
    }
    allocations = {}
    for line in lines:
        mine = problems[line.member.pk]
        if line.voluntary_out > held.get(line.member.pk, ZERO):
            mine.append(
                (
                    "voluntary_out",
                    _("Only %(balance)s in voluntary savings.")
                    % {"balance": rupiah(held.get(line.member.pk, ZERO))},
                )
            )
        if line.repayment:
            loan = loans.get(line.member.pk)
            if loan is None:
                mine.append(("repayment", _("No loan outstanding to pay an instalment on.")))
                continue
            try:
                allocations[line.member.pk] = repayment_allocate(loan, line.repayment, meeting_date)
            except ValidationError as error:
                mine.extend(("repayment", message) for message in error.messages)
    return _Checked(
        lines=lines,
        problems={member_id: found for member_id, found in problems.items() if found},
        names=names,
        accounts=tuple(accounts),
        loans=loans,
        allocations=allocations,
    )


def meeting_check(
    *, book: Book, meeting_date: datetime.date, lines: list[SheetLine]
) -> dict[int, list[tuple[str | None, str]]]:
    """The problems recording these lines would meet, without recording anything: the page
    marks them together with the boxes it could not read."""
    return _check_sheet(book, meeting_date, lines, lock=False).problems


def _member_loans(book: Book, member_ids: list[int], *, lock: bool) -> dict[int, Loan]:
    """The members' outstanding loans; locked when recording (after the book, as every loan
    service does)."""
    loans = Loan.objects.filter(
        book=book,
        direction=Loan.Direction.RECEIVABLE,
        status=Loan.Status.ACTIVE,
        member_id__in=member_ids,
    )
    if lock:
        loans = loans.select_for_update(of=("self",))
    found = {}
    for loan in loans.select_related("member", "product").order_by("pk"):
        loan.book = book
        found[loan.member_id] = loan
    return found


def _post_line(book, meeting_date, line: SheetLine, loan, allocation, actor, *, accounts):
    cash, mandatory, voluntary, fines = accounts
    member = line.member
    posted = []
    if line.money_in:
        posted.append(Line(account=cash, debit=line.money_in))
    if line.mandatory:
        posted.append(Line(account=mandatory, credit=line.mandatory, member=member))
    if line.voluntary_in:
        posted.append(Line(account=voluntary, credit=line.voluntary_in, member=member))
    if allocation is not None:
        posted.extend(repayment_lines(loan, allocation, cash))
    if line.fine:
        posted.append(Line(account=fines, credit=line.fine, memo=_("Meeting fine")))
    if line.voluntary_out:
        posted.append(Line(account=voluntary, debit=line.voluntary_out, member=member))
        posted.append(Line(account=cash, credit=line.voluntary_out))
    return journal_post(
        book=book,
        entry_date=meeting_date,
        description=_("Monthly meeting %(date)s, %(member)s")
        % {"date": meeting_date.strftime("%d-%m-%Y"), "member": member.full_name},
        lines=posted,
        kind=EntryKind.MEETING,
        actor=actor,
    ).entry
