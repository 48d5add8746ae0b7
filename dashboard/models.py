"""The programme's figures per region and month, summed up the region tree.

RegionMonth holds, for the nation ("") and each province, regency, kecamatan and village (by
Kemendagri code), the month's figures of its KSM: the books' flows and readings (from
BookMonth) and the register's (KSM new and reactivated, dormant and dissolved, members by sex,
BUMDes, cooperatives, officers trained), recounted for the village that changed in the same
transaction. A balance on a month's end is the sum of the flows up to it; readings (books
current, loan risk) are the month's own. The dashboard reads a handful of these rows, never
journal lines.

A posting does not write RegionMonth: it appends its change to RegionPending (one row, no
row shared with any other book), and the drain (`rollups --drain`, each minute, and the
dashboard before it reads) adds a batch of them to the village and every region above in one
statement. Otherwise every posting in a province would update the province's and the nation's
rows, which all the province's treasurers would queue on (and bloat with dead row versions).

Rows of the nation and the provinces are split into a few slots, one per database connection,
so that writers on different connections do not queue on one row; a reading sums the slots.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 20, "decimal_places": 2}
SLOTS = 8  # for the nation and the provinces; lower levels use slot 0

LEVELS = {0: "nation", 2: "province", 5: "regency", 8: "district", 13: "village"}

BOOK_MONEY = (
    "savings_principal",
    "savings_mandatory",
    "savings_voluntary",
    "loans_outstanding",
    "loans_disbursed",
    "loans_repaid",
    "loans_written_off",
    "cash",
    "bank",
    "income",
    "expense",
    "arrears",
    "at_risk30",
    "instalments_due",
    "instalments_paid",
)
BOOK_COUNTS = ("entries", "books_current", "meetings", "members_expected", "members_present")
REGISTER = (
    "ksm_new",
    "ksm_reactivated",
    "ksm_dormant",
    "ksm_dissolved",
    "members_female",
    "members_male",
    "bumdes",
    "cooperatives",
    "trained_chairs",
    "trained_treasurers",
)
FIGURES = (*BOOK_MONEY, *BOOK_COUNTS, *REGISTER)
# What BookMonth holds under the same names (its `current` flag becomes books_current).
BOOK_KEPT = (*BOOK_MONEY, *(name for name in BOOK_COUNTS if name != "books_current"))
# Summed over every month up to the one read (the rest are the month's own).
BALANCES = (
    "savings_principal",
    "savings_mandatory",
    "savings_voluntary",
    "loans_outstanding",
    "cash",
    "bank",
    *REGISTER,
)


class RegionMonth(models.Model):
    code = models.CharField(_("region code"), max_length=13, blank=True)
    parent_code = models.CharField(
        max_length=13, help_text='The parent\'s code; "*" for the nation.'
    )
    month = models.DateField(_("month"))
    slot = models.PositiveSmallIntegerField(default=0)

    for _name in BOOK_MONEY:
        locals()[_name] = models.DecimalField(default=0, **MONEY)
    for _name in (*BOOK_COUNTS, *REGISTER):
        locals()[_name] = models.BigIntegerField(default=0)
    del _name

    class Meta:
        verbose_name = _("region month")
        verbose_name_plural = _("region months")
        constraints = [
            models.UniqueConstraint(fields=["code", "month", "slot"], name="region_month_unique"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="region_month_first_day"),
        ]
        indexes = [
            models.Index(fields=["parent_code", "month"], name="region_month_parent_idx"),
        ]

    def __str__(self):
        return f"{self.code or 'ID'} {self.month:%Y-%m}/{self.slot}"


class RegionGrade(models.Model):
    """How many KSM of a region stood at each grading level, as flows by month: +1 in the
    month a KSM reached a level, -1 in the month it left it for another."""

    code = models.CharField(_("region code"), max_length=13, blank=True)
    parent_code = models.CharField(
        max_length=13, help_text='The parent\'s code; "*" for the nation.'
    )
    month = models.DateField(_("month"))
    level = models.ForeignKey("training.Level", on_delete=models.CASCADE, related_name="+")
    count = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("region grading month")
        verbose_name_plural = _("region grading months")
        constraints = [
            models.UniqueConstraint(fields=["code", "month", "level"], name="region_grade_unique"),
        ]
        indexes = [models.Index(fields=["parent_code", "month"], name="region_grade_parent_idx")]

    def __str__(self):
        return f"{self.code or 'ID'} {self.month:%Y-%m} {self.level_id}: {self.count}"


class RegionPending(models.Model):
    """A book's change to its village's figures for a month, not yet added to the regions.
    Append-only: the drain adds a batch to RegionMonth and deletes it in one transaction."""

    code = models.CharField(_("village code"), max_length=13)
    month = models.DateField(_("month"))
    figures = models.JSONField(_("figures"), help_text="{figure: change}; money as a string.")

    class Meta:
        verbose_name = _("region change pending")
        verbose_name_plural = _("region changes pending")

    def __str__(self):
        return f"{self.code} {self.month:%Y-%m}"
