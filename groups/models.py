"""Self-help groups (KSM), their members and memberships, and cooperatives built on KSM."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Exists, F, Min, OuterRef, Q, Value, When
from django.db.models.functions import (
    Cast,
    ExtractDay,
    ExtractMonth,
    ExtractYear,
    LPad,
    Mod,
    Substr,
)
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ksm_portal.models_base import Audited
from villages.models import Regency, Village, assigned_village_ids

from .validators import (
    FAMILY_CARD_PATTERN,
    NIK_PATTERN,
    PHONE_PATTERN,
    nik_mismatch,
    validate_family_card_number,
    validate_nik,
    validate_phone,
)


def _user_ok(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


class SelfHelpGroupQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one rule for who sees a KSM: staff all, facilitators the KSM of the villages
        assigned to them today, officers (chair, secretary, treasurer) their own group."""
        if not _user_ok(user):
            return self.none()
        if user.is_staff:
            return self.all()
        village_ids = assigned_village_ids(user)
        group_ids = list(
            Membership.objects.active()
            .officers()
            .filter(member__user=user)
            .values_list("group_id", flat=True)
        )
        if not village_ids and not group_ids:
            return self.none()
        return self.filter(Q(village_id__in=village_ids) | Q(pk__in=group_ids))

    def editable_by(self, user):
        """Staff and the facilitators of the village may change a KSM; officers only read."""
        if not _user_ok(user):
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(village_id__in=assigned_village_ids(user))

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


class SelfHelpGroup(Audited):
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


class MemberQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Members of any group the user may see (their past members included)."""
        if not _user_ok(user):
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(
            Exists(
                Membership.objects.filter(
                    member=OuterRef("pk"), group__in=SelfHelpGroup.objects.visible_to(user)
                )
            )
        )

    def editable_by(self, user):
        """Only while the person is an active member of a group the user may edit: once they
        have moved to another village, its facilitator looks after their details."""
        if not _user_ok(user):
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(
            Exists(
                Membership.objects.active().filter(
                    member=OuterRef("pk"), group__in=SelfHelpGroup.objects.editable_by(user)
                )
            )
        )


def _nik_two_digits(start: int):
    return Substr("nik", start, 2)


def _two_digit_text(expression):
    return LPad(Cast(expression, models.CharField(max_length=4)), 2, Value("0"))


# The NIK's digits 7-12 are the birth date DDMMYY, with 40 added to the day for women.
NIK_MATCHES_BIRTH = (
    Q(nik__regex=NIK_PATTERN)
    & Q(
        models.lookups.Exact(
            _nik_two_digits(7),
            _two_digit_text(
                ExtractDay("birth_date") + Case(When(sex="F", then=Value(40)), default=Value(0))
            ),
        )
    )
    & Q(models.lookups.Exact(_nik_two_digits(9), _two_digit_text(ExtractMonth("birth_date"))))
    & Q(
        models.lookups.Exact(
            _nik_two_digits(11),
            # Cast: SQLite's MOD returns a float ("4.0"), which would never match "04".
            _two_digit_text(
                Cast(Mod(ExtractYear("birth_date"), Value(100)), models.IntegerField())
            ),
        )
    )
)


class Member(Audited):
    """One person representing a family (household) in KSM."""

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    nik = models.CharField(
        _("NIK"),
        max_length=16,
        unique=True,
        validators=[validate_nik],
        help_text=_("16-digit national identity number (KTP)."),
        error_messages={"unique": _("A member with this NIK is already registered.")},
    )
    family_card_number = models.CharField(
        _("family card number"),
        max_length=16,
        validators=[validate_family_card_number],
        help_text=_("16-digit Kartu Keluarga (KK) number."),
    )
    full_name = models.CharField(_("full name"), max_length=150)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    village = models.ForeignKey(
        Village,
        verbose_name=_("home village"),
        on_delete=models.PROTECT,
        related_name="residents",
        help_text=_("Where the family lives; may differ from the group's village."),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=15, blank=True, validators=[validate_phone])
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
    )

    past_date_fields = ("birth_date",)

    objects = MemberQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["full_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sex__in=["M", "F"]),
                name="member_sex_valid",
                violation_error_message=_("Sex must be male or female."),
            ),
            models.CheckConstraint(
                condition=NIK_MATCHES_BIRTH & ~Q(nik__endswith="0000"),
                name="member_nik_valid",
                violation_error_message=_(
                    "The NIK is not valid or does not match the sex and birth date."
                ),
            ),
            models.CheckConstraint(
                condition=Q(family_card_number__regex=FAMILY_CARD_PATTERN),
                name="member_family_card_valid",
                violation_error_message=_("The family card number is not valid."),
            ),
            models.CheckConstraint(
                condition=Q(phone="") | Q(phone__regex=PHONE_PATTERN),
                name="member_phone_valid",
                violation_error_message=_("The phone number is not valid."),
            ),
            models.CheckConstraint(
                condition=~Q(full_name=""),
                name="member_name_not_blank",
                violation_error_message=_("A member needs a name."),
            ),
        ]
        indexes = [
            models.Index(fields=["family_card_number"], name="member_family_card_idx"),
            models.Index(fields=["full_name", "id"], name="member_name_idx"),
        ]

    def __str__(self):
        return self.full_name

    def clean(self):
        super().clean()
        if self.nik and self.sex and self.birth_date:
            try:
                validate_nik(self.nik)
            except ValidationError:
                return  # the field error already says what is wrong
            problem = nik_mismatch(self.nik, self.sex, self.birth_date)
            if problem:
                raise ValidationError({"nik": problem})


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(left_date__isnull=True)

    def officers(self):
        return self.filter(role__in=Membership.OFFICER_ROLES)


class Membership(Audited):
    """A member's place in a group, from joining to leaving, with their role."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        SECRETARY = "secretary", _("Secretary")
        TREASURER = "treasurer", _("Treasurer")
        MEMBER = "member", _("Member")

    OFFICER_ROLES = (Role.CHAIR, Role.SECRETARY, Role.TREASURER)

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="memberships"
    )
    group = models.ForeignKey(
        SelfHelpGroup, verbose_name=_("KSM"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_date = models.DateField(_("joined date"))
    left_date = models.DateField(_("left date"), null=True, blank=True)

    past_date_fields = ("joined_date", "left_date")

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["group", "left_date", "role", "member__full_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["chair", "secretary", "treasurer", "member"]),
                name="membership_role_valid",
                violation_error_message=_("Unknown role."),
            ),
            models.CheckConstraint(
                condition=Q(left_date__isnull=True) | Q(left_date__gte=F("joined_date")),
                name="membership_left_after_joined",
                violation_error_message=_("The leaving date cannot be before the joining date."),
            ),
            models.UniqueConstraint(
                fields=["member", "group"],
                condition=Q(left_date__isnull=True),
                name="membership_one_active_per_member_group",
                violation_error_message=_("This person is already an active member of this KSM."),
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(left_date__isnull=True, role="chair"),
                name="membership_one_active_chair",
                violation_error_message=_("This KSM already has an active chair."),
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(left_date__isnull=True, role="treasurer"),
                name="membership_one_active_treasurer",
                violation_error_message=_("This KSM already has an active treasurer."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["group", "member"],
                condition=Q(left_date__isnull=True),
                name="membership_active_group_idx",
            ),
            models.Index(fields=["member", "group"], name="membership_member_idx"),
        ]

    def __str__(self):
        return f"{self.member} — {self.group} ({self.get_role_display()})"

    def clean(self):
        super().clean()
        group = self.group if self.group_id else None
        if group is None:
            return
        if self.joined_date and self.joined_date < group.formed_date:
            raise ValidationError(
                {"joined_date": _("A member cannot join before the KSM was formed.")}
            )
        if self._state.adding and group.status == SelfHelpGroup.Status.DISSOLVED:
            raise ValidationError(_("This KSM has been dissolved; it takes no new members."))

    @property
    def is_active(self) -> bool:
        return self.left_date is None


class CooperativeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see all; others the cooperatives that a KSM they may see belongs to."""
        if not _user_ok(user):
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(
            Exists(
                CooperativeMembership.objects.filter(
                    cooperative=OuterRef("pk"),
                    left_date__isnull=True,
                    group__in=SelfHelpGroup.objects.visible_to(user),
                )
            )
        )

    def editable_by(self, user):
        if _user_ok(user) and user.is_staff:
            return self.all()
        return self.none()


class Cooperative(Audited):
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
