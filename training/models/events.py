"""Training events, the KSM they invite, the materials handed out and who attended."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from groups.models import Member, Membership, SelfHelpGroup
from ksm_portal.models_base import Audited
from ksm_portal.once import OnceKeyed
from ksm_portal.scope import user_scope
from villages.models import Village

from .topics import Topic

SCORE_MAX = 100  # pre- and post-test scores are 0-100


class TrainingEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see every training; facilitators those held in their villages or inviting a
        KSM they see; officers the trainings their own group is invited to."""
        scope = user_scope(user)
        if scope.sees_all:
            return self.all()
        if not scope.has_any_role:
            return self.none()
        village_ids = scope.facilitator_village_ids
        invited = Invitation.objects.filter(
            event=OuterRef("pk"), group__in=SelfHelpGroup.objects.visible_to(user)
        )
        return self.filter(Q(village_id__in=village_ids) | Exists(invited))

    def editable_by(self, user):
        """Program staff, and the facilitators of the village where it is held."""
        scope = user_scope(user)
        if scope.manages_register:
            return self.all()
        return self.filter(village_id__in=scope.facilitator_village_ids)


class TrainingEvent(OnceKeyed, Audited):
    """One training: what was taught (topics), when, where, by whom, to which KSM."""

    title = models.CharField(_("title"), max_length=150)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), related_name="events")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    village = models.ForeignKey(
        Village,
        verbose_name=_("village (place)"),
        on_delete=models.PROTECT,
        related_name="training_events",
    )
    venue = models.CharField(_("venue"), max_length=150, blank=True)
    trainer = models.CharField(_("trainer"), max_length=150)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organising facilitator"),
        on_delete=models.PROTECT,
        related_name="organised_trainings",
    )
    invited_groups = models.ManyToManyField(
        SelfHelpGroup,
        through="Invitation",
        verbose_name=_("invited KSM"),
        related_name="training_events",
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = TrainingEventQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="training_end_after_start",
                violation_error_message=_("A training cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(title=""),
                name="training_title_not_blank",
                violation_error_message=_("A training needs a title."),
            ),
        ]
        indexes = [
            models.Index(fields=["village", "start_date"], name="training_village_date_idx"),
            models.Index(fields=["start_date", "id"], name="training_date_idx"),
        ]

    def __str__(self):
        return f"{self.title} ({self.start_date:%d-%m-%Y})"

    def get_absolute_url(self):
        return reverse("training:event_detail", args=[self.pk])


class Invitation(Audited):
    """A KSM invited to a training: only its members may be recorded as attending."""

    event = models.ForeignKey(
        TrainingEvent,
        verbose_name=_("training"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    group = models.ForeignKey(
        SelfHelpGroup,
        verbose_name=_("KSM"),
        on_delete=models.PROTECT,
        related_name="training_invitations",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["event", "group__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "group"],
                name="invitation_unique",
                violation_error_message=_("This KSM is already invited to this training."),
            ),
        ]
        indexes = [models.Index(fields=["group", "event"], name="invitation_group_idx")]

    def __str__(self):
        return f"{self.group} → {self.event}"


def material_upload_to(instance, filename: str) -> str:
    # The stored name is not the user's: it is served only through the download view.
    import uuid

    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"training/materials/{instance.event_id}/{uuid.uuid4().hex}.{extension}"


class Material(OnceKeyed, Audited):
    """A file handed out at a training (slides, a handout, a photo of the flip chart).
    Kept outside the public web root and downloaded through a view that checks who asks."""

    event = models.ForeignKey(
        TrainingEvent,
        verbose_name=_("training"),
        on_delete=models.CASCADE,
        related_name="materials",
    )
    title = models.CharField(_("title"), max_length=150)
    file = models.FileField(_("file"), upload_to=material_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training material")
        verbose_name_plural = _("training materials")
        ordering = ["event", "title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(size__gt=0),
                name="material_size_positive",
                violation_error_message=_("The file is empty."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("training:material_download", args=[self.pk])


class CurrentAttendanceManager(models.Manager):
    """The attendance as it stands: rows taken off (unticked) are kept, ended, for the audit
    trail, and left out of every page and count."""

    def get_queryset(self):
        return super().get_queryset().filter(removed_at__isnull=True)


class Attendance(Audited):
    """A member at a training, for their group, with the role they held in it at the time
    (so "treasurers trained in bookkeeping" can be counted) and optional test scores.

    Taking a member off the list sets `removed_at` (the history says who); ticking them
    again brings the same row back. `objects` holds the current rows, `all_objects` every."""

    event = models.ForeignKey(
        TrainingEvent,
        verbose_name=_("training"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="attendances"
    )
    group = models.ForeignKey(
        SelfHelpGroup,
        verbose_name=_("KSM"),
        on_delete=models.PROTECT,
        related_name="training_attendances",
    )
    role = models.CharField(_("role at the time"), max_length=10, choices=Membership.Role.choices)
    pre_score = models.PositiveSmallIntegerField(
        _("pre-test score"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(SCORE_MAX)],
    )
    post_score = models.PositiveSmallIntegerField(
        _("post-test score"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(SCORE_MAX)],
    )
    removed_at = models.DateTimeField(_("taken off at"), null=True, blank=True, editable=False)

    objects = CurrentAttendanceManager()
    all_objects = models.Manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["event", "group__name", "member__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "member"],
                name="attendance_once_per_event",
                violation_error_message=_("This member is already recorded at this training."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=Membership.Role.values),
                name="attendance_role_valid",
                violation_error_message=_("Unknown role."),
            ),
            models.CheckConstraint(
                condition=Q(pre_score__isnull=True) | Q(pre_score__gte=0, pre_score__lte=SCORE_MAX),
                name="attendance_pre_score_range",
                violation_error_message=_("Test scores run from 0 to 100."),
            ),
            models.CheckConstraint(
                condition=Q(post_score__isnull=True)
                | Q(post_score__gte=0, post_score__lte=SCORE_MAX),
                name="attendance_post_score_range",
                violation_error_message=_("Test scores run from 0 to 100."),
            ),
        ]
        indexes = [
            models.Index(fields=["member", "event"], name="attendance_member_idx"),
            models.Index(fields=["group", "role"], name="attendance_group_role_idx"),
        ]

    def __str__(self):
        return f"{self.member} @ {self.event}"
