"""Training, mentoring visits and group grading: the facilitator's working tool.

- Topics are a managed list; the *core* ones are those every KSM's chair and treasurer should
  have attended (the coverage report and the grading's "officers trained" criterion).
- A TrainingEvent is held in a village for the KSM it invites; Attendance records each member
  who came with their role in their group at that time, and optional pre/post-test scores.
- A Visit (pendampingan) is a facilitator's mentoring visit to one KSM; its FollowUpActions are
  the work that must follow (open, done or dropped).
- Grading: the rubric (areas, criteria) and the levels with their score thresholds are data,
  editable in admin. An Assessment scores one KSM on every criterion (some filled in from the
  data, the rest by the facilitator) and, once confirmed, gives its level. The group's latest
  confirmed assessment is marked `is_current` and remembers the level before it, so the
  distribution of levels and the movement between assessments are indexed counts.
"""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
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

SCORE_MAX = 100  # pre- and post-test scores are 0-100


# --- Topics and training events ---------------------------------------------------------------


class Topic(models.Model):
    """A training topic. Core topics are those every KSM's chair and treasurer should attend."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_core = models.BooleanField(
        _("core topic"),
        default=False,
        help_text=_("Every KSM's chair and treasurer should attend a training on it."),
    )
    is_active = models.BooleanField(_("in use"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training topic")
        verbose_name_plural = _("training topics")
        ordering = ["sort_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name=""),
                name="topic_name_not_blank",
                violation_error_message=_("A topic needs a name."),
            ),
        ]

    def __str__(self):
        return self.name


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


# --- Mentoring visits -------------------------------------------------------------------------


class VisitQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user_scope(user).sees_all:
            return self.all()  # no semi-join against every KSM in the country
        return self.filter(group__in=SelfHelpGroup.objects.visible_to(user))


class Visit(OnceKeyed, Audited):
    """A facilitator's mentoring visit (pendampingan) to one KSM."""

    group = models.ForeignKey(
        SelfHelpGroup, verbose_name=_("KSM"), on_delete=models.PROTECT, related_name="visits"
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitator"),
        on_delete=models.PROTECT,
        related_name="mentoring_visits",
    )
    visit_date = models.DateField(_("visit date"))
    attendees = models.ManyToManyField(
        Member, verbose_name=_("members present"), related_name="mentoring_visits", blank=True
    )
    other_attendees = models.CharField(
        _("others present"),
        max_length=200,
        blank=True,
        help_text=_("E.g. the village head or a BUMDes manager."),
    )
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics discussed"), related_name="visits", blank=True
    )
    discussion = models.TextField(_("what was discussed"), blank=True)
    findings = models.TextField(_("findings"))

    past_date_fields = ("visit_date",)

    objects = VisitQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mentoring visit")
        verbose_name_plural = _("mentoring visits")
        ordering = ["-visit_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(findings=""),
                name="visit_findings_not_blank",
                violation_error_message=_("Write down what was found on the visit."),
            ),
        ]
        indexes = [
            models.Index(fields=["group", "visit_date"], name="visit_group_date_idx"),
            models.Index(fields=["facilitator", "visit_date"], name="visit_facilitator_idx"),
        ]

    def __str__(self):
        return f"{self.group} {self.visit_date:%d-%m-%Y}"

    def get_absolute_url(self):
        return reverse("training:visit_detail", args=[self.pk])


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class FollowUpActionQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user_scope(user).sees_all:
            return self.all()  # no semi-join against every KSM in the country
        return self.filter(group__in=SelfHelpGroup.objects.visible_to(user))

    def open(self):
        return self.filter(status=FollowUpStatus.OPEN)


class FollowUpAction(OnceKeyed, Audited):
    """What must follow a visit: what, who, by when, and whether it was done."""

    Status = FollowUpStatus

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="actions"
    )
    # The visit's group, kept here so a KSM's open actions and a facilitator's overdue ones
    # are read from one indexed table.
    group = models.ForeignKey(
        SelfHelpGroup,
        verbose_name=_("KSM"),
        on_delete=models.PROTECT,
        related_name="follow_up_actions",
        editable=False,
    )
    description = models.CharField(_("what"), max_length=250)
    responsible = models.CharField(_("who"), max_length=120)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    closed_date = models.DateField(_("closed on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closing_note = models.CharField(_("note"), max_length=250, blank=True)

    past_date_fields = ("closed_date",)

    objects = FollowUpActionQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=FollowUpStatus.values),
                name="followup_status_valid",
                violation_error_message=_("Unknown follow-up status."),
            ),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(closed_date__isnull=True))
                | (~Q(status="open") & Q(closed_date__isnull=False)),
                name="followup_closed_date_iff_closed",
                violation_error_message=_(
                    "A done or dropped action has the date it was closed; an open one has none."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(description=""),
                name="followup_description_not_blank",
                violation_error_message=_("Say what must be done."),
            ),
            models.CheckConstraint(
                condition=~Q(responsible=""),
                name="followup_responsible_not_blank",
                violation_error_message=_("Say who will do it."),
            ),
        ]
        indexes = [
            models.Index(fields=["group", "status", "due_date"], name="followup_group_idx"),
            models.Index(fields=["status", "due_date"], name="followup_due_idx"),
        ]

    def __str__(self):
        return self.description

    @property
    def is_open(self) -> bool:
        return self.status == FollowUpStatus.OPEN

    def clean(self):
        super().clean()
        visit = self.visit if self.visit_id else None
        if visit is not None and self.due_date and self.due_date < visit.visit_date:
            raise ValidationError(
                {"due_date": _("The due date cannot be before the visit.")}, code="due_early"
            )
        if visit is not None and self.closed_date and self.closed_date < visit.visit_date:
            raise ValidationError(
                {"closed_date": _("An action cannot be closed before the visit that set it.")}
            )


# --- Grading: levels, rubric, assessments -----------------------------------------------------


class Level(models.Model):
    """A maturity level (Tumbuh, Berkembang, Mandiri). A group reaches the highest level whose
    minimum score its assessment meets; the lowest level starts at 0."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    min_score = models.DecimalField(
        _("minimum score"),
        max_digits=5,
        decimal_places=2,
        unique=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Overall score (0-100) from which a group has this level."),
        error_messages={"unique": _("Another level already starts at this score.")},
    )
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("grading level")
        verbose_name_plural = _("grading levels")
        ordering = ["min_score"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_score__gte=0, min_score__lte=100),
                name="level_min_score_range",
                violation_error_message=_("A level's minimum score lies between 0 and 100."),
            ),
        ]

    def __str__(self):
        return self.name


class Area(models.Model):
    """A part of the rubric: organisation, administration, finance, business, networking."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=80)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, help_text=_("How much this area counts in the overall score.")
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rubric area")
        verbose_name_plural = _("rubric areas")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=1),
                name="area_weight_positive",
                violation_error_message=_("An area's weight is at least 1."),
            ),
        ]

    def __str__(self):
        return self.name


class CriterionSource(models.TextChoices):
    """Where a criterion's score comes from: the facilitator, or a figure the data answers."""

    MANUAL = "manual", _("Answered by the facilitator")
    ATTENDANCE_RATE = "attendance_rate", _("Meeting attendance rate (%)")
    SAVINGS_REGULARITY = "savings_regularity", _("Savings regularity (%)")
    SAVINGS_GROWTH = "savings_growth", _("Savings growth over 12 months (%)")
    REPAYMENT_RATE = "repayment_rate", _("Repayment rate (%)")
    PAR30 = "par30", _("Portfolio at risk over 30 days (%)")
    BOOKS_CURRENT = "books_current", _("Books current")
    OFFICERS_TRAINED = "officers_trained", _("Officers trained in the core topics")


BOOLEAN_SOURCES = {CriterionSource.BOOKS_CURRENT, CriterionSource.OFFICERS_TRAINED}
# Figures where a lower value is better: their thresholds run downwards.
LOWER_IS_BETTER = {CriterionSource.PAR30}


def parse_thresholds(text: str) -> list[Decimal]:
    values = []
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            values.append(Decimal(part))
        except InvalidOperation:
            raise ValidationError(
                {"thresholds": _("Thresholds are numbers separated by commas, e.g. 50, 70, 85.")}
            ) from None
    return values


class Criterion(models.Model):
    """One scored question of the rubric, from 0 to `max_score` points.

    A figure from the data scores one point for each threshold it meets: for "higher is better"
    figures the thresholds rise (e.g. 50, 70, 85), for PAR30 they fall (10, 5, 2). A yes/no
    figure (books current, officers trained) scores full points or none. When the data has no
    figure for a group, the facilitator scores the criterion instead."""

    Source = CriterionSource

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="criteria"
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    text = models.CharField(_("criterion"), max_length=200)
    guidance = models.TextField(_("guidance"), blank=True)
    max_score = models.PositiveSmallIntegerField(
        _("maximum score"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    source = models.CharField(
        _("source"), max_length=20, choices=CriterionSource.choices, default="manual"
    )
    thresholds = models.CharField(
        _("thresholds"),
        max_length=100,
        blank=True,
        help_text=_("For a figure: one threshold per point, separated by commas."),
    )
    is_active = models.BooleanField(_("in use"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        ordering = ["area__sort_order", "sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_score__gte=1, max_score__lte=10),
                name="criterion_max_score_range",
                violation_error_message=_("A criterion is worth 1 to 10 points."),
            ),
            models.CheckConstraint(
                condition=Q(source__in=CriterionSource.values),
                name="criterion_source_valid",
                violation_error_message=_("Unknown criterion source."),
            ),
        ]

    def __str__(self):
        return self.text

    @property
    def is_auto(self) -> bool:
        return self.source != CriterionSource.MANUAL

    def threshold_values(self) -> list[Decimal]:
        return parse_thresholds(self.thresholds)

    def clean(self):
        super().clean()
        if self.source in (CriterionSource.MANUAL, *BOOLEAN_SOURCES):
            if self.thresholds.strip():
                raise ValidationError(
                    {"thresholds": _("Only a criterion scored from a figure has thresholds.")}
                )
            return
        values = self.threshold_values()
        if len(values) != self.max_score:
            raise ValidationError(
                {
                    "thresholds": _("Give exactly %(count)d thresholds, one per point.")
                    % {"count": self.max_score}
                }
            )
        ordered = sorted(values, reverse=self.source in LOWER_IS_BETTER)
        if values != ordered or len(set(values)) != len(values):
            raise ValidationError(
                {
                    "thresholds": _("For this figure the thresholds must fall, e.g. 10, 5, 2.")
                    if self.source in LOWER_IS_BETTER
                    else _("The thresholds must rise, e.g. 50, 70, 85.")
                }
            )

    def score_for(self, value) -> int | None:
        """Points for a figure from the data; None when there is no figure."""
        if value is None:
            return None
        if self.source in BOOLEAN_SOURCES:
            return self.max_score if value else 0
        value = Decimal(str(value))
        if self.source in LOWER_IS_BETTER:
            return sum(1 for limit in self.threshold_values() if value <= limit)
        return sum(1 for limit in self.threshold_values() if value >= limit)


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed")


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user_scope(user).sees_all:
            return self.all()  # no semi-join against every KSM in the country
        return self.filter(group__in=SelfHelpGroup.objects.visible_to(user))

    def confirmed(self):
        return self.filter(status=AssessmentStatus.CONFIRMED)


class Assessment(Audited):
    """A periodic grading of one KSM. A draft holds the evidence and the facilitator's answers;
    confirming fixes the score and level for good."""

    Status = AssessmentStatus

    group = models.ForeignKey(
        SelfHelpGroup, verbose_name=_("KSM"), on_delete=models.PROTECT, related_name="assessments"
    )
    assessment_date = models.DateField(_("assessment date"))
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AssessmentStatus.choices, default="draft"
    )
    score = models.DecimalField(
        _("overall score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    level = models.ForeignKey(
        Level,
        verbose_name=_("level"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
    )
    previous_level = models.ForeignKey(
        Level,
        verbose_name=_("previous level"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The level of the group's assessment before this one."),
    )
    is_current = models.BooleanField(
        _("latest confirmed"), default=False, help_text=_("The group's latest confirmed grading.")
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    past_date_fields = ("assessment_date",)

    objects = AssessmentQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-assessment_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AssessmentStatus.values),
                name="assessment_status_valid",
                violation_error_message=_("Unknown assessment status."),
            ),
            models.CheckConstraint(
                condition=Q(status="draft", is_current=False)
                | Q(
                    status="confirmed",
                    score__isnull=False,
                    level__isnull=False,
                    confirmed_at__isnull=False,
                ),
                name="assessment_confirmed_has_level",
                violation_error_message=_(
                    "A confirmed assessment has its score and level; a draft is not current."
                ),
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="assessment_score_range",
                violation_error_message=_("The overall score lies between 0 and 100."),
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(status="draft"),
                name="assessment_one_draft_per_group",
                violation_error_message=_(
                    "This KSM already has an assessment in progress; finish that one first."
                ),
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(is_current=True),
                name="assessment_one_current_per_group",
                violation_error_message=_("A KSM has one current grading."),
            ),
            models.UniqueConstraint(
                fields=["group", "assessment_date"],
                name="assessment_one_per_group_day",
                violation_error_message=_("This KSM already has an assessment on this date."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["group", "assessment_date"],
                condition=Q(status="confirmed"),
                name="assessment_confirmed_idx",
            ),
            models.Index(
                fields=["level", "previous_level"],
                condition=Q(is_current=True),
                name="assessment_current_level_idx",
            ),
        ]

    def __str__(self):
        return f"{self.group} {self.assessment_date:%d-%m-%Y}"

    def get_absolute_url(self):
        return reverse("training:assessment_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == AssessmentStatus.DRAFT


class Answer(models.Model):
    """The score of one criterion in one assessment, with the evidence for it. The criterion's
    maximum is copied here, so a later change of the rubric leaves past assessments as scored."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="answers"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="answers"
    )
    max_score = models.PositiveSmallIntegerField(_("maximum score"))
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    is_auto = models.BooleanField(_("filled in from the data"), default=False)
    figure = models.DecimalField(
        _("figure from the data"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The figure the score came from (1 or 0 for yes or no)."),
    )
    evidence = models.CharField(_("note"), max_length=250, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["assessment", "criterion__area__sort_order", "criterion__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"],
                name="answer_once_per_criterion",
                violation_error_message=_("This criterion is already scored in this assessment."),
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=F("max_score")),
                name="answer_score_in_range",
                violation_error_message=_("A score lies between 0 and the criterion's maximum."),
            ),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.score}"
