"""A KSM's savings rules: how much simpanan pokok a member pays once, and how much simpanan
wajib at each meeting, kept per book with the date from which they apply (a rule changed by
the group's meeting starts a new row; the old one stays for the dates it covered)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .books import MONEY, ZERO, Book


class SavingsRuleQuerySet(models.QuerySet):
    def in_force(self, book: Book, on_date):
        """The rule that applies on the date: the latest one starting on or before it."""
        return (
            self.filter(book=book, valid_from__lte=on_date).order_by("-valid_from", "-pk").first()
        )


class SavingsRule(models.Model):
    book = models.ForeignKey(
        Book, verbose_name=_("book"), on_delete=models.PROTECT, related_name="savings_rules"
    )
    valid_from = models.DateField(_("valid from"))
    pokok = models.DecimalField(_("principal savings (pokok)"), default=ZERO, **MONEY)
    wajib = models.DecimalField(_("compulsory savings (wajib) per meeting"), default=ZERO, **MONEY)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = SavingsRuleQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("savings rule")
        verbose_name_plural = _("savings rules")
        ordering = ["book", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["book", "valid_from"],
                name="savings_rule_unique_date",
                violation_error_message=_("These books already have a rule from this date."),
            ),
            models.CheckConstraint(
                condition=Q(pokok__gte=0) & Q(wajib__gte=0),
                name="savings_rule_amounts_not_negative",
                violation_error_message=_("Savings amounts cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.book} {self.valid_from:%d-%m-%Y}"
