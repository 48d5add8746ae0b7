"""Every write to regions, BUMDes and facilitator assignments."""

import datetime
from collections import Counter

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, F

from ksm_portal.services_base import validated_save

from .models import Bumdes, District, FacilitatorAssignment, Province, Regency, Village

BUMDES_FIELDS = (
    "name",
    "registration_number",
    "established_date",
    "business_units",
    "status",
    "ranking",
)


def _region_upsert(model, *, code: str, name: str, **parent):
    instance = model.objects.filter(code=code).first() or model(code=code)
    changed = (
        instance._state.adding
        or instance.name != name
        or any(getattr(instance, f"{key}_id") != value.pk for key, value in parent.items())
    )
    if changed:
        instance.name = name
        for key, value in parent.items():
            setattr(instance, key, value)
        validated_save(instance)
    return instance


@transaction.atomic
def province_upsert(*, code: str, name: str) -> Province:
    return _region_upsert(Province, code=code, name=name)


@transaction.atomic
def regency_upsert(*, province: Province, code: str, name: str) -> Regency:
    return _region_upsert(Regency, code=code, name=name, province=province)


@transaction.atomic
def district_upsert(*, regency: Regency, code: str, name: str) -> District:
    return _region_upsert(District, code=code, name=name, regency=regency)


@transaction.atomic
def village_upsert(*, district: District, code: str, name: str) -> Village:
    return _region_upsert(Village, code=code, name=name, district=district)


@transaction.atomic
def bumdes_register(*, actor: AbstractBaseUser | None, village: Village, **fields) -> Bumdes:
    bumdes = Bumdes(village=village, **{k: v for k, v in fields.items() if k in BUMDES_FIELDS})
    return validated_save(bumdes, actor=actor)


@transaction.atomic
def bumdes_update(*, actor: AbstractBaseUser | None, bumdes: Bumdes, **fields) -> Bumdes:
    for key, value in fields.items():
        if key in BUMDES_FIELDS:
            setattr(bumdes, key, value)
    return validated_save(bumdes, actor=actor)


@transaction.atomic
def facilitator_assign(
    *,
    actor: AbstractBaseUser | None,
    user: AbstractBaseUser,
    village: Village,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
) -> FacilitatorAssignment:
    assignment = FacilitatorAssignment(
        user=user, village=village, start_date=start_date, end_date=end_date
    )
    return validated_save(assignment, actor=actor)


@transaction.atomic
def facilitator_assignment_end(
    *, actor: AbstractBaseUser | None, assignment: FacilitatorAssignment, end_date: datetime.date
) -> FacilitatorAssignment:
    assignment.end_date = end_date
    return validated_save(assignment, actor=actor)


def _ancestor_ids(village_ids) -> dict[int, tuple[int, int, int]]:
    """{village id: (district id, regency id, province id)} in one query."""
    return {
        row[0]: row[1:]
        for row in Village.objects.filter(pk__in=set(village_ids)).values_list(
            "pk", "district_id", "district__regency_id", "district__regency__province_id"
        )
    }


def region_ksm_counts_add(deltas: dict[int, int]) -> None:
    """Add to the KSM counts of villages (village id -> change) and of every region above
    them, in one UPDATE per region touched. Called inside the service that registers, moves
    or imports KSM, so the counts move with the KSM in the same transaction."""
    deltas = {pk: n for pk, n in deltas.items() if n}
    if not deltas:
        return
    by_level: dict[type, Counter] = {model: Counter() for model in (District, Regency, Province)}
    ancestors = _ancestor_ids(deltas)
    for village_id, change in deltas.items():
        district_id, regency_id, province_id = ancestors[village_id]
        by_level[District][district_id] += change
        by_level[Regency][regency_id] += change
        by_level[Province][province_id] += change
    for model, counter in ((Village, Counter(deltas)), *by_level.items()):
        for pk, change in sorted(counter.items()):  # a fixed order: no deadlock between two
            if change:
                model.objects.filter(pk=pk).update(ksm_count=F("ksm_count") + change)


@transaction.atomic
def region_ksm_counts_rebuild() -> int:
    """Recount every region's KSM from the KSM table; returns how many regions changed. For
    `load_regions` and after bulk loads that skip the services (generate_scale)."""
    from django.apps import apps

    groups = apps.get_model("groups", "SelfHelpGroup").objects.order_by()
    paths = {
        Village: "village_id",
        District: "village__district_id",
        Regency: "village__district__regency_id",
        Province: "village__district__regency__province_id",
    }
    changed = 0
    for model, path in paths.items():
        counts = dict(groups.values(path).annotate(n=Count("id")).values_list(path, "n"))
        stale = [
            model(pk=pk, ksm_count=counts.get(pk, 0))
            for pk, current in model.objects.values_list("pk", "ksm_count")
            if current != counts.get(pk, 0)
        ]
        model.objects.bulk_update(stale, ["ksm_count"], batch_size=5000)
        changed += len(stale)
    return changed
