"""A year's surplus shared out (a cooperative's SHU, a KSM's SHU among its members, a BUMDes's
profit with the village's share, PADes), and a BUMDes's business units."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from groups.models import Member, SelfHelpGroup

from .books import MONEY, ZERO, Account, Book, JournalEntry

PERCENT = {"max_digits": 5, "decimal_places": 2}

# The parts of a surplus, the percentage field that sets each and the account role it goes to.
SURPLUS_PARTS = (
    ("reserve_pct", "reserve"),
    ("members_pct", "surplus_payable"),
    ("savings_pct", "surplus_payable"),
    ("participation_pct", "surplus_payable"),
    ("board_pct", "fund_board"),
    ("staff_pct", "fund_staff"),
    ("education_pct", "fund_education"),
    ("social_pct", "fund_social"),
    ("village_pct", "pades_payable"),
    ("other_pct", "fund_other"),
)


# The rules a cooperative shares its members' part by (docs/rat-rules.md), kept per year: the
# defaults are common practice, and an AD/ART that decides otherwise chooses another.
class JuaBasis(models.TextChoices):
    SERVICES = "services", _("Loan interest and fees and business with the cooperative")
    WITH_FINES = "with_fines", _("As above, late fines (denda) included")


class NonMemberTo(models.TextChoices):
    RESERVE = "reserve", _("To the reserve, not shared among the members")
    SHARED = "shared", _("Shared by the percentages with the rest of the surplus")


class JmaBasis(models.TextChoices):
    CAPITAL = "capital", _("Simpanan pokok and wajib")
    ALL_SAVINGS = "all_savings", _("Simpanan pokok, wajib and sukarela")


class JmaBalance(models.TextChoices):
    AVERAGE = "average", _("Average of the twelve month-end balances of the year")
    YEAR_END = "year_end", _("Balance on 31 December")


class Leavers(models.TextChoices):
    RECEIVE = "receive", _("Receive their share for the year (held on SHU payable)")
    FORFEIT = "forfeit", _("Receive no share")


def _pct(label):
    return models.DecimalField(label, default=ZERO, **PERCENT)


class SurplusDistribution(models.Model):
    """How one closed year's surplus is shared, as the members' meeting (RAT) or the village
    meeting decided: percentages summing to 100, stored per year. A cooperative's members' part
    is split by its member KSM's transactions (JUA) and savings (JMA) in the chosen ratio; a
    KSM's meeting sets the part by its members' savings (jasa modal) and the part by their
    participation (jasa usaha) apart, and whether the shares go to each member's voluntary
    savings or to SHU payable, paid out later."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        POSTED = "posted", _("Posted")

    class SharesTo(models.TextChoices):
        PAYABLE = "payable", _("SHU payable, paid out to each member later")
        VOLUNTARY = "voluntary", _("Each member's voluntary savings (sukarela)")

    JuaBasis = JuaBasis
    NonMemberTo = NonMemberTo
    JmaBasis = JmaBasis
    JmaBalance = JmaBalance
    Leavers = Leavers

    book = models.ForeignKey(
        Book, verbose_name=_("book"), on_delete=models.PROTECT, related_name="distributions"
    )
    year = models.PositiveSmallIntegerField(_("financial year"))
    decided_date = models.DateField(_("decided at the meeting on"))
    reserve_pct = _pct(_("reserve (%)"))
    members_pct = _pct(_("members' services (%)"))
    savings_pct = _pct(_("members by savings, jasa modal (%)"))
    participation_pct = _pct(_("members by participation, jasa usaha (%)"))
    board_pct = _pct(_("board (%)"))
    staff_pct = _pct(_("staff (%)"))
    education_pct = _pct(_("education (%)"))
    social_pct = _pct(_("social (%)"))
    village_pct = _pct(_("village's share, PADes (%)"))
    other_pct = _pct(_("others (%)"))
    transactions_pct = models.DecimalField(
        _("members' part by transactions, JUA (%)"),
        default=Decimal(60),
        **PERCENT,
        help_text=_("The rest of the members' part goes by savings (JMA)."),
    )
    jua_basis = models.CharField(
        _("transactions (JUA) counted"),
        max_length=12,
        choices=JuaBasis.choices,
        default=JuaBasis.SERVICES,
    )
    non_member_to = models.CharField(
        _("surplus from business with non-members"),
        max_length=8,
        choices=NonMemberTo.choices,
        default=NonMemberTo.RESERVE,
    )
    jma_basis = models.CharField(
        _("savings (JMA) counted"),
        max_length=12,
        choices=JmaBasis.choices,
        default=JmaBasis.CAPITAL,
    )
    jma_balance = models.CharField(
        _("savings (JMA) measured by"),
        max_length=8,
        choices=JmaBalance.choices,
        default=JmaBalance.AVERAGE,
    )
    leavers = models.CharField(
        _("member KSM that left during or after the year"),
        max_length=8,
        choices=Leavers.choices,
        default=Leavers.RECEIVE,
    )
    non_member_surplus = models.DecimalField(
        _("surplus from business with non-members"), default=ZERO, **MONEY
    )
    shares_to = models.CharField(
        _("members' shares go to"),
        max_length=10,
        choices=SharesTo.choices,
        default=SharesTo.PAYABLE,
    )
    surplus = models.DecimalField(_("surplus shared"), default=ZERO, **MONEY)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    entry = models.OneToOneField(
        JournalEntry,
        verbose_name=_("entry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="distribution",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("surplus distribution")
        verbose_name_plural = _("surplus distributions")
        ordering = ["book", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["book", "year"],
                name="distribution_one_per_year",
                violation_error_message=_("This year's surplus already has a distribution."),
            ),
            models.CheckConstraint(
                condition=Q(
                    **{
                        f"{field}__gte": 0
                        for field, _role in (*SURPLUS_PARTS, ("transactions_pct", ""))
                    }
                )
                & Q(
                    **{
                        f"{field}__lte": 100
                        for field, _role in (*SURPLUS_PARTS, ("transactions_pct", ""))
                    }
                ),
                name="distribution_percentages_range",
                violation_error_message=_("Each percentage is between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=Q(
                    reserve_pct=100
                    - F("members_pct")
                    - F("savings_pct")
                    - F("participation_pct")
                    - F("board_pct")
                    - F("staff_pct")
                    - F("education_pct")
                    - F("social_pct")
                    - F("village_pct")
                    - F("other_pct")
                ),
                name="distribution_percentages_sum_100",
                violation_error_message=_("The percentages must add up to 100%%."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "posted"]),
                name="distribution_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(shares_to__in=["payable", "voluntary"]),
                name="distribution_shares_to_valid",
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__in": choices.values}),
                    name=f"distribution_{name}_valid",
                )
                for name, choices in (
                    ("jua_basis", JuaBasis),
                    ("non_member_to", NonMemberTo),
                    ("jma_basis", JmaBasis),
                    ("jma_balance", JmaBalance),
                    ("leavers", Leavers),
                )
            ),
            models.CheckConstraint(
                condition=Q(non_member_surplus__gte=0),
                name="distribution_non_member_surplus_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(status="draft", entry__isnull=True)
                | Q(status="posted", entry__isnull=False),
                name="distribution_posted_has_entry",
            ),
        ]

    def __str__(self):
        return f"{self.book} {self.year}"

    def get_absolute_url(self):
        return reverse("finance:distribution", args=[self.book_id, self.pk])

    def parts(self) -> list[tuple[str, str, object]]:
        """(field, account role, percentage) of the parts with a share."""
        return [
            (field, role, getattr(self, field))
            for field, role in SURPLUS_PARTS
            if getattr(self, field)
        ]


class SurplusShare(models.Model):
    """A member's part of the members' services, with the figures it was worked from: in a
    cooperative's books a member KSM's (transactions, savings: JUA, JMA), in a KSM's books a
    member's (interest and fees paid, pokok and wajib: jasa usaha, jasa modal)."""

    distribution = models.ForeignKey(
        SurplusDistribution,
        verbose_name=_("distribution"),
        on_delete=models.PROTECT,
        related_name="shares",
    )
    group = models.ForeignKey(
        SelfHelpGroup,
        verbose_name=_("member KSM"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="surplus_shares",
    )
    transactions = models.DecimalField(_("transactions in the year"), default=ZERO, **MONEY)
    savings = models.DecimalField(_("savings at year end"), default=ZERO, **MONEY)
    by_transactions = models.DecimalField(_("share by transactions (JUA)"), default=ZERO, **MONEY)
    by_savings = models.DecimalField(_("share by savings (JMA)"), default=ZERO, **MONEY)

    class Meta:
        verbose_name = _("surplus share")
        verbose_name_plural = _("surplus shares")
        ordering = ["distribution", "group__name", "member__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["distribution", "group"], name="surplus_share_once_per_group"
            ),
            models.UniqueConstraint(
                fields=["distribution", "member"],
                condition=Q(member__isnull=False),
                name="surplus_share_once_per_member",
            ),
            models.CheckConstraint(
                condition=Q(group__isnull=True, member__isnull=False)
                | Q(group__isnull=False, member__isnull=True),
                name="surplus_share_member_or_group",
            ),
            models.CheckConstraint(
                condition=Q(transactions__gte=0)
                & Q(savings__gte=0)
                & Q(by_transactions__gte=0)
                & Q(by_savings__gte=0),
                name="surplus_share_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.distribution} {self.party}"

    @property
    def party(self):
        return self.member if self.member_id else self.group

    @property
    def name(self) -> str:
        return self.member.full_name if self.member_id else self.group.name

    @property
    def total(self):
        return self.by_transactions + self.by_savings


class BusinessUnit(models.Model):
    """A BUMDes business unit (unit usaha): its own income and expense accounts in the
    BUMDes's books, so its results are reported apart and add up to the whole."""

    book = models.ForeignKey(
        Book, verbose_name=_("book"), on_delete=models.PROTECT, related_name="business_units"
    )
    name = models.CharField(_("name"), max_length=80)
    income_account = models.OneToOneField(
        Account, verbose_name=_("income account"), on_delete=models.PROTECT, related_name="+"
    )
    expense_account = models.OneToOneField(
        Account, verbose_name=_("expense account"), on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("business unit")
        verbose_name_plural = _("business units")
        ordering = ["book", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["book", "name"],
                name="business_unit_name_unique",
                violation_error_message=_("This BUMDes already has a unit with this name."),
            ),
        ]

    def __str__(self):
        return self.name
