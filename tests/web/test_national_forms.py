"""At national scale a form never lists every village: staff type the village code instead."""

import pytest
from django.urls import reverse

from groups.models import SelfHelpGroup
from villages.forms import SELECT_LIMIT
from villages.models import Village


@pytest.fixture
def many_villages(district):
    Village.objects.bulk_create(
        Village(district=district, code=f"{district.code}.{2001 + n}", name=f"Desa {n}")
        for n in range(SELECT_LIMIT + 1)
    )
    return Village.objects.get(code=f"{district.code}.2001")


def test_staff_register_a_ksm_by_village_code_when_villages_are_too_many_to_list(
    staff_client, many_villages
):
    form_page = staff_client.get(reverse("groups:create"), follow=True)
    assert form_page.content.decode().count("<option") < SELECT_LIMIT

    response = staff_client.post(
        reverse("groups:create"),
        {
            "village": many_villages.code,
            "name": "KSM Sido Rukun",
            "registration_number": "07/KSM/2017",
            "origin": "new",
            "formed_date": "2017-02-01",
            "business_sector": "trade",
            "status": "active",
            "token": form_page.context["form"].token,
        },
    )

    group = SelfHelpGroup.objects.get(name="KSM Sido Rukun")
    assert response.status_code == 302
    assert group.village == many_villages


def test_editing_a_ksm_shows_its_village_code_in_the_code_box(staff_client, many_villages):
    group = SelfHelpGroup.objects.create(
        village=many_villages,
        name="KSM Ngudi Makmur",
        registration_number="01",
        origin="new",
        formed_date="2016-06-01",
    )

    response = staff_client.get(reverse("groups:update", args=[group.pk]))

    assert f'value="{many_villages.code}"' in response.content.decode()


def test_a_village_outside_the_facilitators_area_in_the_address_lists_nothing(
    facilitator_client, ksm, other_village
):
    response = facilitator_client.get(reverse("groups:list"), {"village": other_village.pk})

    assert response.status_code == 200
    assert ksm.name not in response.content.decode()
