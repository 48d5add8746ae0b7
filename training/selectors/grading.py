"""Levels over time: a KSM's history, the distribution of current levels by district, and the
movement between each KSM's last two assessments. Counted from the current gradings
(`Assessment.is_current`), limited to one regency and to the KSM the user may see."""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q

from groups.models import SelfHelpGroup
from villages.models import District, Regency

from ..models import Assessment, Level


def level_history(group: SelfHelpGroup):
    """The group's confirmed assessments, newest first."""
    return (
        group.assessments.confirmed()
        .select_related("level", "previous_level", "assessor")
        .order_by("-assessment_date", "-pk")
    )


@dataclass
class Movement:
    up: int = 0
    same: int = 0
    down: int = 0
    first: int = 0


@dataclass
class DistributionRow:
    district: District | None
    groups: int = 0
    by_level: list = field(default_factory=list)  # counts in level order
    not_assessed: int = 0
    movement: Movement = field(default_factory=Movement)


@dataclass
class Distribution:
    regency: Regency
    levels: list
    rows: list
    total: DistributionRow
    transitions: list  # rows of (from level or None, [counts to each level])


def _movement_counts() -> dict:
    return {
        "up": Count("pk", filter=Q(previous_level__min_score__lt=F("level__min_score"))),
        "same": Count("pk", filter=Q(previous_level=F("level"))),
        "down": Count("pk", filter=Q(previous_level__min_score__gt=F("level__min_score"))),
        "first": Count("pk", filter=Q(previous_level__isnull=True)),
    }


def level_distribution(*, user, regency: Regency) -> Distribution:
    levels = list(Level.objects.order_by("min_score"))
    groups = (
        SelfHelpGroup.objects.visible_to(user)
        .filter(village__district__regency=regency)
        .exclude(status=SelfHelpGroup.Status.DISSOLVED)
    )
    current = Assessment.objects.filter(is_current=True, group__in=groups).order_by()
    key = "group__village__district_id"

    group_counts = dict(
        groups.order_by()
        .values("village__district_id")
        .annotate(n=Count("pk"))
        .values_list("village__district_id", "n")
    )
    level_counts = {
        (row[key], row["level_id"]): row["n"]
        for row in current.values(key, "level_id").annotate(n=Count("pk"))
    }
    movements = {row[key]: row for row in current.values(key).annotate(**_movement_counts())}
    districts = District.objects.filter(pk__in=group_counts).order_by("code")

    rows = []
    total = DistributionRow(district=None, by_level=[0] * len(levels))
    for district in districts:
        row = DistributionRow(
            district=district,
            groups=group_counts.get(district.pk, 0),
            by_level=[level_counts.get((district.pk, level.pk), 0) for level in levels],
        )
        row.not_assessed = row.groups - sum(row.by_level)
        moved = movements.get(district.pk, {})
        row.movement = Movement(**{k: moved.get(k, 0) for k in ("up", "same", "down", "first")})
        rows.append(row)
        total.groups += row.groups
        total.by_level = [a + b for a, b in zip(total.by_level, row.by_level, strict=True)]
        total.not_assessed += row.not_assessed
        for name in ("up", "same", "down", "first"):
            setattr(
                total.movement, name, getattr(total.movement, name) + getattr(row.movement, name)
            )

    pairs = {
        (row["previous_level_id"], row["level_id"]): row["n"]
        for row in current.values("previous_level_id", "level_id").annotate(n=Count("pk"))
    }
    transitions = [
        (source, [pairs.get((source.pk if source else None, level.pk), 0) for level in levels])
        for source in [None, *levels]
    ]
    return Distribution(
        regency=regency, levels=levels, rows=rows, total=total, transitions=transitions
    )
