"""Every write to regions, BUMDes and facilitator assignments."""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

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
