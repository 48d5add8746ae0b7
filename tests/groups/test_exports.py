"""The KSM, member and cooperative lists as xlsx and csv: the rows the page lists, with its
filters, for what the user may see, and nothing a spreadsheet would run."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from groups.models import Membership, SelfHelpGroup
from tests.export_support import filename, read_csv, read_xlsx
from tests.groups.factories import (
    CooperativeMembershipFactory,
    MemberFactory,
    MembershipFactory,
    SelfHelpGroupFactory,
)
from tests.web.support import element, logged_in, parse, translated

pytestmark = pytest.mark.django_db
READERS = {"xlsx": read_xlsx, "csv": read_csv}
FORMULA = '=HYPERLINK("http://evil.example","Klik")'


@pytest.fixture
def register(village, other_village, ksm):
    """Three KSM in the facilitator's village (one reactivated), one elsewhere, with members."""
    reactivated = SelfHelpGroupFactory(village=village, name="KSM Bina Karya", reactivated=True)
    evil = SelfHelpGroupFactory(village=village, name=FORMULA)
    elsewhere = SelfHelpGroupFactory(village=other_village, name="KSM Jauh")
    for group in (ksm, reactivated, evil, elsewhere):
        MembershipFactory(group=group)
    MembershipFactory(group=ksm, ended=True)
    return {"ksm": ksm, "reactivated": reactivated, "evil": evil, "elsewhere": elsewhere}


def _page_names(client, query) -> list[str]:
    rows = element(client.get(reverse("groups:list"), query), "ksm-list").rows()[1:]
    return [row[0] for row in rows]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_ksm_export_has_the_rows_the_filtered_list_shows(register, staff_user, fmt, village):
    client = logged_in(staff_user)
    query = {"village": village.pk, "origin": "new"}

    response = client.get(reverse("groups:list"), {**query, "format": fmt})

    table = READERS[fmt](response)
    names = [row[0] for row in table.rows]
    expected = _page_names(client, query)
    assert len(expected) == 2
    assert [name.lstrip("'") for name in names] == expected
    assert table.header[:2] == [translated("Name"), translated("Registration number")]
    origin = translated("%(label)s: %(value)s") % {
        "label": translated("Origin"),
        "value": translated("Newly formed"),
    }
    assert origin in table.heading
    assert filename(response).startswith("ksm-") and filename(response).endswith(f".{fmt}")


def test_a_ksm_name_that_looks_like_a_formula_is_text_in_both_files(register, staff_user):
    client = logged_in(staff_user)
    xlsx = read_xlsx(client.get(reverse("groups:list"), {"format": "xlsx"}), cells=True)
    cell = next(row[0] for row in xlsx.rows if row[0].value == FORMULA)
    assert cell.data_type == "s"
    csv_rows = read_csv(client.get(reverse("groups:list"), {"format": "csv"})).rows
    assert [row[0] for row in csv_rows if FORMULA in row[0]] == [f"'{FORMULA}"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_facilitators_export_has_only_their_villages(register, facilitator, fmt):
    response = logged_in(facilitator).get(reverse("groups:list"), {"format": fmt})
    names = {row[0].lstrip("'") for row in READERS[fmt](response).rows}
    assert names == {register["ksm"].name, "KSM Bina Karya", FORMULA}


def test_a_treasurers_export_has_only_their_own_ksm(register, treasurer):
    response = logged_in(treasurer).get(reverse("groups:list"), {"format": "csv"})
    assert [row[0] for row in read_csv(response).rows] == [register["ksm"].name]


def test_a_region_outside_the_users_scope_exports_an_empty_list(register, facilitator):
    other = register["elsewhere"].village
    response = logged_in(facilitator).get(
        reverse("groups:list"), {"village": other.pk, "format": "csv"}
    )
    table = read_csv(response)
    assert table.rows == []
    assert any(
        line.endswith(translated("%(value)s (not accepted)") % {"value": other.pk})
        for line in table.heading
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_members_export_lists_the_members_of_the_ksm_shown(register, facilitator, fmt):
    response = logged_in(facilitator).get(
        reverse("groups:list"), {"origin": "new", "list": "members", "format": fmt}
    )

    table = READERS[fmt](response)
    expected = Membership.objects.filter(
        group__in=[register["ksm"], register["evil"]]
    ).select_related("member")
    assert len(table.rows) == len(expected) == 3
    assert {row[3] for row in table.rows} == {m.member.full_name for m in expected}
    assert not any(row[0] == "KSM Jauh" for row in table.rows)
    assert table.heading[0] == translated("Members of KSM")
    nik = expected[0].member.nik
    shown = {row[5] for row in table.rows}
    assert f"{nik[:6]}••••{nik[12:]}" in shown and nik not in shown


def test_a_ksm_page_exports_its_members_active_first(ksm, staff_user):
    MembershipFactory(group=ksm, member=MemberFactory(full_name="Wati"), ended=True)
    MembershipFactory(group=ksm, member=MemberFactory(full_name="Ani"), treasurer=True)
    client = logged_in(staff_user)

    page = client.get(ksm.get_absolute_url())
    assert parse(page).by_id("members-export") is not None
    table = read_xlsx(client.get(ksm.get_absolute_url(), {"format": "xlsx"}))

    assert [(row[3], row[4]) for row in table.rows] == [
        ("Ani", translated("Treasurer")),
        ("Wati", translated("Member")),
    ]
    assert table.rows[1][7] is not None  # the date Wati left
    assert table.heading[1] == f"{ksm.name}, {ksm.village.name}"


def test_another_ksms_members_cannot_be_exported(ksm, other_village, treasurer):
    other = SelfHelpGroupFactory(village=other_village)
    response = logged_in(treasurer).get(other.get_absolute_url(), {"format": "csv"})
    assert response.status_code == 404


@pytest.mark.parametrize("bad", ["pdf", "xls", "../../etc"])
def test_an_unknown_format_is_a_404(register, staff_user, bad):
    response = logged_in(staff_user).get(reverse("groups:list"), {"format": bad})
    assert response.status_code == 404


def test_the_list_links_to_its_files_with_its_filters(register, staff_user, village):
    response = logged_in(staff_user).get(reverse("groups:list"), {"village": village.pk})
    links = element(response, "ksm-export").hrefs()
    assert links == [f"?village={village.pk}&format=xlsx", f"?village={village.pk}&format=csv"]
    members = element(response, "members-export").hrefs()
    assert members[1] == f"?village={village.pk}&list=members&format=csv"


def test_the_cooperatives_export_with_its_search(cooperative, ksm, staff_user, facilitator):
    CooperativeMembershipFactory(cooperative=cooperative, group=ksm)
    far = CooperativeMembershipFactory(group__name="KSM Jauh").group
    CooperativeMembershipFactory(cooperative=cooperative, group=far)
    client = logged_in(staff_user)

    table = read_csv(
        client.get(reverse("groups:cooperative_list"), {"q": cooperative.name, "format": "csv"})
    )
    assert [row[0] for row in table.rows] == [cooperative.name]
    assert table.rows[0][3] == "2"
    assert (
        translated("%(label)s: %(value)s")
        % {
            "label": translated("Search"),
            "value": cooperative.name,
        }
        in table.heading
    )

    # The cooperative's member KSM, as the facilitator may see them: their village's only.
    url = cooperative.get_absolute_url()
    rows = read_xlsx(logged_in(facilitator).get(url, {"format": "xlsx"})).rows
    assert [row[0] for row in rows] == [ksm.name]
    rows = read_xlsx(client.get(url, {"format": "xlsx"})).rows
    assert sorted(row[0] for row in rows) == sorted([ksm.name, "KSM Jauh"])
    assert SelfHelpGroup.objects.count() == 2


def test_a_list_too_long_for_a_workbook_is_offered_as_csv(register, staff_user, monkeypatch):
    monkeypatch.setattr("ksm_portal.exports.MAX_XLSX_LIST_ROWS", 2)
    client = logged_in(staff_user)

    response = client.get(reverse("groups:list"), {"origin": "new", "format": "xlsx"})

    assert response.status_code == 302 and response.url == "/ksm/?origin=new"
    message = str(next(iter(get_messages(response.wsgi_request))))
    assert message.startswith(
        translated(
            "This list has %(count)s rows; an xlsx file holds at most %(limit)s. Download "
            "it as csv, or narrow the filters."
        ).split("%(")[0]
    )
    csv_rows = read_csv(client.get(reverse("groups:list"), {"origin": "new", "format": "csv"}))
    assert len(csv_rows.rows) == 3
