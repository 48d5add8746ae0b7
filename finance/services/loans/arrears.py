"""A loan in trouble: rescheduling it, the loan-loss reserve, writing it off."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ...models import ZERO, Book, EntryKind, JournalEntry, Loan, LoanSchedule
from ...schedule import add_months
from ...selectors.loans import loan_position
from ..posting import Line, Posted, _lock_book, accounts_for, clean_amount, journal_post
from .applications import _locked_loan, loan_check_date_order
from .disbursement import _first_due_within_reach, _schedule_create, account_balance
from .helpers import _today_or_past


@transaction.atomic
def loan_reschedule(
    *,
    loan: Loan,
    rescheduled_date: datetime.date,
    term_months: int,
    reason: str,
    monthly_rate=None,
    first_due_date: datetime.date | None = None,
    actor=None,
) -> LoanSchedule:
    """Plan the principal still owed afresh over a new term (the group's decision for a member
    in difficulty). Interest fallen due and unpaid falls due with the first new instalment;
    fines are kept. Nothing is posted: the books do not change, the plan does."""
    _lock_book(loan.book)
    loan = _locked_loan(loan)
    if loan.status != Loan.Status.ACTIVE or loan.balance <= 0:
        raise ValidationError(_("Only an outstanding loan can be rescheduled."))
    _today_or_past(rescheduled_date, "rescheduled_date")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Write why the loan is rescheduled.")})
    if not 1 <= int(term_months) <= 120:
        raise ValidationError({"term_months": _("The term is between 1 and 120 months.")})
    rate = loan.monthly_rate if monthly_rate in (None, "") else Decimal(monthly_rate)
    if not 0 <= rate <= 10:
        raise ValidationError({"monthly_rate": _("Interest is between 0% and 10% a month.")})
    loan_check_date_order(loan, rescheduled_date, "rescheduled_date")
    current = loan.schedules.order_by("-version").first()
    if rescheduled_date < current.start_date:
        raise ValidationError(
            {
                "rescheduled_date": _(
                    "The current schedule starts on %(date)s; choose that date or a later one."
                )
                % {"date": current.start_date.strftime("%d-%m-%Y")}
            }
        )
    pos = loan_position(loan, rescheduled_date)
    first_due_date = first_due_date or add_months(rescheduled_date, 1)
    if first_due_date <= rescheduled_date:
        raise ValidationError({"first_due_date": _("The first instalment falls due after today.")})
    _first_due_within_reach(first_due_date, rescheduled_date)
    return _schedule_create(
        loan,
        version=current.version + 1,
        start_date=rescheduled_date,
        principal=loan.balance,
        monthly_rate=rate,
        term_months=int(term_months),
        first_due_date=first_due_date,
        extra_interest=pos.interest_due,
        reason=reason,
        actor=actor,
    )


@transaction.atomic
def loan_provision(
    *, book: Book, amount, entry_date: datetime.date, description: str = "", actor=None, token=None
) -> Posted:
    """Set money aside against loans that may not be repaid (the loan-loss reserve)."""
    amount = clean_amount(amount)
    expense, allowance = accounts_for(book, "expense_loan_loss", "loan_loss_allowance")
    return journal_post(
        book=book,
        entry_date=entry_date,
        description=description or _("Loan-loss reserve"),
        lines=[Line(account=expense, debit=amount), Line(account=allowance, credit=amount)],
        kind=EntryKind.LOAN_PROVISION,
        actor=actor,
        token=token,
    )


@transaction.atomic
def loan_write_off(
    *, loan: Loan, entry_date: datetime.date, reason: str, actor=None, token: str | None = None
) -> Posted:
    """Give up on the principal still owed: charged to the loan-loss reserve as far as it goes,
    the rest to the year's loan-loss expense. The member's card shows it written off."""
    book = _lock_book(loan.book)
    if token:
        repeat = JournalEntry.objects.filter(token=token, book=book).first()
        if repeat is not None:
            return Posted(entry=repeat, created=False)
    loan = _locked_loan(loan)
    if not loan.is_receivable or loan.status != Loan.Status.ACTIVE or loan.balance <= 0:
        raise ValidationError(_("Only an outstanding loan lent by these books can be written off."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Write why the loan is written off.")})
    loan_check_date_order(loan, entry_date, "entry_date")
    receivable, allowance, expense = accounts_for(
        book, "loans_receivable", "loan_loss_allowance", "expense_loan_loss"
    )
    reserve = max(account_balance(book, "loan_loss_allowance"), ZERO)
    from_reserve = min(reserve, loan.balance)
    party = {"member": loan.member} if loan.member_id else {"group": loan.borrower_group}
    lines = [Line(account=receivable, credit=loan.balance, loan=loan, **party)]
    if from_reserve:
        lines.append(Line(account=allowance, debit=from_reserve, loan=loan))
    if loan.balance - from_reserve:
        lines.append(Line(account=expense, debit=loan.balance - from_reserve, loan=loan))
    posted = journal_post(
        book=book,
        entry_date=entry_date,
        description=_("Loan %(ref)s written off: %(reason)s")
        % {"ref": loan.reference, "reason": reason},
        lines=lines,
        kind=EntryKind.LOAN_WRITE_OFF,
        actor=actor,
        token=token,
    )
    Loan.objects.filter(pk=loan.pk).update(status=Loan.Status.WRITTEN_OFF, closed_date=entry_date)
    return posted
