"""Declining-balance (efektif) loans after a partial prepayment: the rest of the plan is worked
out again on the new balance and kept as a new schedule version, linked to the repayment that
caused it, as a reschedule is kept. Nothing is posted: the books do not change, the plan does.

Called by the services that post repayments, inside their transaction and under the book's and
the loan's locks; the arithmetic is `finance.schedule.replan_after_prepayment`.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import InterestMethod, JournalEntry, Loan, LoanSchedule
from ..schedule import replan_after_prepayment
from ..selectors.loans import loan_position


@transaction.atomic
def loan_prepayment_replan(*, loan: Loan, entry: JournalEntry, actor=None) -> LoanSchedule | None:
    """After `entry` paid principal of `loan` ahead of its schedule: for a declining-balance
    loan still outstanding, a new schedule version from the entry's date that plans the
    balance over the instalments after the current one, interest on the balance each month.
    Returns None when nothing is replanned (flat interest, paid off, or no later instalment)."""
    loan = Loan.objects.get(pk=loan.pk)
    if loan.interest_method != InterestMethod.DECLINING or loan.status != Loan.Status.ACTIVE:
        return None
    if loan.balance <= 0:
        return None
    current = loan.schedules.order_by("-version").first()
    on_date = entry.entry_date
    if current is None or current.start_date > on_date:
        return None
    plan = replan_after_prepayment(
        instalments=list(current.instalments.order_by("number")),
        on_date=on_date,
        balance=loan.balance,
        monthly_rate=current.monthly_rate,
    )
    if not plan:
        return None
    # Where the loan stands on the old plan just after the prepayment: fines still owed then
    # stay owed on the new one.
    before = loan_position(loan, on_date)
    schedule = LoanSchedule.objects.create(
        loan=loan,
        version=current.version + 1,
        start_date=on_date,
        principal=loan.balance,
        interest_method=loan.interest_method,
        monthly_rate=current.monthly_rate,
        term_months=len(plan),
        principal_paid_before=loan.principal_paid,
        interest_paid_before=loan.interest_paid,
        fines_paid_before=loan.fines_paid + before.fines_due,
        prepayment_entry=entry,
        reason=(_("Prepayment %(ref)s: interest on the new balance") % {"ref": entry.reference})[
            :200
        ],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    schedule.instalments_add(plan)
    return schedule


def _replanned_by(loan: Loan, entry: JournalEntry):
    """The plan the prepayment made (the latest version carrying it: a reversal elsewhere may
    have copied it) and the plan it replaced."""
    carrying = loan.schedules.filter(prepayment_entry=entry).order_by("version")
    first, latest = carrying.first(), carrying.last()
    if first is None:
        return None, None
    previous = loan.schedules.filter(version__lt=first.version).order_by("-version").first()
    return latest, previous


def prepayment_reversal_check(loan: Loan, entry: JournalEntry) -> None:
    """A prepayment that replanned the loan is reversed only while its plan is the latest:
    a later plan was worked out from the balance it left."""
    replanned, _previous = _replanned_by(loan, entry)
    if replanned is not None and loan.schedules.filter(version__gt=replanned.version).exists():
        raise ValidationError(
            _(
                "The schedule of loan %(ref)s was changed after this repayment; it cannot be "
                "reversed."
            )
            % {"ref": loan.reference}
        )


def prepayment_after_reversal(loan: Loan, entry: JournalEntry) -> LoanSchedule | None:
    """A reversed prepayment gives back the plan it replaced, as a new version from that
    plan's start (so every payment since is set against it again, as if the prepayment had
    never been replanned)."""
    replanned, previous = _replanned_by(loan, entry)
    if replanned is None:
        return None
    schedule = LoanSchedule.objects.create(
        loan=loan,
        version=replanned.version + 1,
        start_date=previous.start_date,
        principal=previous.principal,
        interest_method=previous.interest_method,
        monthly_rate=previous.monthly_rate,
        term_months=previous.term_months,
        principal_paid_before=previous.principal_paid_before,
        interest_paid_before=previous.interest_paid_before,
        fines_paid_before=previous.fines_paid_before,
        prepayment_entry=previous.prepayment_entry,
        reason=(_("Prepayment %(ref)s reversed") % {"ref": entry.reference})[:200],
    )
    schedule.instalments_add(previous.instalments.order_by("number"))
    return schedule
