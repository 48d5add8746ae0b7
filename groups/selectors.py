"""Reads shared by views, reports and the benchmark."""

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q

from villages.models import Bumdes, District, Regency, Village

from .models import Cooperative, CooperativeMembership, Membership, SelfHelpGroup


@dataclass
class Roles:
    is_staff: bool = False
    is_facilitator: bool = False
    officer_memberships: list = field(default_factory=list)

    @property
    def is_officer(self) -> bool:
        return bool(self.officer_memberships)

    @property
    def can_register(self) -> bool:
        """May register KSM, members and BUMDes somewhere."""
        return self.is_staff or self.is_facilitator


def roles_for(user) -> Roles:
    """What the user is, computed once per request and kept on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Roles()
    cached = getattr(user, "_ksm_roles", None)
    if cached is not None:
        return cached
    roles = Roles(
        is_staff=user.is_staff,
        is_facilitator=Village.objects.assigned_to(user).exists(),
        officer_memberships=list(
            Membership.objects.active()
            .officers()
            .filter(member__user=user)
            .select_related("group__village", "group__book")
            .order_by("group__name")
        ),
    )
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
    return list(group.memberships.active().officers().select_related("member").order_by("role"))


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
    districts = (
        District.objects.filter(regency=regency)
        .filter(Exists(Village.objects.filter(district=OuterRef("pk"))))
        .order_by("code")
    )
    page = Paginator(districts, districts_per_page).get_page(page_number)
    district_ids = [d.pk for d in page.object_list]

    villages = list(
        Village.objects.filter(district_id__in=district_ids).order_by("district__code", "code")
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
        districts=District.objects.filter(regency=regency)
        .filter(Exists(Village.objects.filter(district=OuterRef("pk"))))
        .count(),
        villages=Village.objects.filter(district__regency=regency).count(),
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
            Village.objects.assigned_to(user)
            .select_related("district__regency")
            .annotate(ksm_count=Count("groups"))
            .order_by("code")
        )
        context["villages"] = villages[:50]
    if roles.is_facilitator or roles.is_staff:
        context["recent_groups"] = (
            SelfHelpGroup.objects.visible_to(user)
            .select_related("village")
            .order_by("-updated_at")[:10]
        )
    return context
