"""Cooperatives (koperasi) whose members are KSM."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, Min, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ksm_portal.models_base import Audited
from ksm_portal.once import OnceKeyed
from ksm_portal.scope import user_scope
from villages.models import Regency

from .ksm import SelfHelpGroup


class CooperativeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see all; its own officers their cooperative; others the cooperatives that a
        KSM they may see belongs to."""
        scope = user_scope(user)
        if scope.sees_all:
            return self.all()
        if not scope.has_any_role:
            return self.none()
        return self.filter(
            Q(pk__in=scope.cooperative_officer_ids)
            | Exists(
                CooperativeMembership.objects.filter(
                    cooperative=OuterRef("pk"),
                    left_date__isnull=True,
                    group__in=SelfHelpGroup.objects.visible_to(user),
                )
            )
        )

    def editable_by(self, user):
        if user_scope(user).manages_register:
            return self.all()
        return self.none()


class Cooperative(OnceKeyed, Audited):
    """A cooperative (koperasi, UU 25/1992) whose members are KSM."""

    class Status(models.TextChoices):
        FORMING = "forming", _("Being formed")
        ACTIVE = "active", _("Active")
        DORMANT = "dormant", _("Dormant")
        DISSOLVED = "dissolved", _("Dissolved")

    name = models.CharField(_("name"), max_length=150)
    legal_entity_number = models.CharField(
        _("legal entity number"),
        max_length=60,
        blank=True,
        help_text=_("Badan hukum number from the Ministry, once registered."),
    )
    established_date = models.DateField(_("established date"))
    regency = models.ForeignKey(
        Regency, verbose_name=_("regency"), on_delete=models.PROTECT, related_name="cooperatives"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    groups = models.ManyToManyField(
        SelfHelpGroup,
        through="CooperativeMembership",
        related_name="cooperatives",
        verbose_name=_("member KSM"),
    )

    past_date_fields = ("established_date",)

    objects = CooperativeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cooperative")
        verbose_name_plural = _("cooperatives")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["forming", "active", "dormant", "dissolved"]),
                name="cooperative_status_valid",
                violation_error_message=_("Unknown cooperative status."),
            ),
            models.UniqueConstraint(
                fields=["legal_entity_number"],
                condition=~Q(legal_entity_number=""),
                name="cooperative_legal_entity_number_unique",
                violation_error_message=_(
                    "Another cooperative already has this legal entity number."
                ),
            ),
        ]
        indexes = [models.Index(fields=["regency", "status"], name="cooperative_regency_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("groups:cooperative_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.pk and self.established_date:
            first_join = self.memberships.aggregate(first=Min("joined_date"))["first"]
            if first_join and first_join < self.established_date:
                raise ValidationError(
                    {
                        "established_date": _(
                            "A KSM joined on %(date)s, before this establishment date."
                        )
                        % {"date": first_join.strftime("%d-%m-%Y")}
                    }
                )


class CooperativeMembership(Audited):
    cooperative = models.ForeignKey(
        Cooperative,
        verbose_name=_("cooperative"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    group = models.ForeignKey(
        SelfHelpGroup,
        verbose_name=_("KSM"),
        on_delete=models.PROTECT,
        related_name="cooperative_memberships",
    )
    joined_date = models.DateField(_("joined date"))
    left_date = models.DateField(_("left date"), null=True, blank=True)

    past_date_fields = ("joined_date", "left_date")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cooperative membership")
        verbose_name_plural = _("cooperative memberships")
        ordering = ["cooperative", "group__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_date__isnull=True) | Q(left_date__gte=F("joined_date")),
                name="coop_membership_left_after_joined",
                violation_error_message=_("The leaving date cannot be before the joining date."),
            ),
            models.UniqueConstraint(
                fields=["cooperative", "group"],
                condition=Q(left_date__isnull=True),
                name="coop_membership_one_active",
                violation_error_message=_("This KSM is already a member of this cooperative."),
            ),
        ]
        indexes = [models.Index(fields=["group", "cooperative"], name="coop_membership_group_idx")]

    def __str__(self):
        return f"{self.group} ∈ {self.cooperative}"

    def clean(self):
        super().clean()
        if (
            self.cooperative_id
            and self.joined_date
            and self.joined_date < self.cooperative.established_date
        ):
            raise ValidationError(
                {"joined_date": _("A KSM cannot join before the cooperative was established.")}
            )
