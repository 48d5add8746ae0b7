"""Finding a member by name or NIK across the groups in the user's scope."""

import datetime

import pytest
from django.urls import reverse

from groups.models import Membership
from tests.groups.factories import MemberFactory, MembershipFactory, SelfHelpGroupFactory

URL = reverse("groups:member_search")


@pytest.fixture
def siti(ksm):
    member = MemberFactory(village=ksm.village, full_name="Siti Aminah")
    MembershipFactory(group=ksm, member=member, joined_date=datetime.date(2016, 6, 1))
    return member


@pytest.fixture
def outsider(other_village):
    """A member with the same name in a KSM of a village nobody here is assigned to."""
    member = MemberFactory(village=other_village, full_name="Siti Aminah Lain")
    MembershipFactory(group=SelfHelpGroupFactory(village=other_village), member=member)
    return member


def _names(response) -> list[str]:
    page = response.context["page"]
    return [member.full_name for member in page.object_list] if page else []


def test_a_facilitator_finds_members_of_their_villages_by_part_of_the_name(
    client, facilitator, siti, outsider
):
    client.force_login(facilitator)
    response = client.get(URL, {"q": "aminah"})
    assert response.status_code == 200
    assert _names(response) == ["Siti Aminah"]
    html = response.content.decode()
    assert siti.memberships.get().group.name in html
    assert siti.nik not in html  # shown masked
    assert siti.nik[:6] in html and siti.nik[-4:] in html


def test_by_the_first_digits_or_the_whole_nik(client, facilitator, siti, outsider):
    client.force_login(facilitator)
    assert _names(client.get(URL, {"q": siti.nik})) == ["Siti Aminah"]
    assert _names(client.get(URL, {"q": siti.nik[:6]})) == ["Siti Aminah"]
    assert _names(client.get(URL, {"q": outsider.nik})) == []
    # the prefix is a range: the next kecamatan's NIK are not in it
    assert _names(client.get(URL, {"q": siti.nik[:11]})) == ["Siti Aminah"]


def test_staff_find_every_region_and_a_treasurer_only_their_group(
    client, staff_user, treasurer, siti, outsider
):
    client.force_login(staff_user)
    assert _names(client.get(URL, {"q": "Siti"})) == ["Siti Aminah", "Siti Aminah Lain"]
    client.force_login(treasurer)
    assert _names(client.get(URL, {"q": "Siti"})) == ["Siti Aminah"]


def test_only_groups_in_scope_are_shown_for_a_member_of_two(client, facilitator, siti, outsider):
    MembershipFactory(group=outsider.memberships.get().group, member=siti)
    client.force_login(facilitator)
    html = client.get(URL, {"q": "Siti Aminah"}).content.decode()
    assert outsider.memberships.get().group.name not in html.split('id="member-results"')[1]


def test_a_former_member_is_found_without_a_current_group(client, facilitator, siti):
    Membership.objects.filter(member=siti).update(left_date=datetime.date(2017, 1, 1))
    client.force_login(facilitator)
    response = client.get(URL, {"q": "Siti"})
    [found] = response.context["page"].object_list
    assert found == siti and found.active_memberships == []


@pytest.mark.parametrize(
    "text",
    ["si", "3325", "33250112345678901", "١٢٣٤٥٦٧"],
)
def test_a_search_too_short_or_not_a_nik_says_why_and_lists_nothing(client, facilitator, text):
    client.force_login(facilitator)
    response = client.get(URL, {"q": text})
    assert response.status_code == 200
    assert response.context["page"] is None
    assert response.context["form"].errors["q"]


def test_a_common_name_stops_at_the_limit_and_says_so(client, staff_user, ksm, monkeypatch):
    monkeypatch.setattr("groups.selectors.MEMBER_SEARCH_LIMIT", 3)
    for n in range(5):
        MembershipFactory(
            group=ksm, member=MemberFactory(village=ksm.village, full_name=f"Budi {n}")
        )
    client.force_login(staff_user)
    response = client.get(URL, {"q": "Budi"})
    assert response.context["more"] is True
    assert response.context["page"].paginator.count == 3
    assert _names(response) == ["Budi 0", "Budi 1", "Budi 2"]


def test_the_menu_leads_to_it(client, treasurer):
    client.force_login(treasurer)
    assert URL in client.get(reverse("groups:list")).content.decode()
