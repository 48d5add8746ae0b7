"""The register's figures by region and month, read from the register itself: what the
rollups should hold for a set of villages (or, for cooperatives, regencies). Used after each
change to recount the village that changed, and by `rollups --rebuild/--check` for all."""

import datetime
from collections import defaultdict

from django.db.models import Min
from django.utils import timezone

from finance.figures import month_of
from groups.models import Cooperative, Membership, SelfHelpGroup
from training.models import Assessment, AssessmentStatus, Attendance
from villages.models import Bumdes

TRAINED = {Membership.Role.CHAIR: "trained_chairs", Membership.Role.TREASURER: "trained_treasurers"}
STATUS_FIGURE = {
    SelfHelpGroup.Status.DORMANT: "ksm_dormant",
    SelfHelpGroup.Status.DISSOLVED: "ksm_dissolved",
}


def _add(found, code, day: datetime.date, figure: str, delta: int = 1) -> None:
    month = month_of(day)
    found[code][month][figure] = found[code][month].get(figure, 0) + delta


def _status_since(group_ids: list[int]) -> dict[int, datetime.date]:
    """The day each KSM took its present status (from its history; today when none says)."""
    since: dict[int, datetime.date] = {}
    current: dict[int, str] = {}
    history = (
        SelfHelpGroup.history.filter(id__in=group_ids)
        .order_by("id", "history_date", "history_id")
        .values_list("id", "status", "history_date")
    )
    for pk, status, when in history:
        if current.get(pk) != status:
            current[pk] = status
            since[pk] = timezone.localtime(when).date()
    return since


def register_figures(village_ids: list[int]) -> dict[str, dict[datetime.date, dict]]:
    """{village code: {month: {figure: flow}}} for KSM, members, BUMDes and officers trained."""
    found: dict = defaultdict(lambda: defaultdict(dict))
    groups = list(
        SelfHelpGroup.objects.filter(village_id__in=village_ids).values_list(
            "pk", "village__code", "origin", "formed_date", "reactivated_date", "status"
        )
    )
    resting = [pk for pk, *_, status in groups if status in STATUS_FIGURE]
    since = _status_since(resting) if resting else {}
    today = timezone.localdate()
    for pk, code, origin, formed, reactivated, status in groups:
        if origin == SelfHelpGroup.Origin.REACTIVATED:
            _add(found, code, reactivated, "ksm_reactivated")
        else:
            _add(found, code, formed, "ksm_new")
        if status in STATUS_FIGURE:
            _add(found, code, since.get(pk, today), STATUS_FIGURE[status])
    memberships = Membership.objects.filter(group__village_id__in=village_ids).values_list(
        "group__village__code", "member__sex", "joined_date", "left_date"
    )
    for code, sex, joined, left in memberships.iterator(chunk_size=5000):
        figure = "members_female" if sex == "F" else "members_male"
        _add(found, code, joined, figure)
        if left is not None:
            _add(found, code, left, figure, -1)
    for code, established in Bumdes.objects.filter(village_id__in=village_ids).values_list(
        "village__code", "established_date"
    ):
        _add(found, code, established, "bumdes")
    trained = (
        Attendance.objects.filter(group__village_id__in=village_ids, role__in=list(TRAINED))
        .values("group__village__code", "member_id", "group_id", "role")
        .annotate(first=Min("event__start_date"))
        .order_by()
    )
    for row in trained:
        _add(found, row["group__village__code"], row["first"], TRAINED[row["role"]])
    return found


def group_member_figures(group_id: int) -> dict[datetime.date, dict]:
    """{month: {members_female/male: flow}} of one KSM (an officer's own dashboard)."""
    found: dict = defaultdict(lambda: defaultdict(dict))
    for sex, joined, left in Membership.objects.filter(group_id=group_id).values_list(
        "member__sex", "joined_date", "left_date"
    ):
        figure = "members_female" if sex == "F" else "members_male"
        _add(found, "", joined, figure)
        if left is not None:
            _add(found, "", left, figure, -1)
    return found[""]


def cooperative_figures(regency_ids: list[int]) -> dict[str, dict[datetime.date, dict]]:
    found: dict = defaultdict(lambda: defaultdict(dict))
    for code, established in Cooperative.objects.filter(regency_id__in=regency_ids).values_list(
        "regency__code", "established_date"
    ):
        _add(found, code, established, "cooperatives")
    return found


def grade_figures(village_ids: list[int]) -> dict[str, dict[tuple[datetime.date, int], int]]:
    """{village code: {(month, level id): flow}}: each confirmed assessment moves its KSM from
    the level of the one before (by date) to its own."""
    found: dict = defaultdict(lambda: defaultdict(int))
    rows = (
        Assessment.objects.filter(
            group__village_id__in=village_ids, status=AssessmentStatus.CONFIRMED
        )
        .order_by("group_id", "assessment_date", "pk")
        .values_list("group_id", "group__village__code", "assessment_date", "level_id")
    )
    level_of: dict[int, int] = {}
    for group_id, code, day, level_id in rows:
        before = level_of.get(group_id)
        if before == level_id:
            continue
        month = month_of(day)
        if before is not None:
            found[code][(month, before)] -= 1
        found[code][(month, level_id)] += 1
        level_of[group_id] = level_id
    return found
