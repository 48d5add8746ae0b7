"""Region imports, BUMDes and facilitator assignments go through services that validate like a
form and refuse without saving anything."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from tests.villages.factories import BumdesFactory, FacilitatorAssignmentFactory
from villages import services
from villages.models import Bumdes, District, FacilitatorAssignment, Province, Regency, Village

pytestmark = pytest.mark.django_db


def _tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


def refused(service, *, field: str, **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as error:
        service(**kwargs)
    messages = error.value.message_dict.get(field, [])
    assert messages, f"no message on {field!r}: {error.value.message_dict}"
    return messages


# --- Regions -----------------------------------------------------------------------------------


def test_importing_the_batang_region_tree_builds_it_once():
    for _ in range(2):
        province = services.province_upsert(code="33", name="Jawa Tengah")
        regency = services.regency_upsert(province=province, code="33.25", name="Batang")
        district = services.district_upsert(regency=regency, code="33.25.01", name="Wonotunggal")
        village = services.village_upsert(district=district, code="33.25.01.2001", name="Sodong")

    assert (Province.objects.count(), Regency.objects.count()) == (1, 1)
    assert (District.objects.count(), Village.objects.count()) == (1, 1)
    assert Village.objects.get().district.regency.province == province
    assert str(village) == "33.25.01.2001 Sodong"


def test_importing_a_village_again_with_a_new_name_renames_it(village):
    services.village_upsert(district=village.district, code=village.code, name="Kedungmalang")

    village.refresh_from_db()
    assert village.name == "Kedungmalang"
    assert Village.objects.count() == 1


@pytest.mark.parametrize("code", ["33.25.01.201", "33.25.01", "3325012001"])
def test_a_village_with_a_malformed_code_is_refused(district, code):
    refused(services.village_upsert, field="code", district=district, code=code, name="Desa")

    assert not Village.objects.exists()


def test_a_village_whose_code_is_outside_its_district_is_refused(district):
    refused(
        services.village_upsert, field="code", district=district, code="33.25.02.2001", name="Desa"
    )

    assert not Village.objects.exists()


def test_a_regency_whose_code_is_outside_its_province_is_refused(province):
    refused(services.regency_upsert, field="code", province=province, code="32.25", name="Garut")

    assert not Regency.objects.exists()


# --- BUMDes ------------------------------------------------------------------------------------


def test_a_facilitator_registers_the_villages_bumdes(village, facilitator):
    bumdes = services.bumdes_register(
        actor=facilitator,
        village=village,
        name="BUMDes Maju Jaya",
        established_date=datetime.date(2017, 2, 1),
        business_units="Simpan pinjam\n\nAir bersih ",
        ranking=Bumdes.Ranking.GROWING,
    )

    bumdes.refresh_from_db()
    assert bumdes.village == village
    assert bumdes.business_unit_list == ["Simpan pinjam", "Air bersih"]
    assert (bumdes.created_by, bumdes.updated_by) == (facilitator, facilitator)
    assert bumdes.history.count() == 1


def test_a_bumdes_established_in_the_future_is_refused(village, facilitator):
    refused(
        services.bumdes_register,
        field="established_date",
        actor=facilitator,
        village=village,
        name="BUMDes Esok",
        established_date=_tomorrow(),
    )

    assert not Bumdes.objects.exists()


def test_a_second_bumdes_in_the_same_village_is_refused(bumdes, facilitator):
    refused(
        services.bumdes_register,
        field="village",
        actor=facilitator,
        village=bumdes.village,
        name="BUMDes Kedua",
        established_date=datetime.date(2018, 1, 1),
    )

    assert Bumdes.objects.count() == 1


def test_a_bumdes_registration_number_belongs_to_one_bumdes(village, other_village, staff_user):
    BumdesFactory(village=other_village, registration_number="AHU-01.33.2021")

    refused(
        services.bumdes_register,
        field=NON_FIELD_ERRORS,
        actor=staff_user,
        village=village,
        name="BUMDes Kembar",
        established_date=datetime.date(2018, 1, 1),
        registration_number="AHU-01.33.2021",
    )

    assert not Bumdes.objects.filter(village=village).exists()


def test_updating_a_bumdes_records_who_changed_it_and_keeps_its_history(bumdes, facilitator):
    services.bumdes_update(
        actor=facilitator, bumdes=bumdes, ranking=Bumdes.Ranking.ADVANCED, village=None
    )

    bumdes.refresh_from_db()
    assert bumdes.ranking == Bumdes.Ranking.ADVANCED
    assert bumdes.updated_by == facilitator
    assert bumdes.village is not None  # the village is not a field an update may change
    latest, previous = bumdes.history.all()[:2]
    assert (previous.ranking, latest.ranking) == ("", Bumdes.Ranking.ADVANCED)
    assert latest.updated_by == facilitator


# --- Facilitator assignments -------------------------------------------------------------------


def test_staff_assign_a_facilitator_to_a_village(village, staff_user, user):
    assignment = services.facilitator_assign(
        actor=staff_user, user=user, village=village, start_date=datetime.date(2016, 5, 1)
    )

    assert list(Village.objects.assigned_to(user)) == [village]
    assert assignment.created_by == staff_user


def test_an_assignment_ending_before_it_starts_is_refused(village, staff_user, user):
    refused(
        services.facilitator_assign,
        field=NON_FIELD_ERRORS,
        actor=staff_user,
        user=user,
        village=village,
        start_date=datetime.date(2017, 1, 1),
        end_date=datetime.date(2016, 12, 31),
    )

    assert not FacilitatorAssignment.objects.exists()


def test_a_facilitator_is_not_assigned_twice_to_the_same_village(village, staff_user, facilitator):
    refused(
        services.facilitator_assign,
        field=NON_FIELD_ERRORS,
        actor=staff_user,
        user=facilitator,
        village=village,
        start_date=datetime.date(2018, 1, 1),
    )

    assert FacilitatorAssignment.objects.count() == 1


def test_ending_an_assignment_takes_the_village_away_from_the_facilitator(village, staff_user):
    assignment = FacilitatorAssignmentFactory(village=village)

    services.facilitator_assignment_end(
        actor=staff_user,
        assignment=assignment,
        end_date=timezone.localdate() - datetime.timedelta(days=1),
    )

    assert not Village.objects.assigned_to(assignment.user).exists()
    assignment.refresh_from_db()
    assert assignment.updated_by == staff_user
