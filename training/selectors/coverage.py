"""Training coverage: which KSM have their chair and treasurer trained in every core topic.

A KSM is covered for a topic when its current (active) chair and its current treasurer have
each attended a training on that topic, whatever their role was then. Everything is counted
in the database, limited to the region on screen (and to the KSM the user may see).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q

from groups.models import Membership, SelfHelpGroup
from villages.models import District, Regency, Village

from ..models import Attendance, Topic

OFFICERS = (Membership.Role.CHAIR, Membership.Role.TREASURER)


def core_topics() -> list[Topic]:
    return list(Topic.objects.filter(is_core=True, is_active=True).order_by("sort_order", "name"))


def officers_on(group: SelfHelpGroup, on_date: datetime.date | None = None) -> dict:
    """{role: member id} of the group's chair and treasurer: today's, or those in office on
    `on_date`, i.e. of the memberships active that day (joined by then, not left before).

    A membership's role is its *current* role: role changes are not dated (the role is edited
    in place), so on a past date we take the members of that day with the role they hold now.
    A member who left keeps the role they had when leaving. Should two memberships of that day
    hold the same role (one officer left and the next joined on the same day), the one who
    joined last is taken."""
    memberships = group.memberships.filter(role__in=OFFICERS)
    if on_date is None:
        memberships = memberships.active()
    else:
        memberships = memberships.filter(joined_date__lte=on_date).filter(
            Q(left_date__isnull=True) | Q(left_date__gte=on_date)
        )
    return dict(memberships.order_by("joined_date", "pk").values_list("role", "member_id"))


def officers_trained(group: SelfHelpGroup, on_date: datetime.date | None = None) -> bool | None:
    """Had the group's chair and treasurer both attended a training on every core topic by
    `on_date` (the officers in office that day, see `officers_on`)? Without a date: today's
    officers, with every training so far. None when no topic is marked core."""
    topics = core_topics()
    if not topics:
        return None
    officers = officers_on(group, on_date)
    if len(officers) < len(OFFICERS):
        return False
    attended = Attendance.objects.filter(member_id__in=officers.values(), event__topics__in=topics)
    if on_date is not None:
        attended = attended.filter(event__start_date__lte=on_date)
    pairs = set(attended.values_list("member_id", "event__topics").distinct())
    return all((member, topic.pk) in pairs for member in officers.values() for topic in topics)


def officer_trained(topic: Topic, role: str) -> Exists:
    """For a SelfHelpGroup queryset: its current officer in `role` attended `topic`."""
    return Exists(
        Membership.objects.active().filter(
            group=OuterRef("pk"),
            role=role,
            member__attendances__event__topics=topic,
            member__attendances__removed_at__isnull=True,
        )
    )


def covered(topic: Topic) -> Q:
    return Q(officer_trained(topic, Membership.Role.CHAIR)) & Q(
        officer_trained(topic, Membership.Role.TREASURER)
    )


def all_covered(topics: list[Topic]) -> Q:
    condition = Q()
    for topic in topics:
        condition &= covered(topic)
    return condition


# --- Scope: a regency, a district or a village, named by its Kemendagri code ------------------


@dataclass
class Scope:
    kind: str  # "regency" | "district" | "village"
    region: Regency | District | Village

    @property
    def groups_q(self) -> Q:
        return {
            "regency": Q(village__district__regency=self.region),
            "district": Q(village__district=self.region),
            "village": Q(village=self.region),
        }[self.kind]

    @property
    def child_key(self) -> str:
        """What the breakdown's rows are: districts, villages, or the KSM themselves."""
        return {"regency": "village__district_id", "district": "village_id", "village": "pk"}[
            self.kind
        ]

    def child_labels(self, keys) -> dict:
        if self.kind == "regency":
            return {d.pk: d for d in District.objects.filter(pk__in=keys)}
        if self.kind == "district":
            return {v.pk: v for v in Village.objects.filter(pk__in=keys)}
        return {g.pk: g for g in SelfHelpGroup.objects.filter(pk__in=keys)}

    def breadcrumbs(self) -> list:
        region = self.region
        if self.kind == "village":
            return [region.district.regency, region.district, region]
        if self.kind == "district":
            return [region.regency, region]
        return [region]


def scope_for(code: str) -> Scope | None:
    code = (code or "").strip()
    if len(code) == 5:
        region = Regency.objects.filter(code=code).first()
        return Scope("regency", region) if region else None
    if len(code) == 8:
        region = District.objects.select_related("regency").filter(code=code).first()
        return Scope("district", region) if region else None
    if len(code) == 13:
        region = Village.objects.select_related("district__regency").filter(code=code).first()
        return Scope("village", region) if region else None
    return None


@dataclass
class CoverageRow:
    key: int
    label: object
    total: int
    by_topic: list  # (topic, covered count) in core topic order
    complete: int

    @property
    def complete_share(self) -> int:
        return self._share(self.complete)

    @property
    def topic_shares(self) -> list:
        """(topic, covered count, covered share in whole percent) in core topic order."""
        return [(topic, count, self._share(count)) for topic, count in self.by_topic]

    def _share(self, count: int) -> int:
        return round(100 * count / self.total) if self.total else 0


@dataclass
class CoverageReport:
    scope: Scope
    topics: list
    rows: list = field(default_factory=list)
    total: CoverageRow | None = None
    treasurers_trained: list = field(default_factory=list)  # (topic, members)


def scope_groups(user, scope: Scope):
    return (
        SelfHelpGroup.objects.visible_to(user)
        .filter(scope.groups_q)
        .exclude(status=SelfHelpGroup.Status.DISSOLVED)
    )


def _aggregates(topics) -> dict:
    counts = {"total": Count("pk")}
    for topic in topics:
        counts[f"topic_{topic.pk}"] = Count("pk", filter=covered(topic))
    counts["complete"] = Count("pk", filter=all_covered(topics)) if topics else Count("pk")
    return counts


def _row(key, label, values: dict, topics) -> CoverageRow:
    return CoverageRow(
        key=key,
        label=label,
        total=values["total"],
        by_topic=[(topic, values[f"topic_{topic.pk}"]) for topic in topics],
        complete=values["complete"],
    )


def coverage_report(*, user, scope: Scope) -> CoverageReport:
    """For each part of the scope (districts of a regency, villages of a district, KSM of a
    village): how many KSM have chair and treasurer trained in each core topic, and in all."""
    topics = core_topics()
    groups = scope_groups(user, scope)
    aggregates = _aggregates(topics)
    key = scope.child_key
    values = list(groups.order_by().values(key).annotate(**aggregates))
    labels = scope.child_labels([row[key] for row in values])
    rows = [_row(row[key], labels.get(row[key]), row, topics) for row in values]
    rows.sort(key=lambda row: (getattr(row.label, "code", ""), str(row.label)))
    total = _row(None, scope.region, groups.aggregate(**aggregates), topics)
    trained = dict(
        Attendance.objects.filter(
            role=Membership.Role.TREASURER, group__in=groups, event__topics__in=topics
        )
        .order_by()
        .values("event__topics")
        .annotate(members=Count("member", distinct=True))
        .values_list("event__topics", "members")
    )
    return CoverageReport(
        scope=scope,
        topics=topics,
        rows=rows,
        total=total,
        treasurers_trained=[(topic, trained.get(topic.pk, 0)) for topic in topics],
    )


def groups_needing_training(*, user, scope: Scope, topics: list[Topic]):
    """The KSM of the scope whose chair or treasurer still lacks a core topic, annotated with
    what each officer has (see `needs_of`), ready to paginate."""
    annotations = {}
    for topic in topics:
        annotations[f"chair_{topic.pk}"] = officer_trained(topic, Membership.Role.CHAIR)
        annotations[f"treasurer_{topic.pk}"] = officer_trained(topic, Membership.Role.TREASURER)
    groups = scope_groups(user, scope).select_related("village")
    if not topics:
        return groups.none()
    return (
        groups.annotate(**annotations)
        .filter(~all_covered(topics))
        .order_by("village__code", "name", "pk")
    )


def needs_of(group, topics: list[Topic]) -> list[tuple]:
    """(topic, chair trained?, treasurer trained?) for the topics the group still lacks."""
    needs = []
    for topic in topics:
        chair = getattr(group, f"chair_{topic.pk}", False)
        treasurer = getattr(group, f"treasurer_{topic.pk}", False)
        if not (chair and treasurer):
            needs.append((topic, chair, treasurer))
    return needs
