"""Members (one person for a family) and their memberships of KSM, with the officer roles."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import (
    Cast,
    ExtractDay,
    ExtractMonth,
    ExtractYear,
    LPad,
    Mod,
    Substr,
)
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ksm_portal.models_base import Audited
from ksm_portal.once import OnceKeyed
from ksm_portal.scope import user_scope
from villages.models import Village

from ..validators import (
    FAMILY_CARD_PATTERN,
    NIK_PATTERN,
    PHONE_PATTERN,
    nik_mismatch,
    validate_family_card_number,
    validate_nik,
    validate_phone,
)
from .ksm import SelfHelpGroup


class MemberQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Members of any group the user may see (their past members included)."""
        scope = user_scope(user)
        if scope.sees_all:
            return self.all()
        if not scope.has_any_role:
            return self.none()
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
        scope = user_scope(user)
        if scope.manages_register:
            return self.all()
        if not scope.facilitator_village_ids:
            return self.none()
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


class Membership(OnceKeyed, Audited):
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
