"""The pages as each kind of user meets them: who may see and change what, the forms' answers,
and lists and reports whose database work does not grow with the data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from groups.models import (
    Cooperative,
    CooperativeMembership,
    Member,
    Membership,
    SelfHelpGroup,
)
from tests.groups.factories import (
    CooperativeFactory,
    CooperativeMembershipFactory,
    MembershipFactory,
    SelfHelpGroupFactory,
    make_family_card_number,
    make_nik,
)
from tests.villages.factories import (
    BumdesFactory,
    DistrictFactory,
    FacilitatorAssignmentFactory,
    VillageFactory,
)
from tests.web.support import (
    element,
    field_errors,
    logged_in,
    non_field_errors,
    parse,
    translated,
)
from villages.models import Bumdes

pytestmark = pytest.mark.django_db

PAGE_SIZE = 25


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def village_in(district, number: int, **fields):
    """A village with an explicit code, so it never meets a fixture's code by chance."""
    return VillageFactory(district=district, code=f"{district.code}.{3000 + number}", **fields)


def listed_names(response) -> list[str]:
    return [row[0] for row in element(response, "ksm-list").rows()[1:]]


# --- Logging in and the start page ------------------------------------------------------------


def test_an_anonymous_visitor_of_the_ksm_list_is_sent_to_the_login_page(client):
    response = client.get("/ksm/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/ksm/"


def test_a_facilitators_start_page_lists_the_villages_assigned_to_them(
    facilitator_client, village, other_village
):
    response = facilitator_client.get("/")

    assert response.status_code == 200
    list_url = reverse("groups:list")
    village_link = (
        f"{list_url}?regency={village.district.regency_id}"
        f"&district={village.district_id}&village={village.pk}"
    )
    assert village_link in parse(response).hrefs()
    assert village.code in response.content.decode()
    assert other_village.code not in response.content.decode()


def test_a_treasurers_start_page_links_to_their_own_group(treasurer_client, ksm):
    response = treasurer_client.get("/")

    assert response.status_code == 200
    assert ksm.get_absolute_url() in parse(response).hrefs()
    assert escape(ksm.name) in response.content.decode()


def test_a_user_with_no_role_is_told_the_account_is_not_linked_yet(client, user, ksm):
    client.force_login(user)

    response = client.get("/")

    notice = translated(
        "Your account is not yet linked to any village or group. "
        "Please contact the Bina Swadaya program staff."
    )
    assert escape(notice) in response.content.decode()
    assert ksm.get_absolute_url() not in parse(response).hrefs()


# --- Who sees what ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page",
    [
        "KSM detail",
        "KSM edit",
        "add member",
        "member edit",
        "membership end",
        "membership role",
        "BUMDes detail",
        "BUMDes edit",
        "cooperative detail",
    ],
)
def test_a_facilitator_gets_not_found_for_another_villages_pages(
    facilitator_client, village_b, page
):
    response = facilitator_client.get(village_b.pages()[page])

    assert response.status_code == 404


@pytest.mark.parametrize(
    "page",
    ["KSM edit", "add member", "member edit", "membership end", "membership role", "BUMDes edit"],
)
def test_a_facilitator_cannot_change_another_villages_data_by_posting(
    facilitator_client, village_b, page
):
    data = {"left_date": "2020-01-01", "role": "chair", "name": "Hacked", "full_name": "Hacked"}

    response = facilitator_client.post(village_b.pages()[page], data)

    assert response.status_code == 404
    village_b.membership.refresh_from_db()
    assert (village_b.membership.left_date, village_b.membership.role) == (None, "member")
    assert not SelfHelpGroup.objects.filter(name="Hacked").exists()
    assert not Bumdes.objects.filter(name="Hacked").exists()


def test_a_facilitator_whose_assignment_has_ended_no_longer_sees_the_villages_ksm(
    client, village, ksm
):
    former = FacilitatorAssignmentFactory(village=village, ended=True).user
    client.force_login(former)

    assert client.get(ksm.get_absolute_url()).status_code == 404
    assert ksm.name not in client.get("/ksm/").content.decode()


def test_a_treasurer_finds_only_their_own_group_in_the_ksm_list(treasurer_client, ksm, village):
    SelfHelpGroupFactory(village=village, name="KSM Tetangga")

    response = treasurer_client.get("/ksm/")

    assert listed_names(response) == [ksm.name]


def test_a_facilitator_does_not_find_another_villages_ksm_in_the_list(
    facilitator_client, ksm, village_b
):
    response = facilitator_client.get("/ksm/")

    assert listed_names(response) == [ksm.name]


def test_a_treasurer_gets_not_found_for_another_group(treasurer_client, village_b):
    response = treasurer_client.get(village_b.pages()["KSM detail"])

    assert response.status_code == 404


def test_a_treasurer_reads_their_own_group_without_any_edit_links(treasurer_client, ksm, member):
    response = treasurer_client.get(ksm.get_absolute_url())

    assert response.status_code == 200
    assert member.full_name in element(response, "members").text
    hrefs = parse(response).hrefs()
    assert reverse("groups:update", args=[ksm.pk]) not in hrefs
    assert reverse("groups:member_add", args=[ksm.pk]) not in hrefs
    assert reverse("groups:member_update", args=[member.pk]) not in hrefs
    membership = member.memberships.get()
    assert reverse("groups:membership_end", args=[membership.pk]) not in hrefs


@pytest.mark.parametrize("url_name", ["groups:update", "groups:member_add"])
def test_a_treasurer_is_forbidden_to_change_their_own_group(treasurer_client, ksm, url_name):
    response = treasurer_client.get(reverse(url_name, args=[ksm.pk]))

    assert response.status_code == 403


def test_a_treasurer_cannot_rename_their_own_group_by_posting(treasurer_client, ksm):
    response = treasurer_client.post(reverse("groups:update", args=[ksm.pk]), {"name": "Hacked"})

    assert response.status_code == 403
    ksm.refresh_from_db()
    assert ksm.name != "Hacked"


def test_program_staff_open_every_page_of_every_village(staff_client, village_b):
    statuses = {
        page: staff_client.get(url, follow=True).status_code  # a form goes on to its token
        for page, url in village_b.pages().items()
    }

    assert statuses == dict.fromkeys(village_b.pages(), 200)


# --- KSM list -----------------------------------------------------------------------------------


def test_the_ksm_list_finds_a_group_by_part_of_its_name(staff_client, village):
    SelfHelpGroupFactory(village=village, name="KSM Mawar Merah")
    SelfHelpGroupFactory(village=village, name="KSM Melati")

    response = staff_client.get("/ksm/", {"q": "mawar"})

    assert listed_names(response) == ["KSM Mawar Merah"]


def test_the_ksm_list_finds_a_group_by_its_registration_number(staff_client, village):
    SelfHelpGroupFactory(village=village, name="KSM Anggrek", registration_number="077/KSM/2017")
    SelfHelpGroupFactory(village=village, name="KSM Kenanga", registration_number="078/KSM/2017")

    response = staff_client.get("/ksm/", {"q": "077/KSM"})

    assert listed_names(response) == ["KSM Anggrek"]


def test_the_ksm_list_filters_by_regency(staff_client, village, other_village):
    SelfHelpGroupFactory(village=village, name="KSM Batang")
    SelfHelpGroupFactory(village=other_village, name="KSM Elsewhere")

    response = staff_client.get("/ksm/", {"regency": village.district.regency_id})

    assert listed_names(response) == ["KSM Batang"]


def test_the_ksm_list_filters_by_district(staff_client, village, regency):
    neighbour = village_in(DistrictFactory(regency=regency, code="33.25.09"), 1)
    SelfHelpGroupFactory(village=village, name="KSM Wonotunggal")
    SelfHelpGroupFactory(village=neighbour, name="KSM Next District")

    response = staff_client.get("/ksm/", {"regency": regency.pk, "district": neighbour.district_id})

    assert listed_names(response) == ["KSM Next District"]


def test_the_ksm_list_filters_by_village(facilitator_client, facilitator, village, district):
    neighbour = village_in(district, 1)
    FacilitatorAssignmentFactory(user=facilitator, village=neighbour)
    SelfHelpGroupFactory(village=village, name="KSM Here")
    SelfHelpGroupFactory(village=neighbour, name="KSM Next Door")

    response = facilitator_client.get(
        "/ksm/",
        {"regency": district.regency_id, "district": district.pk, "village": neighbour.pk},
    )

    assert listed_names(response) == ["KSM Next Door"]


def test_the_ksm_list_filters_by_origin(staff_client, village):
    SelfHelpGroupFactory(village=village, name="KSM Baru")
    SelfHelpGroupFactory(village=village, name="KSM Lama", reactivated=True)

    response = staff_client.get("/ksm/", {"origin": "reactivated"})

    assert listed_names(response) == ["KSM Lama"]


def test_the_ksm_list_filters_by_status(staff_client, village):
    SelfHelpGroupFactory(village=village, name="KSM Aktif")
    SelfHelpGroupFactory(village=village, name="KSM Tidur", status=SelfHelpGroup.Status.DORMANT)

    response = staff_client.get("/ksm/", {"status": "dormant"})

    assert listed_names(response) == ["KSM Tidur"]


def test_the_ksm_list_shows_25_groups_a_page_and_the_rest_on_page_two(staff_client, village):
    for number in range(1, 28):
        SelfHelpGroupFactory(village=village, name=f"KSM {number:02d}")

    first = staff_client.get("/ksm/")
    second = staff_client.get("/ksm/", {"page": 2})

    assert listed_names(first) == [f"KSM {n:02d}" for n in range(1, 26)]
    assert listed_names(second) == ["KSM 26", "KSM 27"]
    assert "?page=2" in parse(first).page_links()


def test_the_next_page_link_keeps_the_search(staff_client, village):
    for number in range(1, 31):
        SelfHelpGroupFactory(village=village, name=f"KSM Mawar {number:02d}")
    SelfHelpGroupFactory(village=village, name="KSM Melati")

    first = staff_client.get("/ksm/", {"q": "Mawar"})
    second = staff_client.get("/ksm/", {"q": "Mawar", "page": 2})

    assert "?q=Mawar&page=2" in parse(first).page_links()
    assert listed_names(second) == [f"KSM Mawar {n:02d}" for n in range(26, 31)]


@pytest.mark.parametrize("who", ["staff_user", "facilitator"])
def test_the_ksm_list_needs_as_many_queries_for_40_groups_as_for_3(
    request, facilitator, village, who
):
    """40 KSM in four villages of the facilitator: a full first page and a second one."""
    client = logged_in(request.getfixturevalue(who))
    villages = [village, *(village_in(village.district, n) for n in range(3))]
    for other in villages[1:]:
        FacilitatorAssignmentFactory(user=facilitator, village=other)
    SelfHelpGroupFactory.create_batch(3, village=village)
    client.get("/ksm/")  # warm-up: one-time lookups are not what this test is about

    few = queries_for(client, "/ksm/")
    for index in range(37):
        SelfHelpGroupFactory(village=villages[index % len(villages)])
    many = queries_for(client, "/ksm/")

    assert SelfHelpGroup.objects.count() == 40
    assert many == few


# --- KSM detail ---------------------------------------------------------------------------------


def test_the_ksm_page_shows_its_officers_and_members(facilitator_client, ksm):
    chair = MembershipFactory(group=ksm, chair=True, member__full_name="Siti Aminah")
    treasurer = MembershipFactory(group=ksm, treasurer=True, member__full_name="Budi Santoso")
    ordinary = MembershipFactory(group=ksm, member__full_name="Dewi Lestari")

    response = facilitator_client.get(ksm.get_absolute_url())

    officers = element(response, "officers").text
    assert chair.member.full_name in officers
    assert treasurer.member.full_name in officers
    assert ordinary.member.full_name not in officers
    members = [row[0] for row in element(response, "members").rows()[1:]]
    assert sorted(members) == ["Budi Santoso", "Dewi Lestari", "Siti Aminah"]


def test_the_ksm_page_needs_as_many_queries_for_25_members_as_for_5(facilitator_client, village):
    small = SelfHelpGroupFactory(village=village)
    large = SelfHelpGroupFactory(village=village)
    for group, size in ((small, 5), (large, 25)):
        MembershipFactory(group=group, chair=True)
        MembershipFactory(group=group, treasurer=True)
        MembershipFactory.create_batch(size - 2, group=group)
        MembershipFactory(group=group, ended=True)
    facilitator_client.get(small.get_absolute_url())

    few = queries_for(facilitator_client, small.get_absolute_url())
    many = queries_for(facilitator_client, large.get_absolute_url())

    assert many == few


# --- Registering and changing a KSM -------------------------------------------------------------


def ksm_form(village, **changes) -> dict:
    data = {
        "village": village.pk,
        "name": "KSM Tunas Harapan",
        "registration_number": "101/KSM/2016",
        "origin": "new",
        "formed_date": "2016-06-01",
        "reactivated_date": "",
        "business_sector": "savings_loans",
        "status": "active",
        "meeting_day": "10",
        "address": "RT 01 RW 02",
    }
    data.update(changes)
    return data


def test_a_facilitator_registers_a_ksm_in_their_village(facilitator_client, facilitator, village):
    response = post_form(facilitator_client, "/ksm/new/", ksm_form(village))

    group = SelfHelpGroup.objects.get(name="KSM Tunas Harapan")
    assert response.status_code == 302
    assert response["Location"] == group.get_absolute_url()
    assert group.village == village
    assert group.created_by == facilitator
    assert group.formed_date == datetime.date(2016, 6, 1)


def test_a_reactivated_ksm_without_its_reactivation_date_is_refused(facilitator_client, village):
    response = post_form(facilitator_client, "/ksm/new/", ksm_form(village, origin="reactivated"))

    assert response.status_code == 200
    assert field_errors(response, "reactivated_date")
    assert not SelfHelpGroup.objects.exists()


def test_a_reactivated_ksm_with_its_reactivation_date_is_registered(facilitator_client, village):
    response = post_form(
        facilitator_client,
        "/ksm/new/",
        ksm_form(
            village, origin="reactivated", formed_date="2009-03-01", reactivated_date="2016-07-15"
        ),
    )

    assert response.status_code == 302
    assert SelfHelpGroup.objects.get().reactivated_date == datetime.date(2016, 7, 15)


def test_a_registration_number_already_used_in_the_village_is_refused(facilitator_client, village):
    SelfHelpGroupFactory(village=village, registration_number="101/KSM/2016")

    response = post_form(facilitator_client, "/ksm/new/", ksm_form(village))

    assert response.status_code == 200
    assert non_field_errors(response) == [
        translated("Another KSM in this village already has this registration number.")
    ]
    assert SelfHelpGroup.objects.count() == 1


def test_a_ksm_formed_in_the_future_is_refused(facilitator_client, village):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = post_form(
        facilitator_client, "/ksm/new/", ksm_form(village, formed_date=tomorrow.isoformat())
    )

    assert response.status_code == 200
    assert field_errors(response, "formed_date") == [translated("This date is in the future.")]
    assert not SelfHelpGroup.objects.exists()


def test_a_facilitator_cannot_register_a_ksm_in_a_village_not_assigned_to_them(
    facilitator_client, village, other_village
):
    form_page = facilitator_client.get("/ksm/new/", follow=True)
    response = post_form(facilitator_client, "/ksm/new/", ksm_form(other_village))

    choices = list(form_page.context["form"].fields["village"].queryset)
    assert choices == [village]
    assert response.status_code == 200
    assert field_errors(response, "village")
    assert not SelfHelpGroup.objects.exists()


def test_a_user_who_looks_after_no_village_may_not_register_a_ksm(client, user, village):
    client.force_login(user)

    response = client.post("/ksm/new/", ksm_form(village))

    assert response.status_code == 403
    assert not SelfHelpGroup.objects.exists()


def test_a_facilitator_edits_a_ksm_of_their_village(facilitator_client, facilitator, ksm):
    response = facilitator_client.post(
        reverse("groups:update", args=[ksm.pk]),
        ksm_form(ksm.village, name="KSM Tunas Baru", registration_number=ksm.registration_number),
    )

    assert response.status_code == 302
    ksm.refresh_from_db()
    assert ksm.name == "KSM Tunas Baru"
    assert ksm.updated_by == facilitator


# --- Members ------------------------------------------------------------------------------------

BIRTH = datetime.date(1985, 5, 12)


def post_form(client, url: str, data: dict, **kwargs):
    """Post as the browser does: with the one-time token the form's page gave it."""
    page = client.get(url, follow=True)
    return client.post(url, {**data, "token": page.context["form"].token}, **kwargs)


def member_form(ksm, **changes) -> dict:
    district = ksm.village.district.code
    data = {
        "nik": make_nik(district, BIRTH, "F", 7),
        "family_card_number": make_family_card_number(district, 7),
        "full_name": "Sri  Wahyuni",
        "sex": "F",
        "birth_date": BIRTH.isoformat(),
        "village": ksm.village_id,
        "address": "RT 03 RW 01",
        "phone": "0812 3456 7890",
        "role": "member",
        "joined_date": "2016-07-01",
        "save": "",
    }
    data.update(changes)
    return data


def test_a_member_with_a_valid_nik_joins_the_ksm(facilitator_client, facilitator, ksm):
    response = post_form(
        facilitator_client, reverse("groups:member_add", args=[ksm.pk]), member_form(ksm)
    )

    assert response.status_code == 302
    assert response["Location"] == ksm.get_absolute_url()
    member = Member.objects.get(nik="3325015205850007")
    assert member.full_name == "Sri Wahyuni"
    assert member.phone == "081234567890"
    assert member.created_by == facilitator
    membership = member.memberships.get()
    assert membership.group == ksm
    assert membership.is_active
    assert membership.role == Membership.Role.MEMBER
    assert "Sri Wahyuni" in element(facilitator_client.get(ksm.get_absolute_url()), "members").text


def test_a_phone_number_written_with_the_country_code_is_accepted_and_stored_as_08(
    facilitator_client, ksm
):
    response = post_form(
        facilitator_client,
        reverse("groups:member_add", args=[ksm.pk]),
        member_form(ksm, phone="+62 812-3456-7890"),
    )

    assert (field_errors(response, "phone") if response.context else []) == []
    assert response.status_code == 302
    assert Member.objects.get().phone == "081234567890"


def test_save_and_add_another_returns_to_an_empty_member_form(facilitator_client, ksm):
    url = reverse("groups:member_add", args=[ksm.pk])
    data = member_form(ksm)
    del data["save"]
    data["add_another"] = ""

    response = post_form(facilitator_client, url, data)

    assert response.status_code == 302
    assert response["Location"] == url
    assert Member.objects.filter(nik=data["nik"]).exists()


@pytest.mark.parametrize(
    "nik",
    [
        pytest.param("332501520585007", id="15 digits"),
        pytest.param("33250152058500070", id="17 digits"),
        pytest.param("33250152O5850007", id="a letter O for a zero"),
        pytest.param("3325011205850007", id="a man's day of birth for a woman"),
        pytest.param("3325015206850007", id="another birth month"),
        pytest.param("3325015205860007", id="another birth year"),
        pytest.param("3325015205850000", id="serial 0000"),
        pytest.param("9925015205850007", id="no such province"),
    ],
)
def test_a_member_with_an_invalid_nik_is_refused(facilitator_client, ksm, nik):
    response = post_form(
        facilitator_client, reverse("groups:member_add", args=[ksm.pk]), member_form(ksm, nik=nik)
    )

    assert response.status_code == 200
    assert field_errors(response, "nik")
    assert not Member.objects.exists()
    assert not Membership.objects.exists()


def test_a_nik_that_is_too_short_is_explained_on_the_nik_field(facilitator_client, ksm):
    response = post_form(
        facilitator_client,
        reverse("groups:member_add", args=[ksm.pk]),
        member_form(ksm, nik="332501520585007"),
    )

    assert field_errors(response, "nik") == [translated("A NIK is exactly 16 digits.")]


def test_adding_someone_already_active_in_the_ksm_is_refused(facilitator_client, ksm, member):
    response = post_form(
        facilitator_client,
        reverse("groups:member_add", args=[ksm.pk]),
        member_form(
            ksm,
            nik=member.nik,
            sex=member.sex,
            birth_date=member.birth_date.isoformat(),
            full_name="Someone Else",
        ),
    )

    assert response.status_code == 200
    assert non_field_errors(response) == [
        translated("This person is already an active member of this KSM.")
    ]
    assert Member.objects.count() == 1
    assert ksm.memberships.filter(member=member).count() == 1


def test_a_second_treasurer_is_refused_and_leaves_no_member_behind(
    facilitator_client, ksm, treasurer
):
    members_before = Member.objects.count()

    response = post_form(
        facilitator_client,
        reverse("groups:member_add", args=[ksm.pk]),
        member_form(ksm, role="treasurer"),
    )

    assert response.status_code == 200
    assert non_field_errors(response) == [translated("This KSM already has an active treasurer.")]
    assert Member.objects.count() == members_before
    assert not Member.objects.filter(nik="3325015205850007").exists()


def test_joining_before_the_ksm_was_formed_is_refused(facilitator_client, ksm):
    response = post_form(
        facilitator_client,
        reverse("groups:member_add", args=[ksm.pk]),
        member_form(ksm, joined_date="2015-01-01"),
    )

    assert response.status_code == 200
    assert field_errors(response, "joined_date")
    assert not Member.objects.exists()


def test_a_facilitator_corrects_a_members_details(facilitator_client, facilitator, ksm, member):
    data = member_form(
        ksm,
        nik=member.nik,
        family_card_number=member.family_card_number,
        sex=member.sex,
        birth_date=member.birth_date.isoformat(),
        full_name="Rina Kusuma",
        phone="0813 1111 2222",
        village=member.village_id,
    )

    response = facilitator_client.post(reverse("groups:member_update", args=[member.pk]), data)

    assert response.status_code == 302
    assert response["Location"] == ksm.get_absolute_url()
    member.refresh_from_db()
    assert member.full_name == "Rina Kusuma"
    assert member.phone == "081311112222"
    assert member.updated_by == facilitator


def test_editing_a_member_cannot_break_their_nik(facilitator_client, ksm, member):
    data = member_form(
        ksm,
        nik=member.nik,
        family_card_number=member.family_card_number,
        sex="M" if member.sex == "F" else "F",
        birth_date=member.birth_date.isoformat(),
        village=member.village_id,
    )

    response = facilitator_client.post(reverse("groups:member_update", args=[member.pk]), data)

    assert response.status_code == 200
    assert field_errors(response, "nik")
    old_sex = member.sex
    member.refresh_from_db()
    assert member.sex == old_sex


def test_a_member_who_leaves_moves_to_the_former_members(facilitator_client, ksm):
    membership = MembershipFactory(group=ksm, member__full_name="Slamet Riyadi")
    MembershipFactory(group=ksm, member__full_name="Tetap Tinggal")

    response = facilitator_client.post(
        reverse("groups:membership_end", args=[membership.pk]), {"left_date": "2020-01-31"}
    )

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.left_date == datetime.date(2020, 1, 31)
    page = facilitator_client.get(ksm.get_absolute_url())
    assert "Slamet Riyadi" not in element(page, "members").text
    assert "Tetap Tinggal" in element(page, "members").text
    assert [m.pk for m in page.context["past_memberships"]] == [membership.pk]
    assert "Slamet Riyadi" in page.content.decode()


def test_a_left_date_before_joining_is_refused(facilitator_client, ksm, member):
    membership = member.memberships.get()

    response = facilitator_client.post(
        reverse("groups:membership_end", args=[membership.pk]), {"left_date": "2016-01-01"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    membership.refresh_from_db()
    assert membership.left_date is None


def test_a_left_date_in_the_future_is_refused(facilitator_client, ksm, member):
    membership = member.memberships.get()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = facilitator_client.post(
        reverse("groups:membership_end", args=[membership.pk]), {"left_date": tomorrow}
    )

    assert field_errors(response, "left_date") == [translated("This date is in the future.")]
    membership.refresh_from_db()
    assert membership.is_active


def test_a_member_becomes_secretary_and_is_listed_among_the_officers(facilitator_client, ksm):
    membership = MembershipFactory(group=ksm, member__full_name="Wulan Sari")

    response = facilitator_client.post(
        reverse("groups:membership_role", args=[membership.pk]), {"role": "secretary"}
    )

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Membership.Role.SECRETARY
    assert "Wulan Sari" in element(facilitator_client.get(ksm.get_absolute_url()), "officers").text


def test_a_second_chair_is_refused_when_changing_a_role(facilitator_client, ksm):
    MembershipFactory(group=ksm, chair=True)
    membership = MembershipFactory(group=ksm)

    response = facilitator_client.post(
        reverse("groups:membership_role", args=[membership.pk]), {"role": "chair"}
    )

    assert response.status_code == 200
    assert non_field_errors(response) == [translated("This KSM already has an active chair.")]
    membership.refresh_from_db()
    assert membership.role == Membership.Role.MEMBER


# --- BUMDes -------------------------------------------------------------------------------------


def bumdes_form(**changes) -> dict:
    data = {
        "name": "BUMDes Maju Jaya",
        "registration_number": "",
        "established_date": "2017-01-10",
        "business_units": "Simpan pinjam\nAir bersih",
        "status": "active",
        "ranking": "growing",
    }
    data.update(changes)
    return data


def test_a_facilitator_registers_the_bumdes_of_their_village(
    facilitator_client, facilitator, village
):
    response = facilitator_client.post("/bumdes/new/", bumdes_form(village=village.pk))

    bumdes = Bumdes.objects.get()
    assert response.status_code == 302
    assert response["Location"] == bumdes.get_absolute_url()
    assert bumdes.village == village
    assert bumdes.created_by == facilitator
    assert bumdes.business_unit_list == ["Simpan pinjam", "Air bersih"]


def test_a_second_bumdes_for_the_same_village_is_refused(facilitator_client, village, bumdes):
    response = facilitator_client.post(
        "/bumdes/new/", bumdes_form(village=village.pk, name="BUMDes Kedua")
    )

    assert response.status_code == 200
    assert field_errors(response, "village")
    assert list(Bumdes.objects.all()) == [bumdes]


def test_a_facilitator_cannot_register_a_bumdes_in_another_village(
    facilitator_client, other_village
):
    response = facilitator_client.post("/bumdes/new/", bumdes_form(village=other_village.pk))

    assert field_errors(response, "village")
    assert not Bumdes.objects.exists()


def test_a_facilitator_edits_the_bumdes_of_their_village(facilitator_client, bumdes, village):
    response = facilitator_client.post(
        reverse("villages:bumdes_update", args=[bumdes.pk]),
        bumdes_form(name="BUMDes Sejahtera", ranking="advanced", village="ignored"),
    )

    assert response.status_code == 302
    bumdes.refresh_from_db()
    assert bumdes.name == "BUMDes Sejahtera"
    assert bumdes.ranking == Bumdes.Ranking.ADVANCED
    assert bumdes.village == village


def test_a_treasurer_reads_the_bumdes_of_their_village_but_cannot_edit_it(treasurer_client, bumdes):
    page = treasurer_client.get(bumdes.get_absolute_url())
    edit = treasurer_client.get(reverse("villages:bumdes_update", args=[bumdes.pk]))

    assert page.status_code == 200
    assert reverse("villages:bumdes_update", args=[bumdes.pk]) not in parse(page).hrefs()
    assert edit.status_code == 403


def test_the_bumdes_list_shows_25_a_page(staff_client):
    for number in range(1, 28):
        BumdesFactory(name=f"BUMDes {number:02d}")

    first = staff_client.get("/bumdes/")
    second = staff_client.get("/bumdes/", {"page": 2})

    assert len(first.context["page"].object_list) == PAGE_SIZE
    assert [b.name for b in second.context["page"].object_list] == [
        b.name for b in Bumdes.objects.order_by("village__code")[PAGE_SIZE:]
    ]
    assert len(second.context["page"].object_list) == 2
    assert "?page=2" in parse(first).page_links()


def test_the_next_page_of_bumdes_keeps_the_search(staff_client):
    for number in range(1, 31):
        BumdesFactory(name=f"BUMDes Mawar {number:02d}")
    BumdesFactory(name="BUMDes Melati")

    first = staff_client.get("/bumdes/", {"q": "Mawar"})

    assert len(first.context["page"].object_list) == PAGE_SIZE
    assert "?q=Mawar&page=2" in parse(first).page_links()


# --- Cooperatives -------------------------------------------------------------------------------


def cooperative_form(regency, **changes) -> dict:
    data = {
        "name": "Koperasi Desa Makmur",
        "legal_entity_number": "AHU-0001234.AH.01.26.2018",
        "established_date": "2018-02-01",
        "regency": regency.pk,
        "status": "active",
        "address": "Jl. Raya Batang 1",
    }
    data.update(changes)
    return data


def test_program_staff_register_a_cooperative(staff_client, staff_user, regency):
    response = post_form(staff_client, "/cooperatives/new/", cooperative_form(regency))

    cooperative = Cooperative.objects.get()
    assert response.status_code == 302
    assert response["Location"] == cooperative.get_absolute_url()
    assert cooperative.regency == regency
    assert cooperative.created_by == staff_user


def test_program_staff_edit_a_cooperative(staff_client, cooperative, regency):
    response = staff_client.post(
        reverse("groups:cooperative_update", args=[cooperative.pk]),
        cooperative_form(regency, name="Koperasi Baru", status="dormant"),
    )

    assert response.status_code == 302
    cooperative.refresh_from_db()
    assert cooperative.name == "Koperasi Baru"
    assert cooperative.status == Cooperative.Status.DORMANT


def test_program_staff_admit_a_ksm_by_village_code_and_registration_number(
    staff_client, cooperative, ksm
):
    response = staff_client.post(
        reverse("groups:cooperative_admit", args=[cooperative.pk]),
        {
            "village_code": ksm.village.code,
            "registration_number": ksm.registration_number,
            "joined_date": "2018-01-15",
        },
    )

    assert response.status_code == 302
    membership = CooperativeMembership.objects.get()
    assert (membership.cooperative, membership.group) == (cooperative, ksm)
    assert membership.left_date is None
    page = staff_client.get(cooperative.get_absolute_url())
    assert ksm.get_absolute_url() in parse(page).hrefs()


def admit_unknown_ksm(client, cooperative, ksm):
    return client.post(
        reverse("groups:cooperative_admit", args=[cooperative.pk]),
        {
            "village_code": ksm.village.code,
            "registration_number": "999/NONE/2016",
            "joined_date": "2018-01-15",
        },
        follow=True,
    )


def test_admitting_an_unknown_ksm_admits_nothing_and_says_why(staff_client, cooperative, ksm):
    response = admit_unknown_ksm(staff_client, cooperative, ksm)

    expected = translated("No KSM with this registration number in that village.")
    assert expected in [str(message) for message in response.context["messages"]]
    assert not CooperativeMembership.objects.exists()


def test_the_reason_an_admission_failed_is_shown_once(staff_client, cooperative, ksm):
    response = admit_unknown_ksm(staff_client, cooperative, ksm)

    expected = translated("No KSM with this registration number in that village.")
    assert [str(message) for message in response.context["messages"]] == [expected]


def test_the_next_page_of_cooperatives_keeps_the_search(staff_client, regency):
    for number in range(1, 31):
        CooperativeFactory(regency=regency, name=f"Koperasi Mawar {number:02d}")
    CooperativeFactory(regency=regency, name="Koperasi Melati")

    first = staff_client.get("/cooperatives/", {"q": "Mawar"})

    assert [c.name for c in first.context["page"].object_list][-1] == "Koperasi Mawar 25"
    assert "?q=Mawar&page=2" in parse(first).page_links()


def test_program_staff_record_that_a_ksm_left_a_cooperative(staff_client, cooperative, ksm):
    membership = CooperativeMembershipFactory(cooperative=cooperative, group=ksm)

    response = staff_client.post(
        reverse("groups:cooperative_membership_end", args=[membership.pk]),
        {"left_date": "2021-12-31"},
    )

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.left_date == datetime.date(2021, 12, 31)


def test_a_facilitator_reads_a_cooperative_of_their_ksm_without_an_edit_link(
    facilitator_client, cooperative, ksm
):
    CooperativeMembershipFactory(cooperative=cooperative, group=ksm)
    edit_url = reverse("groups:cooperative_update", args=[cooperative.pk])

    page = facilitator_client.get(cooperative.get_absolute_url())
    edit = facilitator_client.get(edit_url)

    assert page.status_code == 200
    assert ksm.get_absolute_url() in parse(page).hrefs()
    assert edit_url not in parse(page).hrefs()
    assert edit.status_code == 403


def test_a_facilitator_cannot_admit_a_ksm_to_a_cooperative(facilitator_client, cooperative, ksm):
    CooperativeMembershipFactory(cooperative=cooperative, group=ksm)
    other = SelfHelpGroupFactory(village=ksm.village)

    response = facilitator_client.post(
        reverse("groups:cooperative_admit", args=[cooperative.pk]),
        {
            "village_code": other.village.code,
            "registration_number": other.registration_number,
            "joined_date": "2018-01-15",
        },
    )

    assert response.status_code == 403
    assert CooperativeMembership.objects.count() == 1


def test_a_facilitator_does_not_see_a_cooperative_their_ksm_has_left(
    facilitator_client, cooperative, ksm
):
    CooperativeMembershipFactory(cooperative=cooperative, group=ksm, ended=True)

    response = facilitator_client.get(cooperative.get_absolute_url())

    assert response.status_code == 404


# --- Language -----------------------------------------------------------------------------------


def test_switching_the_language_to_english_changes_the_page_language(facilitator_client):
    before = facilitator_client.get("/")

    response = facilitator_client.post(
        "/i18n/setlang/", {"language": "en", "next": "/ksm/"}, follow=True
    )

    assert parse(before).find_all("html")[0].attrs["lang"] == "id"
    assert response.redirect_chain[-1][0] == "/ksm/"
    assert parse(response).find_all("html")[0].attrs["lang"] == "en"
    assert parse(facilitator_client.get("/")).find_all("html")[0].attrs["lang"] == "en"
