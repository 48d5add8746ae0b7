"""Registering a KSM, a member or a cooperative is made once however often the form is sent
(a double tap, Back and send again, a replay): the page's one-time token (ksm_portal/once.py),
as the visit and training forms. Attendance is a list set as a whole, so sending it twice
leaves the same rows."""

import pytest
from django.urls import reverse

from groups.models import Cooperative, Member, Membership, SelfHelpGroup
from tests.groups.factories import MembershipFactory, SelfHelpGroupFactory
from tests.training.factories import TrainingEventFactory
from tests.web.support import logged_in, non_field_errors, parse, translated
from tests.web.test_views import member_form
from training.models import Attendance

pytestmark = pytest.mark.django_db


def form_page(client, url: str):
    """The form's page as a browser opens it: sent on to the address that carries the token."""
    page = client.get(url, follow=True)
    assert page.status_code == 200
    assert "t=" in page.request["QUERY_STRING"]
    return page


def sent_twice(client, url: str, data: dict):
    """Both answers to one filled-in form sent twice with the token its page gave."""
    page = form_page(client, url)
    address = f"{url}?{page.request['QUERY_STRING']}"
    data = {**data, "token": page.context["form"].token}
    return client.post(address, data), client.post(address, data, follow=True)


def ksm_form(village, **changes) -> dict:
    return {
        "village": village.pk,
        "name": "KSM Sido Rukun",
        "registration_number": "07/KSM/2017",
        "origin": "new",
        "formed_date": "2017-02-01",
        "business_sector": "trade",
        "status": "active",
        **changes,
    }


def test_a_ksm_registration_sent_twice_registers_one_ksm(staff_client, village):
    first, second = sent_twice(staff_client, reverse("groups:create"), ksm_form(village))

    assert first.status_code == 302, first.context["form"].errors if first.context else ""
    group = SelfHelpGroup.objects.get(name="KSM Sido Rukun")
    assert SelfHelpGroup.objects.filter(name="KSM Sido Rukun").count() == 1
    assert second.redirect_chain[-1][0] == group.get_absolute_url()
    assert translated("This was already recorded.") in second.content.decode()


def test_a_ksm_registration_without_its_token_registers_nothing(staff_client, village):
    response = staff_client.post(reverse("groups:create"), ksm_form(village))

    assert response.status_code == 200
    assert non_field_errors(response)
    assert not SelfHelpGroup.objects.filter(name="KSM Sido Rukun").exists()


def test_two_forms_opened_one_after_the_other_register_two_ksm(staff_client, village):
    for number, name in enumerate(("KSM Satu", "KSM Dua")):
        data = ksm_form(village, name=name, registration_number=f"0{number}/KSM/2017")
        _, second = sent_twice(staff_client, reverse("groups:create"), data)
        assert second.status_code == 200

    assert SelfHelpGroup.objects.filter(name__in=["KSM Satu", "KSM Dua"]).count() == 2


def test_a_member_registration_sent_twice_makes_one_member_and_one_membership(
    facilitator_client, ksm
):
    url = reverse("groups:member_add", args=[ksm.pk])
    first, second = sent_twice(facilitator_client, url, member_form(ksm))

    assert first.status_code == 302
    member = Member.objects.get(nik="3325015205850007")
    assert Membership.objects.filter(member=member, group=ksm).count() == 1
    assert second.redirect_chain[-1][0] == ksm.get_absolute_url()
    assert translated("This was already recorded.") in second.content.decode()


def test_a_member_form_token_is_for_its_own_ksm_only(facilitator_client, ksm, village):
    other = SelfHelpGroupFactory(village=village)
    page = form_page(facilitator_client, reverse("groups:member_add", args=[other.pk]))

    response = facilitator_client.post(
        reverse("groups:member_add", args=[ksm.pk]),
        {**member_form(ksm), "token": page.context["form"].token},
    )

    assert response.status_code == 200
    assert non_field_errors(response)
    assert not Member.objects.filter(nik="3325015205850007").exists()


def test_a_cooperative_registration_sent_twice_registers_one(program_staff, regency):
    client = logged_in(program_staff)
    page = form_page(client, reverse("groups:cooperative_create"))
    fields = {
        name: box.attrs.get("value", "")
        for box in parse(page).find_all("input")
        if (name := box.attrs.get("name")) and box.attrs.get("type") not in ("submit", "checkbox")
    }
    data = {
        **fields,
        "name": "Koperasi Maju Bersama",
        "regency": regency.pk,
        "legal_entity_number": "",
        "established_date": "2017-03-01",
        "status": "active",
    }
    address = f"{reverse('groups:cooperative_create')}?{page.request['QUERY_STRING']}"

    first = client.post(address, data)
    second = client.post(address, data, follow=True)

    assert first.status_code == 302, first.context["form"].errors if first.context else ""
    assert Cooperative.objects.filter(name="Koperasi Maju Bersama").count() == 1
    assert translated("This was already recorded.") in second.content.decode()


def test_attendance_sent_twice_leaves_one_row_per_member(facilitator_client, facilitator, ksm):
    event = TrainingEventFactory(village=ksm.village, organiser=facilitator, invited=[ksm])
    present = MembershipFactory(group=ksm)
    url = reverse("training:event_attendance", args=[event.pk, ksm.pk])
    data = {f"attended_{present.member_id}": "on", f"pre_{present.member_id}": "40"}

    assert facilitator_client.post(url, data).status_code == 302
    assert facilitator_client.post(url, data).status_code == 302

    assert list(Attendance.objects.values_list("member_id", "pre_score")) == [
        (present.member_id, 40)
    ]
