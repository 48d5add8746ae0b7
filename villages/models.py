"""Regions (Kemendagri codes), village enterprises (BUMDes) and facilitator assignments."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Substr
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ksm_portal.models_base import Audited
from ksm_portal.scope import user_scope

PROVINCE_CODE = r"^\d{2}$"
REGENCY_CODE = r"^\d{2}\.\d{2}$"
DISTRICT_CODE = r"^\d{2}\.\d{2}\.\d{2}$"
VILLAGE_CODE = r"^\d{2}\.\d{2}\.\d{2}\.[123]\d{3}$"


def _code_validator(pattern: str, message) -> RegexValidator:
    return RegexValidator(pattern, message, code="code_shape")


class Region(models.Model):
    """A level of the Kemendagri region tree; the code says where it sits."""

    code_pattern = ""
    parent_field = ""

    name = models.CharField(_("name"), max_length=100)
    # How many KSM lie in the region, kept by the services that register, move or import KSM
    # (and rebuilt by `load_regions`): the region tree shows it without counting a national
    # table.
    ksm_count = models.PositiveIntegerField(_("KSM"), default=0, db_default=0, editable=False)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    def path(self) -> list:
        """This region and the regions above it, top first (select_related the parents)."""
        path, node = [], self
        while node is not None:
            path.insert(0, node)
            node = getattr(node, node.parent_field) if node.parent_field else None
        return path

    def clean(self):
        super().clean()
        parent = getattr(self, self.parent_field, None) if self.parent_field else None
        if parent is not None and self.code and not self.code.startswith(parent.code + "."):
            raise ValidationError(
                {
                    "code": _("The code must start with the code of %(parent)s (%(code)s).")
                    % {"parent": parent.name, "code": parent.code}
                }
            )


def _code_shape(model_name: str, pattern: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(code__regex=pattern),
        name=f"{model_name}_code_shape",
        violation_error_message=_("The region code has the wrong shape."),
    )


class Province(Region):
    parent_field = ""
    code = models.CharField(
        _("code"),
        max_length=2,
        unique=True,
        validators=[
            _code_validator(PROVINCE_CODE, _("Wrong code shape: a province code looks like 33."))
        ],
    )

    history = HistoricalRecords(excluded_fields=["ksm_count"])

    class Meta(Region.Meta):
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        constraints = [_code_shape("province", PROVINCE_CODE)]


class Regency(Region):
    parent_field = "province"
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="regencies"
    )
    code = models.CharField(
        _("code"),
        max_length=5,
        unique=True,
        validators=[
            _code_validator(REGENCY_CODE, _("Wrong code shape: a regency code looks like 33.25."))
        ],
    )

    history = HistoricalRecords(excluded_fields=["ksm_count"])

    class Meta(Region.Meta):
        verbose_name = _("regency")
        verbose_name_plural = _("regencies")
        constraints = [_code_shape("regency", REGENCY_CODE)]


class District(Region):
    parent_field = "regency"
    regency = models.ForeignKey(
        Regency, verbose_name=_("regency"), on_delete=models.PROTECT, related_name="districts"
    )
    code = models.CharField(
        _("code"),
        max_length=8,
        unique=True,
        validators=[
            _code_validator(
                DISTRICT_CODE, _("Wrong code shape: a district code looks like 33.25.01.")
            )
        ],
    )

    history = HistoricalRecords(excluded_fields=["ksm_count"])

    class Meta(Region.Meta):
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        constraints = [_code_shape("district", DISTRICT_CODE)]


def assigned_village_ids(user) -> list[int]:
    """The villages a facilitator is assigned to today, as a short list of ids.

    Evaluated at once on purpose: a literal id list lets PostgreSQL use the village indexes
    (an OR of IN-subqueries over 100,000 KSM would be a sequential scan).
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return list(
        FacilitatorAssignment.objects.current(timezone.localdate())
        .filter(user=user)
        .values_list("village_id", flat=True)
        .distinct()
    )


def facilitator_scope(user) -> dict:
    """The scope provider for facilitators (registered in VillagesConfig.ready)."""
    return {"facilitator_village_ids": assigned_village_ids(user)}


class VillageQuerySet(models.QuerySet):
    def assigned_to(self, user):
        """Villages a facilitator is assigned to today."""
        return self.filter(pk__in=user_scope(user).facilitator_village_ids)

    def visible_to(self, user):
        """The one rule for villages: staff see all, facilitators their assignments,
        officers the village of their own KSM or BUMDes."""
        scope = user_scope(user)
        if scope.sees_all:
            return self.all()
        return self.filter(pk__in=scope.visible_village_ids)

    def editable_by(self, user):
        scope = user_scope(user)
        if scope.manages_register:
            return self.all()
        return self.filter(pk__in=scope.facilitator_village_ids)


class VillageKind(models.TextChoices):
    """Told by the first digit of the code's last part (Kemendagri): 1 kelurahan, 2 desa,
    3 desa adat."""

    KELURAHAN = "kelurahan", _("Kelurahan")
    DESA = "desa", _("Desa")
    DESA_ADAT = "desa_adat", _("Desa adat")


KIND_DIGIT = {"1": VillageKind.KELURAHAN, "2": VillageKind.DESA, "3": VillageKind.DESA_ADAT}


class Village(Region):
    Kind = VillageKind

    parent_field = "district"
    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="villages"
    )
    code = models.CharField(
        _("code"),
        max_length=13,
        unique=True,
        validators=[
            _code_validator(
                VILLAGE_CODE,
                _(
                    "Wrong code shape: a village code looks like 33.25.01.2001 (the last part "
                    "starts with 1 for a kelurahan, 2 for a desa)."
                ),
            )
        ],
    )
    # Kept by the database from the code, so a list can be filtered by it.
    kind = models.GeneratedField(
        expression=Case(
            *(
                When(Exact(Substr("code", 10, 1), Value(digit)), then=Value(kind.value))
                for digit, kind in KIND_DIGIT.items()
            ),
            default=Value(VillageKind.DESA.value),
        ),
        output_field=models.CharField(_("kind"), max_length=10, choices=VillageKind.choices),
        db_persist=True,
    )

    objects = VillageQuerySet.as_manager()

    history = HistoricalRecords(excluded_fields=["ksm_count"])

    class Meta(Region.Meta):
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        constraints = [_code_shape("village", VILLAGE_CODE)]
        indexes = [models.Index(fields=["district", "code"], name="village_district_idx")]


class BumdesQuerySet(models.QuerySet):
    def visible_to(self, user):
        scope = user_scope(user)
        if scope.sees_all:
            return self.all()
        return self.filter(
            Q(village_id__in=scope.visible_village_ids) | Q(pk__in=scope.bumdes_officer_ids)
        )

    def editable_by(self, user):
        return self.filter(village__in=Village.objects.editable_by(user))


class BumdesStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    DISSOLVED = "dissolved", _("Dissolved")


class BumdesRanking(models.TextChoices):
    """Classification per Permendesa PDTT 3/2021."""

    BASIC = "basic", _("Basic (Dasar)")
    GROWING = "growing", _("Growing (Tumbuh)")
    DEVELOPING = "developing", _("Developing (Berkembang)")
    ADVANCED = "advanced", _("Advanced (Maju)")


class Bumdes(Audited):
    """The village-owned enterprise (BUM Desa, PP 11/2021): at most one per village."""

    Status = BumdesStatus
    Ranking = BumdesRanking

    village = models.OneToOneField(
        Village, verbose_name=_("village"), on_delete=models.PROTECT, related_name="bumdes"
    )
    name = models.CharField(_("name"), max_length=150)
    registration_number = models.CharField(
        _("legal registration number"),
        max_length=60,
        blank=True,
        help_text=_("Legal entity registration number (badan hukum), if registered."),
    )
    established_date = models.DateField(_("established date"))
    business_units = models.TextField(
        _("business units"), blank=True, help_text=_("One business unit per line.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    ranking = models.CharField(_("ranking"), max_length=10, choices=Ranking.choices, blank=True)

    past_date_fields = ("established_date",)

    objects = BumdesQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("BUMDes")
        verbose_name_plural = _("BUMDes")
        ordering = ["village__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=BumdesStatus.values),
                name="bumdes_status_valid",
                violation_error_message=_("Unknown BUMDes status."),
            ),
            models.CheckConstraint(
                condition=Q(ranking__in=["", *BumdesRanking.values]),
                name="bumdes_ranking_valid",
                violation_error_message=_("Unknown BUMDes ranking."),
            ),
            models.UniqueConstraint(
                fields=["registration_number"],
                condition=~Q(registration_number=""),
                name="bumdes_registration_number_unique",
                violation_error_message=_("Another BUMDes already has this registration number."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("villages:bumdes_detail", args=[self.pk])

    @property
    def business_unit_list(self) -> list[str]:
        return [line.strip() for line in self.business_units.splitlines() if line.strip()]


class FacilitatorAssignmentQuerySet(models.QuerySet):
    def current(self, on_date=None):
        on_date = on_date or timezone.localdate()
        return self.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=on_date), start_date__lte=on_date
        )


class FacilitatorAssignment(Audited):
    """A facilitator (pendamping) is responsible for a village from start to end date."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitator"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    village = models.ForeignKey(
        Village, verbose_name=_("village"), on_delete=models.PROTECT, related_name="assignments"
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)

    objects = FacilitatorAssignmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("facilitator assignment")
        verbose_name_plural = _("facilitator assignments")
        ordering = ["village__code", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="assignment_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.UniqueConstraint(
                fields=["user", "village"],
                condition=Q(end_date__isnull=True),
                name="assignment_one_open_per_user_village",
                violation_error_message=_(
                    "This facilitator already has an open assignment to this village."
                ),
            ),
        ]
        indexes = [models.Index(fields=["user", "start_date"], name="assignment_user_idx")]

    def __str__(self):
        return f"{self.user} → {self.village}"
