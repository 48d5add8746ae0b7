"""Repayment: split fine → interest → principal against the loan's position, posted, and the
loan's totals and status moved on."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ...models import ZERO, EntryKind, JournalEntry, Loan
from ...money import rupiah
from ...schedule import allocate, prepaid_principal
from ...selectors.loans import loan_position
from ..posting import Line, Posted, _lock_book, accounts_for, clean_amount, journal_post
from ..prepayment import loan_prepayment_replan
from .applications import _locked_loan, loan_check_date_order
from .disbursement import account_balance
from .helpers import _source


@dataclass(frozen=True)
class Allocation:
    fine: Decimal
    interest: Decimal
    principal: Decimal
    prepaid: Decimal = ZERO  # of the principal, what is beyond the instalments payable now

    @property
    def total(self) -> Decimal:
        return self.fine + self.interest + self.principal


def repayment_allocate(
    loan: Loan, amount: Decimal, on_date: datetime.date, *, fine=None
) -> Allocation:
    """Split a repayment fine → interest → principal against the loan's position on the date.
    `fine` overrides the fine due (a waived or reduced fine, as the meeting decides). Raises a
    clear error for more than the loan owes. Call under the book's lock when posting."""
    if loan.status != Loan.Status.ACTIVE:
        raise ValidationError(_("Loan %(ref)s is not outstanding.") % {"ref": loan.reference})
    loan_check_date_order(loan, on_date, "entry_date")
    pos = loan_position(loan, on_date)
    fines_due = pos.fines_due if fine is None else Decimal(fine)
    if fines_due < 0:
        raise ValidationError({"fine": _("A fine cannot be negative.")})
    fine_part, interest, principal, excess = allocate(amount, fines_due=fines_due, pos=pos)
    if excess > 0:
        raise ValidationError(
            {
                "amount": _("Loan %(ref)s owes only %(owed)s today (principal %(balance)s).")
                % {
                    "ref": loan.reference,
                    "owed": rupiah(fines_due + pos.interest_current + loan.balance),
                    "balance": rupiah(loan.balance),
                }
            }
        )
    return Allocation(
        fine=fine_part,
        interest=interest,
        principal=principal,
        prepaid=prepaid_principal(pos, principal),
    )


def loan_after_repayment(
    loan: Loan, allocation: Allocation, entry: JournalEntry, on_date: datetime.date, actor=None
) -> None:
    """After a repayment is posted: a loan with nothing left owed is paid off; a
    declining-balance loan prepaid in part is replanned on its new balance."""
    loan_close_if_paid(loan, on_date)
    if allocation.prepaid > 0:
        loan_prepayment_replan(loan=loan, entry=entry, actor=actor)


def repayment_lines(loan: Loan, allocation: Allocation, money_account) -> list[Line]:
    """The lines of a repayment, without the money side's total (the caller adds the cash line,
    so a meeting line can pay savings and an instalment in one entry)."""
    book = loan.book
    lines = []
    if loan.is_receivable:
        party = {"member": loan.member} if loan.member_id else {"group": loan.borrower_group}
        if allocation.principal:
            (receivable,) = accounts_for(book, "loans_receivable")
            lines.append(Line(account=receivable, credit=allocation.principal, loan=loan, **party))
        if allocation.interest:
            (income,) = accounts_for(book, "income_interest")
            lines.append(Line(account=income, credit=allocation.interest, loan=loan))
        if allocation.fine:
            (fines,) = accounts_for(book, "income_fines")
            lines.append(Line(account=fines, credit=allocation.fine, loan=loan))
    else:
        if allocation.principal:
            (borrowings,) = accounts_for(book, "borrowings")
            lines.append(Line(account=borrowings, debit=allocation.principal, loan=loan))
        if allocation.interest:
            (interest,) = accounts_for(book, "expense_interest")
            lines.append(Line(account=interest, debit=allocation.interest, loan=loan))
        if allocation.fine:
            (fines,) = accounts_for(book, "expense_other")
            lines.append(Line(account=fines, debit=allocation.fine, loan=loan))
    return lines


def loan_close_if_paid(loan: Loan, on_date: datetime.date) -> None:
    """After a posting: a loan with nothing left owed is paid off."""
    loan.refresh_from_db()
    if loan.status == Loan.Status.ACTIVE and loan.balance == 0:
        loan.status = Loan.Status.PAID
        loan.closed_date = on_date
        loan.save(update_fields=["status", "closed_date"])


@transaction.atomic
def loan_repay(
    *,
    loan: Loan,
    amount,
    paid_date: datetime.date,
    fine=None,
    source: str = "cash",
    receipt_ref: str = "",
    actor=None,
    token: str | None = None,
) -> Posted:
    """A repayment of a loan lent (money in) or borrowed (money out), split fine → interest →
    principal. Partial, early and final payments alike; the last one pays the loan off."""
    book = _lock_book(loan.book)
    if token:
        repeat = JournalEntry.objects.filter(token=token, book=book).first()
        if repeat is not None:
            return Posted(entry=repeat, created=False)
    loan = _locked_loan(loan)
    amount = clean_amount(amount)
    source = _source(source)
    allocation = repayment_allocate(loan, amount, paid_date, fine=fine)
    (money,) = accounts_for(book, source)
    lines = repayment_lines(loan, allocation, money)
    if loan.is_receivable:
        lines.insert(0, Line(account=money, debit=amount))
        kind = EntryKind.LOAN_REPAYMENT
        description = _("Instalment of loan %(ref)s, %(party)s")
    else:
        available = account_balance(book, source)
        if amount > available:
            raise ValidationError(
                {
                    "amount": _("There is only %(available)s to pay with.")
                    % {"available": rupiah(available)}
                }
            )
        lines.append(Line(account=money, credit=amount))
        kind = EntryKind.BORROWING_REPAYMENT
        description = _("Repayment of borrowing %(ref)s to %(party)s")
    posted = journal_post(
        book=book,
        entry_date=paid_date,
        description=description % {"ref": loan.reference, "party": loan.party_name},
        lines=lines,
        kind=kind,
        actor=actor,
        receipt_ref=receipt_ref,
        token=token,
    )
    loan_after_repayment(loan, allocation, posted.entry, paid_date, actor)
    return posted
