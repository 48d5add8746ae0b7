"""Self-help groups (KSM)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Min, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ksm_portal.models_base import Audited
from ksm_portal.once import OnceKeyed
from ksm_portal.scope import user_scope
from villages.models import Village


class SelfHelpGroupQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one rule for who sees a KSM: staff all, facilitators the KSM of the villages
        assigned to them today, officers (chair, secretary, treasurer) their own group."""
        scope = user_scope(user)
        if scope.sees_all:
            return self.all()
        if not scope.facilitator_village_ids and not scope.ksm_officer_ids:
            return self.none()
        return self.filter(
            Q(village_id__in=scope.facilitator_village_ids) | Q(pk__in=scope.ksm_officer_ids)
        )

    def visible_rows(self, rows, user, through: str = "group"):
        """`rows` (memberships, invitations, ...: anything pointing at a KSM by `through`)
        narrowed to the KSM the user sees. Staff who see every KSM get `rows` as they are: no
        semi-join against every KSM in the country."""
        if user_scope(user).sees_all:
            return rows.all()
        return rows.filter(**{f"{through}__in": self.visible_to(user)})

    def editable_by(self, user):
        """Program staff and the facilitators of the village may change a KSM; officers only
        read."""
        scope = user_scope(user)
        if scope.manages_register:
            return self.all()
        if not scope.facilitator_village_ids:
            return self.none()
        return self.filter(village_id__in=scope.facilitator_village_ids)

    def new(self):
        return self.filter(origin=SelfHelpGroup.Origin.NEW)

    def reactivated(self):
        return self.filter(origin=SelfHelpGroup.Origin.REACTIVATED)

    def in_village(self, village):
        return self.filter(village=village)


class BusinessSector(models.TextChoices):
    SAVINGS_LOANS = "savings_loans", _("Savings and loans")
    AGRICULTURE = "agriculture", _("Agriculture")
    LIVESTOCK = "livestock", _("Livestock")
    FISHERY = "fishery", _("Fishery")
    FOOD_PROCESSING = "food_processing", _("Food processing")
    CRAFTS = "crafts", _("Crafts")
    TRADE = "trade", _("Trade")
    SERVICES = "services", _("Services")
    OTHER = "other", _("Other")


class SelfHelpGroup(OnceKeyed, Audited):
    """A KSM: 10-30 families of one village who save, lend and do business together."""

    class Origin(models.TextChoices):
        NEW = "new", _("Newly formed")
        REACTIVATED = "reactivated", _("Reactivated")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DORMANT = "dormant", _("Dormant")
        DISSOLVED = "dissolved", _("Dissolved")

    Sector = BusinessSector

    village = models.ForeignKey(
        Village, verbose_name=_("village"), on_delete=models.PROTECT, related_name="groups"
    )
    name = models.CharField(_("name"), max_length=150)
    registration_number = models.CharField(
        _("registration number"),
        max_length=40,
        help_text=_("Unique within the village, e.g. 001/KSM/2016."),
    )
    origin = models.CharField(_("origin"), max_length=12, choices=Origin.choices)
    formed_date = models.DateField(_("formed date"))
    reactivated_date = models.DateField(
        _("reactivated date"),
        null=True,
        blank=True,
        help_text=_("Required for a reactivated KSM, empty for a new one."),
    )
    business_sector = models.CharField(
        _("business sector"), max_length=20, choices=Sector.choices, default=Sector.SAVINGS_LOANS
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    meeting_day = models.PositiveSmallIntegerField(
        _("monthly meeting day"),
        null=True,
        blank=True,
        help_text=_("Day of the month the group meets (1-31)."),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)

    past_date_fields = ("formed_date", "reactivated_date")

    objects = SelfHelpGroupQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("KSM")
        verbose_name_plural = _("KSM")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "registration_number"],
                name="ksm_registration_number_unique_in_village",
                violation_error_message=_(
                    "Another KSM in this village already has this registration number."
                ),
            ),
            models.CheckConstraint(
                condition=Q(origin__in=["new", "reactivated"]),
                name="ksm_origin_valid",
                violation_error_message=_("The origin must be new or reactivated."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "dormant", "dissolved"]),
                name="ksm_status_valid",
                violation_error_message=_("Unknown KSM status."),
            ),
            models.CheckConstraint(
                condition=Q(business_sector__in=BusinessSector.values),
                name="ksm_sector_valid",
                violation_error_message=_("Unknown business sector."),
            ),
            models.CheckConstraint(
                condition=(Q(origin="reactivated") & Q(reactivated_date__isnull=False))
                | (Q(origin="new") & Q(reactivated_date__isnull=True)),
                name="ksm_reactivated_date_iff_reactivated",
                violation_error_message=_(
                    "A reactivated KSM needs its reactivation date; a new KSM has none."
                ),
            ),
            models.CheckConstraint(
                condition=Q(reactivated_date__isnull=True)
                | Q(reactivated_date__gte=F("formed_date")),
                name="ksm_reactivated_after_formed",
                violation_error_message=_("A KSM cannot be reactivated before it was formed."),
            ),
            models.CheckConstraint(
                condition=Q(meeting_day__isnull=True) | Q(meeting_day__gte=1, meeting_day__lte=31),
                name="ksm_meeting_day_in_month",
                violation_error_message=_("The meeting day is a day of the month, 1 to 31."),
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="ksm_name_not_blank",
                violation_error_message=_("A KSM needs a name."),
            ),
        ]
        indexes = [
            models.Index(fields=["village", "origin"], name="ksm_village_origin_idx"),
            models.Index(fields=["status"], name="ksm_status_idx"),
            models.Index(fields=["name", "id"], name="ksm_name_idx"),
            models.Index(fields=["-updated_at"], name="ksm_recent_idx"),
            # Trigram indexes for search live in a PostgreSQL-only migration (0002).
        ]

    def __str__(self):
        return self.name

    def is_editable_by(self, user) -> bool:
        """`SelfHelpGroup.objects.editable_by(user)` holds this KSM (the same rule, no query)."""
        scope = user_scope(user)
        return scope.manages_register or self.village_id in scope.facilitator_village_ids

    def get_absolute_url(self):
        return reverse("groups:detail", args=[self.pk])

    def clean(self):
        super().clean()
        errors = {}
        if self.origin == self.Origin.REACTIVATED and not self.reactivated_date:
            errors["reactivated_date"] = _("A reactivated KSM needs the date it was reactivated.")
        if self.origin == self.Origin.NEW and self.reactivated_date:
            errors["reactivated_date"] = _("A newly formed KSM has no reactivation date.")
        if self.pk and self.formed_date:
            first_join = self.memberships.aggregate(first=Min("joined_date"))["first"]
            if first_join and first_join < self.formed_date:
                errors["formed_date"] = _(
                    "Members joined on %(date)s, before this formation date."
                ) % {"date": first_join.strftime("%d-%m-%Y")}
        if errors:
            raise ValidationError(errors)
