"""The rules the journal runs for loans, registered when this package is imported."""

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _

from ...models import Book, JournalEntry, Loan, loan_deltas
from .. import journal_rules
from ..prepayment import prepayment_after_reversal, prepayment_reversal_check
from .reversals import loan_reversal_check, loan_status_after_reversal


def _loans_of(lines) -> dict[int, Loan]:
    return {line.loan.pk: line.loan for line in lines if line.loan is not None}


def _loan_lines_check(book: Book, lines) -> None:
    if any(loan.book_id != book.pk for loan in _loans_of(lines).values()):
        raise ValidationError(_("A loan of other books cannot be used here."))


def _loan_totals_add(book: Book, entry: JournalEntry, lines) -> None:
    """Each loan's running totals move with its lines, by the rules verify_books reads."""
    for loan in _loans_of(lines).values():
        own = [line for line in lines if line.loan is not None and line.loan.pk == loan.pk]
        deltas = loan_deltas(loan.direction, own)
        deltas = {field: value for field, value in deltas.items() if value}
        if deltas:
            Loan.objects.filter(pk=loan.pk).update(
                **{field: F(field) + value for field, value in deltas.items()}
            )


def _loan_reversal_check(entry: JournalEntry, lines) -> None:
    for loan in _loans_of(lines).values():
        loan_reversal_check(loan, entry)
        prepayment_reversal_check(loan, entry)


def _loan_after_reversal(entry: JournalEntry, lines) -> None:
    for loan in _loans_of(lines).values():
        loan_status_after_reversal(loan, entry)
        prepayment_after_reversal(loan, entry)


journal_rules.line_rule_register(
    journal_rules.LineRule("loans", check=_loan_lines_check, apply=_loan_totals_add)
)
journal_rules.reversal_rule_register(
    journal_rules.ReversalRule("loans", check=_loan_reversal_check, after=_loan_after_reversal)
)
