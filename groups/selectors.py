"""Reads shared by views, reports and the benchmark."""

from dataclasses import dataclass, field
from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, Q, Value

from ksm_portal.scope import user_scope
from villages.models import Bumdes, District, Regency, Village

from .models import Cooperative, CooperativeMembership, Membership, Officer, SelfHelpGroup


def officer_scope(user) -> dict:
    """The scope provider for officers (registered in GroupsConfig.ready): the KSM where the
    user holds an office through an active membership, and the BUMDes and cooperatives where
    they are in office. Two small indexed queries."""
    # One round trip: (KSM id or None, BUMDes id or None, cooperative id or None, role,
    # village id or None) for each office held.
    ksm = Membership.objects.active().officers().filter(member__user=user).order_by()
    offices = Officer.objects.current().filter(user=user).order_by()
    rows = ksm.values_list(
        "group_id",
        Value(None, IntegerField()),
        Value(None, IntegerField()),
        "role",
        "group__village_id",
    ).union(
        offices.values_list(
            Value(None, IntegerField()),
            "bumdes_id",
            "cooperative_id",
            "role",
            "bumdes__village_id",
        ),
        all=True,
    )
    ksm, offices = [], []
    for group, bumdes, cooperative, role, village in rows:
        if group is not None:
            ksm.append((group, role, village))
        else:
            offices.append((bumdes, cooperative, role, village))
    treasurer = Membership.Role.TREASURER
    return {
        "ksm_officer_ids": {group for group, _role, _village in ksm},
        "ksm_treasurer_ids": {group for group, role, _village in ksm if role == treasurer},
        "ksm_chair_ids": {g for g, role, _v in ksm if role == Membership.Role.CHAIR},
        "bumdes_officer_ids": {b for b, _c, _r, _v in offices if b},
        "bumdes_treasurer_ids": {b for b, _c, role, _v in offices if b and role == treasurer},
        "cooperative_officer_ids": {c for _b, c, _r, _v in offices if c},
        "cooperative_treasurer_ids": {c for _b, c, role, _v in offices if c and role == treasurer},
        "officer_village_ids": {v for _g, _r, v in ksm} | {v for *_rest, v in offices if v},
    }


class Roles:
    """What the user is, for menus and the start page: a view of their scope, with the
    offices they hold loaded only when a page lists them."""

    def __init__(self, user):
        self.user = user
        self.scope = user_scope(user)

    @property
    def is_staff(self) -> bool:
        return self.scope.sees_all

    @property
    def manages_register(self) -> bool:
        return self.scope.manages_register

    @property
    def is_facilitator(self) -> bool:
        return self.scope.is_facilitator

    @property
    def is_officer(self) -> bool:
        return self.scope.is_officer

    @property
    def can_register(self) -> bool:
        """May register KSM, members and BUMDes somewhere."""
        return self.scope.manages_register or self.scope.is_facilitator

    @cached_property
    def officer_memberships(self) -> list:
        if not self.scope.ksm_officer_ids:
            return []
        return list(
            Membership.objects.active()
            .officers()
            .filter(member__user=self.user)
            .select_related("group__village", "group__book")
            .order_by("group__name")
        )

    @cached_property
    def offices(self) -> list:
        """BUMDes and cooperative offices held now."""
        if not (self.scope.bumdes_officer_ids or self.scope.cooperative_officer_ids):
            return []
        return list(
            Officer.objects.current()
            .filter(user=self.user)
            .select_related("bumdes__village", "bumdes__book", "cooperative__book")
            .order_by("role")
        )


def roles_for(user) -> Roles:
    """What the user is, computed once per request and kept on the user object."""
    cached = getattr(user, "_ksm_roles", None)
    if cached is not None:
        return cached
    roles = Roles(user)
    if getattr(user, "is_authenticated", False):
        user._ksm_roles = roles
    return roles


def group_list(*, user, filters: dict | None = None):
    """The KSM a user may see, with what the list shows, ready for a FilterSet."""
    return SelfHelpGroup.objects.visible_to(user).select_related("village__district__regency")


def cooperative_ksm_counts(cooperative_ids: list[int]) -> dict[int, int]:
    """{cooperative id: number of KSM that are members now} for the given cooperatives."""
    return dict(
        CooperativeMembership.objects.filter(
            cooperative_id__in=cooperative_ids, left_date__isnull=True
        )
        .order_by()
        .values("cooperative_id")
        .annotate(n=Count("id"))
        .values_list("cooperative_id", "n")
    )


def group_officers(group: SelfHelpGroup) -> list[Membership]:
    return list(
        group.memberships.active().officers().select_related("member__user").order_by("role")
    )


# ---------------------------------------------------------------------------------------------
# Program overview: one regency, by district and village, paginated by district.


@dataclass
class OverviewRow:
    districts: int = 0
    villages: int = 0
    ksm: int = 0
    ksm_new: int = 0
    ksm_reactivated: int = 0
    active_members: int = 0
    bumdes: int = 0
    cooperatives: int = 0


@dataclass
class DistrictBlock:
    district: District
    villages: list = field(default_factory=list)  # (Village, OverviewRow) pairs
    total: OverviewRow = field(default_factory=OverviewRow)


def _ksm_counts(groups_qs, key: str) -> dict:
    return {
        row[key]: row
        for row in groups_qs.values(key).annotate(
            total=Count("id"),
            new=Count("id", filter=Q(origin=SelfHelpGroup.Origin.NEW)),
            reactivated=Count("id", filter=Q(origin=SelfHelpGroup.Origin.REACTIVATED)),
        )
    }


def _member_counts(memberships_qs, key: str) -> dict:
    return {
        row[key]: row["n"]
        for row in memberships_qs.order_by().values(key).annotate(n=Count("member", distinct=True))
    }


def program_overview(*, regency: Regency, page_number=1, districts_per_page: int = 10):
    """Counts for one regency: a page of districts broken down by village, plus regency totals.

    Every query is a GROUP BY over indexed foreign keys restricted to this regency (or to the
    page's districts), so the work grows with the regency, never with the national tables.
    """
    # The programme's districts and villages: those that hold KSM (a regency loaded from the
    # national region list has many more).
    districts = District.objects.filter(regency=regency, ksm_count__gt=0).order_by("code")
    page = Paginator(districts, districts_per_page).get_page(page_number)
    district_ids = [d.pk for d in page.object_list]

    villages = list(
        Village.objects.filter(district_id__in=district_ids, ksm_count__gt=0).order_by(
            "district__code", "code"
        )
    )
    village_ids = [v.pk for v in villages]
    ksm = _ksm_counts(SelfHelpGroup.objects.filter(village_id__in=village_ids), "village_id")
    members = _member_counts(
        Membership.objects.active().filter(group__village_id__in=village_ids), "group__village_id"
    )
    bumdes = set(
        Bumdes.objects.filter(village_id__in=village_ids).values_list("village_id", flat=True)
    )
    coops = {
        row["groups__village_id"]: row["n"]
        for row in Cooperative.objects.filter(
            memberships__left_date__isnull=True, groups__village_id__in=village_ids
        )
        .values("groups__village_id")
        .annotate(n=Count("id", distinct=True))
    }

    blocks = {d.pk: DistrictBlock(district=d) for d in page.object_list}
    for village in villages:
        counts = ksm.get(village.pk, {})
        row = OverviewRow(
            villages=1,
            ksm=counts.get("total", 0),
            ksm_new=counts.get("new", 0),
            ksm_reactivated=counts.get("reactivated", 0),
            active_members=members.get(village.pk, 0),
            bumdes=1 if village.pk in bumdes else 0,
            cooperatives=coops.get(village.pk, 0),
        )
        block = blocks[village.district_id]
        block.villages.append((village, row))
        for name in ("villages", "ksm", "ksm_new", "ksm_reactivated", "active_members", "bumdes"):
            setattr(block.total, name, getattr(block.total, name) + getattr(row, name))

    district_coops = {
        row["groups__village__district_id"]: row["n"]
        for row in Cooperative.objects.filter(
            memberships__left_date__isnull=True, groups__village__district_id__in=district_ids
        )
        .values("groups__village__district_id")
        .annotate(n=Count("id", distinct=True))
    }
    for block in blocks.values():
        block.total.cooperatives = district_coops.get(block.district.pk, 0)

    return {
        "page": page,
        "blocks": list(blocks.values()),
        "total": regency_totals(regency),
    }


def regency_totals(regency: Regency) -> OverviewRow:
    groups = SelfHelpGroup.objects.filter(village__district__regency=regency)
    counts = groups.aggregate(
        total=Count("id"),
        new=Count("id", filter=Q(origin=SelfHelpGroup.Origin.NEW)),
        reactivated=Count("id", filter=Q(origin=SelfHelpGroup.Origin.REACTIVATED)),
    )
    return OverviewRow(
        districts=District.objects.filter(regency=regency, ksm_count__gt=0).count(),
        villages=Village.objects.filter(district__regency=regency, ksm_count__gt=0).count(),
        ksm=counts["total"],
        ksm_new=counts["new"],
        ksm_reactivated=counts["reactivated"],
        active_members=Membership.objects.active()
        .filter(group__village__district__regency=regency)
        .order_by()  # Meta.ordering would widen the DISTINCT
        .values("member_id")
        .distinct()
        .count(),
        bumdes=Bumdes.objects.filter(village__district__regency=regency).count(),
        cooperatives=Cooperative.objects.filter(regency=regency).count(),
    )


def home_context(user) -> dict:
    """What each role sees first: their villages and groups, kept short and linked."""
    roles = roles_for(user)
    context = {"roles": roles}
    if roles.is_facilitator:
        villages = (
            Village.objects.assigned_to(user).select_related("district__regency").order_by("code")
        )
        context["villages"] = villages[:50]
    if roles.is_facilitator or roles.is_staff:
        context["recent_groups"] = (
            SelfHelpGroup.objects.visible_to(user)
            .select_related("village")
            .order_by("-updated_at")[:10]
        )
    return context
