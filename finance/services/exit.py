"""A member leaves the KSM: their savings are settled in one journal entry, in one
transaction with ending the membership.

Pokok, wajib and sukarela are taken off the member's savings accounts; what the member owes on
their outstanding loans is set against them first (split as every repayment is, by
`loans.repayment_allocate`: fines, then interest due, then principal), and the rest is paid out
in cash or from the bank. A member who owes more than they saved gets nothing: the settlement
shows the debt still owed, and the loan stays open.

The finance service calls the groups service to end the membership (finance sits above
groups). The form's one-time token is the entry's: a double submit finds the settlement it
posted.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from groups.models import Membership
from groups.services import membership_end

from ..models import ZERO, Account, Book, EntryKind, JournalEntry, Loan, MemberBalance
from ..money import rupiah
from ..selectors.loans import loan_position
from .loans import (
    Allocation,
    account_balance,
    loan_after_repayment,
    repayment_allocate,
    repayment_lines,
)
from .posting import Line, Posted, _check_date, _lock_book, accounts_for, journal_post

SAVINGS_ROLES = ("savings_principal", "savings_mandatory", "savings_voluntary")
PAYOUT_ROLES = ("cash", "bank")


@dataclass
class LoanPart:
    loan: Loan
    owed: Decimal  # what paying the loan off would take on the date
    allocation: Allocation | None  # what the savings pay of it

    @property
    def set_against(self) -> Decimal:
        return self.allocation.total if self.allocation else ZERO

    @property
    def still_owed(self) -> Decimal:
        return self.owed - self.set_against


@dataclass
class Settlement:
    membership: Membership
    left_date: datetime.date
    savings: list[tuple[Account, Decimal]]  # each savings account with the member's balance
    loans: list[LoanPart] = field(default_factory=list)

    @property
    def member(self):
        return self.membership.member

    @property
    def savings_total(self) -> Decimal:
        return sum((amount for _account, amount in self.savings), ZERO)

    @property
    def set_against(self) -> Decimal:
        return sum((part.set_against for part in self.loans), ZERO)

    @property
    def payout(self) -> Decimal:
        return self.savings_total - self.set_against

    @property
    def still_owed(self) -> Decimal:
        return sum((part.still_owed for part in self.loans), ZERO)


def _membership_of(book: Book, membership: Membership) -> Membership:
    if book.kind != Book.Kind.KSM or membership.group_id != book.group_id:
        raise ValidationError(_("This member is not in this KSM."))
    if not membership.is_active:
        raise ValidationError(_("This membership has already ended."))
    return membership


def exit_settlement(
    *, book: Book, membership: Membership, left_date: datetime.date, lock: bool = False
) -> Settlement:
    """What the member gets or still owes if they leave on the date (a preview, or under the
    book's lock when settling)."""
    membership = _membership_of(book, membership)
    if left_date < membership.joined_date:
        raise ValidationError(
            {
                "entry_date": _("The member joined on %(date)s; they cannot leave earlier.")
                % {"date": membership.joined_date.strftime("%d-%m-%Y")}
            }
        )
    accounts = accounts_for(book, *SAVINGS_ROLES)
    held = {
        row.account_id: row.credit - row.debit
        for row in MemberBalance.objects.filter(
            account__in=accounts, member_id=membership.member_id
        )
    }
    savings = [(account, max(held.get(account.pk, ZERO), ZERO)) for account in accounts]
    settlement = Settlement(membership=membership, left_date=left_date, savings=savings)
    loans = Loan.objects.filter(
        book=book,
        direction=Loan.Direction.RECEIVABLE,
        status=Loan.Status.ACTIVE,
        member_id=membership.member_id,
    )
    if lock:
        loans = loans.select_for_update(of=("self",))
    available = settlement.savings_total
    for loan in loans.select_related("product").order_by("pk"):
        loan.book = book
        loan.member = membership.member
        owed = loan_position(loan, left_date).payoff
        pay = min(available, owed)
        allocation = repayment_allocate(loan, pay, left_date) if pay > 0 else None
        available -= pay
        settlement.loans.append(LoanPart(loan=loan, owed=owed, allocation=allocation))
    return settlement


@dataclass
class Settled:
    posted: Posted | None  # None when the member had no savings to settle
    settlement: Settlement | None
    membership: Membership

    @property
    def created(self) -> bool:
        """False when the form's token had already posted the settlement."""
        return self.posted is None or self.posted.created


@transaction.atomic
def member_exit(
    *,
    book: Book,
    membership: Membership,
    left_date: datetime.date,
    payout_to: str = "cash",
    actor=None,
    token: str | None = None,
) -> Settled:
    """End the membership and settle the member's savings in one entry (kind MEMBER_EXIT)."""
    book = _lock_book(book)
    if token:
        repeat = JournalEntry.objects.filter(token=token, book=book).first()
        if repeat is not None:
            return Settled(
                posted=Posted(entry=repeat, created=False), settlement=None, membership=membership
            )
    if payout_to not in PAYOUT_ROLES:
        raise ValidationError({"payout_to": _("Choose how the member is paid out.")})
    _check_date(book, left_date)
    # Read fresh under the book's lock: a racing exit that got in first has ended it.
    membership = Membership.objects.select_related("member").get(pk=membership.pk)
    settlement = exit_settlement(book=book, membership=membership, left_date=left_date, lock=True)
    posted = None
    if settlement.savings_total > 0:
        posted = _post(book, settlement, payout_to, actor, token)
        for part in settlement.loans:
            if part.allocation is not None:
                loan_after_repayment(part.loan, part.allocation, posted.entry, left_date, actor)
    ended = membership_end(actor=actor, membership=settlement.membership, left_date=left_date)
    return Settled(posted=posted, settlement=settlement, membership=ended)


def _post(book: Book, settlement: Settlement, payout_to: str, actor, token) -> Posted:
    member = settlement.member
    lines = [
        Line(account=account, debit=amount, member=member)
        for account, amount in settlement.savings
        if amount > 0
    ]
    (money,) = accounts_for(book, payout_to)
    for part in settlement.loans:
        if part.allocation is not None:
            lines.extend(repayment_lines(part.loan, part.allocation, money))
    if settlement.payout > 0:
        available = account_balance(book, payout_to)
        if settlement.payout > available:
            raise ValidationError(
                {
                    "payout_to": _(
                        "%(member)s is owed %(payout)s, but %(account)s holds only "
                        "%(available)s. Nothing was recorded."
                    )
                    % {
                        "member": member.full_name,
                        "payout": rupiah(settlement.payout),
                        "account": money.name,
                        "available": rupiah(available),
                    }
                }
            )
        lines.append(Line(account=money, credit=settlement.payout))
    return journal_post(
        book=book,
        entry_date=settlement.left_date,
        description=_("Exit settlement, %(member)s") % {"member": member.full_name},
        lines=lines,
        kind=EntryKind.MEMBER_EXIT,
        actor=actor,
        token=token,
    )
