"""The program overview as staff meet it: figures per village, district and regency, a chart
of new and reactivated KSM per district with the same figures as a table, each bar leading to
the list behind it, and database work that does not grow with the regency."""

import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.groups.factories import (
    CooperativeFactory,
    CooperativeMembershipFactory,
    MembershipFactory,
    SelfHelpGroupFactory,
)
from tests.villages.factories import (
    BumdesFactory,
    DistrictFactory,
    RegencyFactory,
    VillageFactory,
)
from tests.web.support import element, logged_in, parse, translated

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def staff_client(staff_user):
    return logged_in(staff_user)


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def village_in(district, number: int, **fields):
    """A village with an explicit code, so it never meets a fixture's code by chance."""
    return VillageFactory(district=district, code=f"{district.code}.{3000 + number}", **fields)


@pytest.fixture
def batang(regency, district, village):
    """Fixed figures for the Batang regency: two districts, three villages.

    Wonotunggal (district 1): village 1 with three KSM (two new, one reactivated), five active
    members (one of them in two KSM, counted once) and one who left, a BUMDes and one
    cooperative; village 2 with one new KSM of two members. Bandar (district 2): village 3
    with one reactivated KSM of one member, a BUMDes and the same cooperative. A second
    cooperative of the regency has no KSM yet. Another regency's data must not count.
    """
    village_2 = village_in(district, 2, name="Sidomulyo")
    bandar = DistrictFactory(regency=regency, code="33.25.02", name="Bandar")
    village_3 = village_in(bandar, 3, name="Tombo")

    ksm_a = SelfHelpGroupFactory(village=village)
    ksm_b = SelfHelpGroupFactory(village=village)
    SelfHelpGroupFactory(village=village, reactivated=True)
    ksm_d = SelfHelpGroupFactory(village=village_2)
    ksm_e = SelfHelpGroupFactory(village=village_3, reactivated=True)

    both = MembershipFactory(group=ksm_a).member
    MembershipFactory(group=ksm_b, member=both)
    MembershipFactory.create_batch(2, group=ksm_a)
    MembershipFactory(group=ksm_a, ended=True)
    MembershipFactory.create_batch(2, group=ksm_b)
    MembershipFactory.create_batch(2, group=ksm_d)
    MembershipFactory(group=ksm_e)

    BumdesFactory(village=village)
    BumdesFactory(village=village_3)

    cooperative = CooperativeFactory(regency=regency)
    CooperativeMembershipFactory(cooperative=cooperative, group=ksm_a)
    CooperativeMembershipFactory(cooperative=cooperative, group=ksm_e)
    CooperativeFactory(regency=regency)

    elsewhere = VillageFactory(
        district__regency__code="35.01", district__regency__province__code="35"
    )
    MembershipFactory.create_batch(3, group=SelfHelpGroupFactory(village=elsewhere))
    BumdesFactory(village=elsewhere)
    CooperativeFactory(regency=elsewhere.district.regency)
    return {"village_1": village, "village_2": village_2, "village_3": village_3}


def overview_rows(response) -> dict[str, list[str]]:
    """Table rows keyed by their first cell: village names, district rows by district code."""
    rows = {}
    for cells in element(response, "overview").rows():
        rows[cells[0]] = cells[1:]
    return rows


def test_program_staff_see_the_overview_per_village_and_in_total(staff_client, regency, batang):
    response = staff_client.get(reverse("dashboard:overview", args=[regency.code]))

    assert response.status_code == 200
    rows = overview_rows(response)
    # Columns: villages, KSM, new, reactivated, active members, BUMDes, cooperatives.
    assert rows[batang["village_1"].name] == ["", "3", "2", "1", "5", "✓", "1"]
    assert rows[batang["village_2"].name] == ["", "1", "1", "0", "2", "—", "0"]
    assert rows[batang["village_3"].name] == ["", "1", "0", "1", "1", "✓", "1"]
    district_rows = {
        code: cells
        for first, cells in rows.items()
        for code in ("33.25.01", "33.25.02")
        if first.endswith(code)
    }
    assert district_rows == {
        "33.25.01": ["2", "4", "3", "1", "7", "1", "1"],
        "33.25.02": ["1", "1", "0", "1", "1", "1", "1"],
    }
    total = element(response, "overview-total").rows()[0]
    assert regency.name in total[0]
    assert total[1:] == ["3", "5", "3", "2", "8", "2", "2"]


def test_the_overview_without_a_regency_opens_the_first_regency_with_villages(
    staff_client, regency, batang
):
    response = staff_client.get("/overview/")

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:overview", args=[regency.code])


def test_a_village_no_longer_counts_a_cooperative_its_ksm_has_left(staff_client, regency, village):
    stays = village_in(village.district, 1, name="Tetap")
    cooperative = CooperativeFactory(regency=regency)
    CooperativeMembershipFactory(
        cooperative=cooperative, group=SelfHelpGroupFactory(village=village), ended=True
    )
    CooperativeMembershipFactory(cooperative=cooperative, group=SelfHelpGroupFactory(village=stays))

    response = staff_client.get(reverse("dashboard:overview", args=[regency.code]))

    rows = overview_rows(response)
    assert rows[stays.name][-1] == "1"
    assert rows[village.name][-1] == "0"


@pytest.mark.parametrize("who", ["facilitator", "treasurer", "user"])
def test_only_program_staff_may_open_the_overview(request, regency, who):
    client = logged_in(request.getfixturevalue(who))

    assert client.get("/overview/").status_code == 403
    assert client.get(reverse("dashboard:overview", args=[regency.code])).status_code == 403


def test_the_overview_needs_as_many_queries_for_a_big_regency_as_for_a_small_one(staff_client):
    small = RegencyFactory()
    SelfHelpGroupFactory(village=VillageFactory(district=DistrictFactory(regency=small)))
    big = RegencyFactory()
    for _district in range(4):
        district = DistrictFactory(regency=big)
        for _village in range(3):
            village = VillageFactory(district=district)
            BumdesFactory(village=village)
            cooperative = CooperativeFactory(regency=big)
            for group in SelfHelpGroupFactory.create_batch(2, village=village):
                MembershipFactory.create_batch(3, group=group)
                CooperativeMembershipFactory(cooperative=cooperative, group=group)
    staff_client.get(reverse("dashboard:overview", args=[small.code]))

    few = queries_for(staff_client, reverse("dashboard:overview", args=[small.code]))
    many = queries_for(staff_client, reverse("dashboard:overview", args=[big.code]))

    assert many == few


# --- The chart ----------------------------------------------------------------------------------


def chart_svg(response) -> ET.Element:
    """The page's chart, parsed as the XML it must be."""
    html = response.content.decode()
    start = html.index("<svg", html.index('id="chart-ksm-origin"'))
    return ET.fromstring(html[start : html.index("</svg>", start) + len("</svg>")])


def test_the_overview_charts_new_and_reactivated_ksm_per_district_as_its_table_counts_them(
    staff_client, regency, batang
):
    response = staff_client.get(reverse("dashboard:overview", args=[regency.code]))

    svg = chart_svg(response)
    assert svg.get("role") == "img"
    title = translated("KSM newly formed and reactivated by district")
    assert svg.find(f"{SVG}title").text == title
    bars = [
        (bar.find(f"{SVG}title").text, bar.get("data-value"))
        for bar in svg.iter(f"{SVG}rect")
        if bar.get("class") == "chart-bar"
    ]
    new, reactivated = translated("New"), translated("Reactivated")
    assert [value for _tip, value in bars] == ["3", "1", "0", "1"]
    assert bars[0][0].startswith(f"Wonotunggal · {new}")
    assert bars[3][0].startswith(f"Bandar · {reactivated}")

    table = element(response, "chart-ksm-origin-table").rows()
    assert table[1:] == [["Wonotunggal", "3", "1", "4"], ["Bandar", "0", "1", "1"]]
    # The same figures as the districts' rows of the overview table (new, reactivated, KSM).
    districts = {
        cells[0].split()[-1]: cells[1:] for cells in element(response, "overview").rows()[1:]
    }
    assert [districts["33.25.01"][i] for i in (2, 3, 1)] == table[1][1:]
    assert [districts["33.25.02"][i] for i in (2, 3, 1)] == table[2][1:]


def test_each_bar_of_the_chart_opens_the_ksm_list_of_its_district_and_origin(
    staff_client, regency, batang
):
    response = staff_client.get(reverse("dashboard:overview", args=[regency.code]))

    links = [
        (link.get("href"), link.find(f"{SVG}rect").get("data-value"))
        for link in chart_svg(response).iter(f"{SVG}a")
        if link.find(f"{SVG}rect") is not None
    ]
    assert len(links) == 4
    for href, value in links:
        table = parse(staff_client.get(href)).by_id("ksm-list")
        listed = table.rows()[1:] if table else []  # an empty list shows no table
        assert len(listed) == int(value), href


def test_a_regency_without_ksm_shows_the_chart_as_empty_and_says_so(staff_client):
    regency = RegencyFactory()
    VillageFactory(district=DistrictFactory(regency=regency))

    response = staff_client.get(reverse("dashboard:overview", args=[regency.code]))

    assert response.status_code == 200
    svg = chart_svg(response)
    assert svg.find(f"{SVG}desc").text == translated("No figures to show yet.")
    assert "chart-ksm-origin-table" not in response.content.decode()
