"""Grading: the levels, the rubric (areas, criteria), assessments and their answers."""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from groups.models import SelfHelpGroup
from ksm_portal.models_base import Audited
from ksm_portal.scope import user_scope


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
