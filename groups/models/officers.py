"""Officers (pengurus) of a BUMDes or a cooperative. A KSM's officers are its memberships with
a role; a BUMDes's director or a cooperative's chair need not be anyone's member, so they are
kept here, with the login they may be given."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ksm_portal.models_base import Audited
from villages.models import Bumdes

from ..validators import PHONE_PATTERN, validate_phone
from .cooperatives import Cooperative


class OfficerRole(models.TextChoices):
    DIRECTOR = "director", _("Director")
    CHAIR = "chair", _("Chair")
    SECRETARY = "secretary", _("Secretary")
    TREASURER = "treasurer", _("Treasurer")


BUMDES_ROLES = (OfficerRole.DIRECTOR, OfficerRole.SECRETARY, OfficerRole.TREASURER)
COOPERATIVE_ROLES = (OfficerRole.CHAIR, OfficerRole.SECRETARY, OfficerRole.TREASURER)
# Who posts to the entity's books, and who leads it (and reads them).
POSTING_ROLES = (OfficerRole.TREASURER,)


class OfficerQuerySet(models.QuerySet):
    def current(self):
        return self.filter(end_date__isnull=True)

    def of(self, entity):
        field = "bumdes" if isinstance(entity, Bumdes) else "cooperative"
        return self.filter(**{field: entity})


def _one_active(role: str, entity: str, message) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=[entity],
        condition=Q(end_date__isnull=True, role=role),
        name=f"officer_one_active_{role}_per_{entity}",
        violation_error_message=message,
    )


class Officer(Audited):
    """One person in one office of a BUMDes or a cooperative, from a start date until the
    office ends. Their login (if any) reaches that entity only while the office is held."""

    Role = OfficerRole

    bumdes = models.ForeignKey(
        Bumdes,
        verbose_name=_("BUMDes"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
    )
    cooperative = models.ForeignKey(
        Cooperative,
        verbose_name=_("cooperative"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
    )
    full_name = models.CharField(_("full name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=15, blank=True, validators=[validate_phone])
    role = models.CharField(_("office"), max_length=10, choices=OfficerRole.choices)
    start_date = models.DateField(_("in office since"))
    end_date = models.DateField(_("left office on"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offices",
    )

    past_date_fields = ("start_date", "end_date")

    objects = OfficerQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        ordering = ["end_date", "role", "full_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(bumdes__isnull=False, cooperative__isnull=True)
                | Q(bumdes__isnull=True, cooperative__isnull=False),
                name="officer_exactly_one_entity",
                violation_error_message=_("An officer serves one BUMDes or one cooperative."),
            ),
            models.CheckConstraint(
                condition=(Q(bumdes__isnull=False) & Q(role__in=BUMDES_ROLES))
                | (Q(cooperative__isnull=False) & Q(role__in=COOPERATIVE_ROLES)),
                name="officer_role_fits_entity",
                violation_error_message=_(
                    "A BUMDes has a director, a secretary and a treasurer; a cooperative a "
                    "chair, a secretary and a treasurer."
                ),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="officer_end_after_start",
                violation_error_message=_("The end of office cannot be before its start."),
            ),
            models.CheckConstraint(
                condition=Q(phone="") | Q(phone__regex=PHONE_PATTERN),
                name="officer_phone_valid",
                violation_error_message=_("The phone number is not valid."),
            ),
            models.CheckConstraint(
                condition=~Q(full_name=""),
                name="officer_name_not_blank",
                violation_error_message=_("An officer needs a name."),
            ),
            _one_active("director", "bumdes", _("This BUMDes already has a director in office.")),
            _one_active("treasurer", "bumdes", _("This BUMDes already has a treasurer in office.")),
            _one_active(
                "chair", "cooperative", _("This cooperative already has a chair in office.")
            ),
            _one_active(
                "treasurer",
                "cooperative",
                _("This cooperative already has a treasurer in office."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["user"], condition=Q(end_date__isnull=True), name="officer_user_idx"
            ),
        ]

    def __str__(self):
        return f"{self.full_name} — {self.get_role_display()}, {self.entity}"

    @property
    def entity(self):
        return self.bumdes or self.cooperative

    @property
    def is_current(self) -> bool:
        return self.end_date is None

    def clean(self):
        super().clean()
        entity = self.bumdes if self.bumdes_id else None
        if entity is None and self.cooperative_id:
            entity = self.cooperative
        started = getattr(entity, "established_date", None)
        if started and self.start_date and self.start_date < started:
            raise ValidationError(
                {"start_date": _("An office cannot start before the entity was established.")}
            )
