"""The database itself refuses malformed regions, a second BUMDes and bad assignments, even
when a bulk import or an `.update()` skips Django's validation."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.groups.factories import UserFactory
from tests.villages.factories import BumdesFactory, FacilitatorAssignmentFactory
from villages.models import Bumdes, District, FacilitatorAssignment, Province, Regency, Village

pytestmark = pytest.mark.django_db


def _refused_by_database(model, **fields):
    """Insert one row past every Python check; the caller expects IntegrityError."""
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.bulk_create([model(**fields)])


def test_well_shaped_region_codes_from_province_to_village_are_accepted():
    parent = None
    for model, code in [
        (Province, "33"),
        (Regency, "33.25"),
        (District, "33.25.01"),
        (Village, "33.25.01.2001"),
    ]:
        region = model(code=code, name=f"Wilayah {code}")
        if parent is not None:
            setattr(region, model.parent_field, parent)
        region.full_clean()
        (parent,) = model.objects.bulk_create([region])

    assert Village.objects.get(code="33.25.01.2001").district.regency.province.code == "33"


@pytest.mark.parametrize("bad_code", ["3", "3a", "AB"])
def test_a_malformed_province_code_is_refused_by_the_database(bad_code):
    _refused_by_database(Province, code=bad_code, name="Provinsi")


@pytest.mark.parametrize("bad_code", ["3325", "33-25", "33.2", "33.2a", ".3325"])
def test_a_malformed_regency_code_is_refused_by_the_database(bad_code, province):
    _refused_by_database(Regency, code=bad_code, name="Kabupaten", province=province)


@pytest.mark.parametrize("bad_code", ["332501", "33.25.1", "33.25", "33/25/01"])
def test_a_malformed_district_code_is_refused_by_the_database(bad_code, regency):
    _refused_by_database(District, code=bad_code, name="Kecamatan", regency=regency)


@pytest.mark.parametrize("bad_code", ["33.25.01.201", "3325012001", "33.25.01", "33.25.01.20a1"])
def test_a_malformed_village_code_is_refused_by_the_database(bad_code, district):
    _refused_by_database(Village, code=bad_code, name="Desa", district=district)


def test_an_update_that_breaks_a_village_code_is_refused_by_the_database(village):
    with pytest.raises(IntegrityError), transaction.atomic():
        Village.objects.filter(pk=village.pk).update(code="33.25.01.1")


def test_two_villages_cannot_share_a_code(village):
    _refused_by_database(Village, code=village.code, name="Kembar", district=village.district)


def test_a_village_code_must_start_with_its_district_code(district):
    village = Village(district=district, code="33.26.01.2001", name="Salah Tempat")

    with pytest.raises(ValidationError) as error:
        village.full_clean()

    assert "code" in error.value.message_dict


def test_a_village_has_at_most_one_bumdes(bumdes):
    _refused_by_database(
        Bumdes,
        village=bumdes.village,
        name="BUMDes Kedua",
        established_date=datetime.date(2018, 1, 1),
    )


def test_two_bumdes_cannot_share_a_legal_registration_number():
    BumdesFactory(registration_number="AHU-0001.AH.01.33.2021")

    with pytest.raises(IntegrityError), transaction.atomic():
        BumdesFactory(registration_number="AHU-0001.AH.01.33.2021")


def test_many_bumdes_may_be_unregistered():
    BumdesFactory(registration_number="")
    BumdesFactory(registration_number="")

    assert Bumdes.objects.filter(registration_number="").count() == 2


@pytest.mark.parametrize(("field", "value"), [("status", "bankrupt"), ("ranking", "legendary")])
def test_an_unknown_bumdes_status_or_ranking_is_refused_by_the_database(bumdes, field, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        Bumdes.objects.filter(pk=bumdes.pk).update(**{field: value})


def test_an_assignment_cannot_end_before_it_starts(village):
    _refused_by_database(
        FacilitatorAssignment,
        user=UserFactory(),
        village=village,
        start_date=datetime.date(2017, 1, 1),
        end_date=datetime.date(2016, 12, 31),
    )


def test_a_facilitator_has_one_open_assignment_per_village(village):
    assignment = FacilitatorAssignmentFactory(village=village)

    _refused_by_database(
        FacilitatorAssignment,
        user=assignment.user,
        village=village,
        start_date=datetime.date(2017, 1, 1),
    )


def test_a_facilitator_may_return_to_a_village_after_an_ended_assignment(village):
    ended = FacilitatorAssignmentFactory(village=village, end_date=datetime.date(2016, 12, 31))

    FacilitatorAssignment.objects.bulk_create(
        [
            FacilitatorAssignment(
                user=ended.user, village=village, start_date=datetime.date(2018, 1, 1)
            )
        ]
    )

    assert FacilitatorAssignment.objects.filter(user=ended.user, village=village).count() == 2
