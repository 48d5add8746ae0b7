"""A book's figures per month, kept with every posting (see finance/figures.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .books import MONEY, ZERO, Book


class BookMonth(models.Model):
    """One book's figures for one month: the month's flows (savings by type, loans, cash and
    bank, income and expense), its activity (entries, last entry or meeting, whether the book
    was current on the month's end), its meetings, and its loans' risk on the month's end.

    Flows and activity are written by the posting service in the entry's transaction; the
    meeting service adds its meetings; the loan risk is read again whenever a loan's lines
    change and by `rollups --refresh` for the passing of time. `rollups --check` compares every
    row with the journal and `--rebuild` writes them again."""

    book = models.ForeignKey(  # indexed by book_month_unique
        Book, on_delete=models.PROTECT, related_name="months", db_index=False
    )
    month = models.DateField(_("month"), help_text=_("First day of the month."))

    savings_principal = models.DecimalField(default=ZERO, **MONEY)
    savings_mandatory = models.DecimalField(default=ZERO, **MONEY)
    savings_voluntary = models.DecimalField(default=ZERO, **MONEY)
    loans_outstanding = models.DecimalField(default=ZERO, **MONEY)
    loans_disbursed = models.DecimalField(default=ZERO, **MONEY)
    loans_repaid = models.DecimalField(default=ZERO, **MONEY)
    loans_written_off = models.DecimalField(default=ZERO, **MONEY)
    cash = models.DecimalField(default=ZERO, **MONEY)
    bank = models.DecimalField(default=ZERO, **MONEY)
    income = models.DecimalField(default=ZERO, **MONEY)
    expense = models.DecimalField(default=ZERO, **MONEY)

    entries = models.PositiveIntegerField(default=0)
    last_activity = models.DateField(null=True, blank=True)
    current = models.BooleanField(
        default=False, help_text="An entry or a meeting in the 45 days up to the month's end."
    )

    meetings = models.PositiveSmallIntegerField(default=0)
    members_expected = models.PositiveIntegerField(default=0)
    members_present = models.PositiveIntegerField(default=0)

    arrears = models.DecimalField(default=ZERO, **MONEY)
    at_risk30 = models.DecimalField(default=ZERO, **MONEY)
    instalments_due = models.DecimalField(default=ZERO, **MONEY)
    instalments_paid = models.DecimalField(default=ZERO, **MONEY)
    risk_as_of = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("book month")
        verbose_name_plural = _("book months")
        constraints = [
            models.UniqueConstraint(fields=["book", "month"], name="book_month_unique"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="book_month_first_day"),
        ]

    def __str__(self):
        return f"{self.book_id} {self.month:%Y-%m}"
