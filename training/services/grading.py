"""Grading a KSM: start an assessment (the data fills in what it can), let the facilitator
score the rest, confirm it (score, level, and the group's current grading move together).

The group health figures come from the finance app (`finance.selectors.health.group_health`);
where that is not installed, or has no figure for a group, the facilitator scores the criterion.
"""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import SelfHelpGroup
from ksm_portal.services_base import row_clean, validated_save

from ..models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Criterion,
    CriterionSource,
    Level,
)
from ..selectors.coverage import officers_trained

HUNDRED = Decimal("100")
CENT = Decimal("0.01")


def group_health(group: SelfHelpGroup, on_date: datetime.date):
    """The group's health figures from its books, or None where the finance app has none."""
    try:
        from finance.selectors.health import group_health as finance_group_health
    except ModuleNotFoundError as error:
        if error.name and error.name.startswith("finance"):
            return None
        raise
    return finance_group_health(group, on_date)


def data_figures(group: SelfHelpGroup, on_date: datetime.date) -> dict[str, Decimal | None]:
    """What the data answers, by criterion source: percentages, and 1/0 for yes/no figures."""
    health = group_health(group, on_date)
    figures: dict[str, Decimal | None] = {}
    for source in CriterionSource.values:
        if source in (CriterionSource.MANUAL, CriterionSource.OFFICERS_TRAINED):
            continue
        value = getattr(health, source, None) if health is not None else None
        if isinstance(value, bool):
            value = Decimal(int(value))
        figures[source] = None if value is None else Decimal(str(value))
    trained = officers_trained(group, on_date)
    figures[CriterionSource.OFFICERS_TRAINED] = None if trained is None else Decimal(int(trained))
    return figures


@transaction.atomic
def assessment_start(*, actor, group: SelfHelpGroup, assessment_date: datetime.date) -> Assessment:
    """A draft assessment with every criterion of the rubric, those the data answers scored."""
    assessment = Assessment(
        group=group, assessment_date=assessment_date, assessor=actor, status="draft"
    )
    row_clean(assessment)
    if assessment_date < group.formed_date:
        raise ValidationError(
            {
                "assessment_date": _("The KSM was formed later, on %(date)s.")
                % {"date": group.formed_date.strftime("%d-%m-%Y")}
            }
        )
    latest = group.assessments.filter(is_current=True).first()
    if latest is not None and assessment_date <= latest.assessment_date:
        raise ValidationError(
            {
                "assessment_date": _(
                    "An assessment of %(date)s is already confirmed; a new one comes after it."
                )
                % {"date": latest.assessment_date.strftime("%d-%m-%Y")}
            }
        )
    criteria = list(Criterion.objects.filter(is_active=True).select_related("area"))
    if not criteria:
        raise ValidationError(_("The rubric has no criteria yet; ask the programme staff."))
    validated_save(assessment, actor=actor)
    figures = data_figures(group, assessment_date)
    answers = []
    for criterion in criteria:
        figure = figures.get(criterion.source)
        score = criterion.score_for(figure) if criterion.is_auto else None
        answers.append(
            Answer(
                assessment=assessment,
                criterion=criterion,
                max_score=criterion.max_score,
                score=score,
                is_auto=score is not None,
                figure=figure if criterion.is_auto else None,
            )
        )
    Answer.objects.bulk_create(answers)
    return assessment


def _locked_draft(assessment: Assessment) -> Assessment:
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError(_("This assessment is confirmed; it can no longer change."))
    return assessment


def _apply_scores(assessment: Assessment, scores: dict, notes: str | None, actor) -> list:
    """Write the facilitator's scores (by answer id) to the answers the data did not fill."""
    answers = list(
        assessment.answers.select_related("criterion__area").order_by(
            "criterion__area__sort_order", "criterion__sort_order", "criterion__code"
        )
    )
    errors = []
    for answer in answers:
        if answer.is_auto or answer.pk not in scores:
            continue
        value = scores[answer.pk]
        if value is not None and not (0 <= value <= answer.max_score):
            errors.append(
                _("%(criterion)s: the score runs from 0 to %(max)d.")
                % {"criterion": answer.criterion.text, "max": answer.max_score}
            )
            continue
        answer.score = value
    if errors:
        raise ValidationError(errors)
    # The range is checked above; the answer_score_in_range constraint stands behind it.
    Answer.objects.bulk_update([a for a in answers if not a.is_auto], ["score"])
    if notes is not None:
        assessment.notes = notes.strip()
    return answers


@transaction.atomic
def assessment_save(
    *, actor, assessment: Assessment, scores: dict[int, int | None], notes: str | None = None
) -> Assessment:
    """Keep the facilitator's answers in the draft, to finish later."""
    assessment = _locked_draft(assessment)
    _apply_scores(assessment, scores, notes, actor)
    return validated_save(assessment, actor=actor)


def assessment_score(answers) -> Decimal:
    """The overall score, 0-100: each area's points as a share of its maximum, weighted by the
    area's weight, rounded half up to two decimals."""
    areas = defaultdict(lambda: [0, 0, 1])  # area id -> [points, maximum, weight]
    for answer in answers:
        area = answer.criterion.area
        totals = areas[area.pk]
        totals[0] += answer.score or 0
        totals[1] += answer.max_score
        totals[2] = area.weight
    weight = sum(totals[2] for totals in areas.values())
    if not weight:
        return Decimal("0.00")
    weighted = sum(
        Decimal(points) / Decimal(maximum) * weight
        for points, maximum, weight in areas.values()
        if maximum
    )
    return (weighted * HUNDRED / weight).quantize(CENT, rounding=ROUND_HALF_UP)


def level_for(score: Decimal) -> Level:
    level = Level.objects.filter(min_score__lte=score).order_by("-min_score").first()
    if level is None:
        raise ValidationError(
            _("No grading level starts at a score of %(score)s or below; ask the programme staff.")
            % {"score": score}
        )
    return level


@transaction.atomic
def assessment_confirm(
    *,
    actor,
    assessment: Assessment,
    scores: dict[int, int | None] | None = None,
    notes: str | None = None,
) -> Assessment:
    """Fix the score and level. Every criterion must be scored. The group's previous grading
    stops being current and its level is remembered, for the movement between assessments."""
    # The group row serialises two confirmations of the same KSM.
    SelfHelpGroup.objects.select_for_update().filter(pk=assessment.group_id).first()
    assessment = _locked_draft(assessment)
    answers = _apply_scores(assessment, scores or {}, notes, actor)
    missing = [answer.criterion.text for answer in answers if answer.score is None]
    if missing:
        raise ValidationError(
            _("Score every criterion before confirming. Still open: %(list)s.")
            % {"list": "; ".join(missing)}
        )
    previous = (
        Assessment.objects.select_for_update()
        .filter(group_id=assessment.group_id, is_current=True)
        .first()
    )
    if previous is not None and previous.assessment_date >= assessment.assessment_date:
        raise ValidationError(
            _("An assessment of %(date)s is already confirmed; this one would come before it.")
            % {"date": previous.assessment_date.strftime("%d-%m-%Y")}
        )
    assessment.score = assessment_score(answers)
    assessment.level = level_for(assessment.score)
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
        assessment.previous_level = previous.level
    assessment.status = AssessmentStatus.CONFIRMED
    assessment.is_current = True
    assessment.confirmed_at = timezone.now()
    return validated_save(assessment, actor=actor)
