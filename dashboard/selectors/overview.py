"""The program overview: one regency's KSM, members, BUMDes and cooperatives, by district and
village, paginated by district, with the regency's totals and its districts for the chart."""

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Count, Q

from groups.models import Cooperative, Membership, SelfHelpGroup
from villages.models import Bumdes, District, Regency, Village


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


@dataclass(frozen=True)
class DistrictOrigins:
    """One district's KSM by origin, for the chart of the whole regency."""

    district_id: int
    code: str
    name: str
    ksm: int
    ksm_new: int
    ksm_reactivated: int


_ORIGIN_COUNTS = {
    "total": Count("id"),
    "new": Count("id", filter=Q(origin=SelfHelpGroup.Origin.NEW)),
    "reactivated": Count("id", filter=Q(origin=SelfHelpGroup.Origin.REACTIVATED)),
}


def _ksm_counts(groups_qs, key: str) -> dict:
    return {row[key]: row for row in groups_qs.values(key).annotate(**_ORIGIN_COUNTS)}


def _member_counts(memberships_qs, key: str) -> dict:
    return {
        row[key]: row["n"]
        for row in memberships_qs.order_by().values(key).annotate(n=Count("member", distinct=True))
    }


def program_overview(*, regency: Regency, page_number=1, districts_per_page: int = 10):
    """Counts for one regency: a page of districts broken down by village, plus regency totals
    and every district's new and reactivated KSM (the chart shows the whole regency).

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

    origins = district_origins(regency)
    return {
        "page": page,
        "blocks": list(blocks.values()),
        "total": regency_totals(regency, origins=origins),
        "district_origins": origins,
    }


def district_origins(regency: Regency) -> list[DistrictOrigins]:
    """New and reactivated KSM in each district of the regency that has any, by code: one
    GROUP BY."""
    rows = (
        SelfHelpGroup.objects.filter(village__district__regency=regency)
        .values("village__district_id", "village__district__code", "village__district__name")
        .annotate(**_ORIGIN_COUNTS)
        .order_by("village__district__code")
    )
    return [
        DistrictOrigins(
            district_id=row["village__district_id"],
            code=row["village__district__code"],
            name=row["village__district__name"],
            ksm=row["total"],
            ksm_new=row["new"],
            ksm_reactivated=row["reactivated"],
        )
        for row in rows
    ]


def regency_totals(
    regency: Regency, *, origins: list[DistrictOrigins] | None = None
) -> OverviewRow:
    """The regency's totals; its KSM counts are the districts' summed when they are at hand."""
    if origins is None:
        origins = district_origins(regency)
    return OverviewRow(
        districts=District.objects.filter(regency=regency, ksm_count__gt=0).count(),
        villages=Village.objects.filter(district__regency=regency, ksm_count__gt=0).count(),
        ksm=sum(d.ksm for d in origins),
        ksm_new=sum(d.ksm_new for d in origins),
        ksm_reactivated=sum(d.ksm_reactivated for d in origins),
        active_members=Membership.objects.active()
        .filter(group__village__district__regency=regency)
        .order_by()  # Meta.ordering would widen the DISTINCT
        .values("member_id")
        .distinct()
        .count(),
        bumdes=Bumdes.objects.filter(village__district__regency=regency).count(),
        cooperatives=Cooperative.objects.filter(regency=regency).count(),
    )
