"""Reversals of loan entries (called by entry_reverse): whether one may go, and the loan's
status after it."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ksm_portal.services_base import row_clean

from ...models import EntryKind, JournalEntry, Loan
from ..posting import entry_reverse


def _live_lines(loan: Loan, *, besides: JournalEntry | None = None):
    """The loan's lines in entries neither reversed nor reversals (nor `besides`)."""
    lines = loan.lines.exclude(entry__reversal_of__isnull=False)
    lines = lines.exclude(entry__reversed_by__isnull=False)
    return lines.exclude(entry=besides) if besides is not None else lines


# Entries that bring a loan into the books: the disbursement, the money borrowed, and the
# opening balances (a loan from before the books).
LOAN_STARTS = (EntryKind.LOAN_DISBURSEMENT, EntryKind.BORROWING_RECEIVED, EntryKind.OPENING)


def loan_reversal_check(loan: Loan, entry: JournalEntry) -> None:
    """A disbursement (or the opening entry that brought a loan in) is reversed only while
    nothing else was posted for the loan (nor, for a loan to a KSM, for the KSM's side of
    it)."""
    if entry.kind == EntryKind.OPENING:
        if _live_lines(loan, besides=entry).exists():
            raise ValidationError(
                _("Loan %(ref)s has repayments; reverse them before the opening balances.")
                % {"ref": loan.reference}
            )
        return
    if entry.kind in (EntryKind.LOAN_DISBURSEMENT, EntryKind.BORROWING_RECEIVED):
        mirror = loan.counterpart if loan.counterpart_id else None
        mirror_busy = (
            mirror is not None
            and _live_lines(mirror).exclude(entry__kind=EntryKind.BORROWING_RECEIVED).exists()
        )
        if _live_lines(loan, besides=entry).exists() or mirror_busy:
            raise ValidationError(
                _("Loan %(ref)s has repayments; reverse them before the disbursement.")
                % {"ref": loan.reference}
            )


def loan_status_after_reversal(loan: Loan, entry: JournalEntry) -> None:
    """After a loan entry is reversed, the loan's status follows its restored totals."""
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    if entry.kind in LOAN_STARTS:
        mirror = loan.counterpart if loan.counterpart_id else None
        if mirror is not None and mirror.status == Loan.Status.ACTIVE:
            received = (
                JournalEntry.objects.filter(
                    lines__loan=mirror, kind=EntryKind.BORROWING_RECEIVED, reversed_by__isnull=True
                )
                .distinct()
                .first()
            )
            if received is not None:
                entry_reverse(
                    entry=received, entry_date=timezone.localdate(), reason=entry.description
                )
        loan.status = Loan.Status.REJECTED
        loan.disbursed_date = None
        loan.closed_date = None
        if entry.kind == EntryKind.OPENING:
            note = _("Opening balances reversed (%(ref)s).")
        else:
            note = _("Disbursement reversed (%(ref)s).")
        loan.decision_note = note % {"ref": entry.reference}
    elif loan.status in (Loan.Status.PAID, Loan.Status.WRITTEN_OFF) and loan.balance > 0:
        loan.status = Loan.Status.ACTIVE
        loan.closed_date = None
    row_clean(loan)
    loan.save()
