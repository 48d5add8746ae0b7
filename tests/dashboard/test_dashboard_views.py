"""The dashboard page: figures of the region asked within the user's scope, each linking to
the list behind it, with its change over the period; charts with their tables; a PDF; and a
clear answer to a bad period or a region out of reach."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from dashboard.services.rollups import rollups_drain
from finance.services import book_open, savings_deposit
from tests.groups.factories import MembershipFactory, SelfHelpGroupFactory
from tests.villages.factories import DistrictFactory, VillageFactory
from tests.web.support import element, logged_in, parse, translated

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:dashboard")
MARCH = {"from": "2017-01", "to": "2017-03"}


@pytest.fixture
def two_districts(village, district):
    """Wonotunggal (the `village` fixture's district): 2 new KSM and 1 reactivated, with a
    book holding Rp 150.000 of savings; a second district with 1 reactivated KSM."""
    new = [
        SelfHelpGroupFactory(village=village, formed_date=datetime.date(2016, 5, 1))
        for _ in range(2)
    ]
    SelfHelpGroupFactory(
        village=village,
        origin="reactivated",
        formed_date=datetime.date(2010, 1, 1),
        reactivated_date=datetime.date(2017, 2, 1),
    )
    other = DistrictFactory(regency=district.regency, code="33.25.02", name="Bandar")
    SelfHelpGroupFactory(
        village=VillageFactory(district=other, code="33.25.02.2001", name="Bandar"),
        origin="reactivated",
        formed_date=datetime.date(2010, 1, 1),
        reactivated_date=datetime.date(2016, 12, 1),
    )
    book = book_open(owner=new[0], opening_date=datetime.date(2017, 1, 1))
    saver = MembershipFactory(group=new[0], joined_date=datetime.date(2016, 6, 1), member__sex="F")
    for day, amount in (
        (datetime.date(2016 + 1, 1, 5), 50_000),
        (datetime.date(2017, 3, 5), 100_000),
    ):
        savings_deposit(
            book=book,
            member=saver.member,
            savings_type="savings_mandatory",
            amount=amount,
            entry_date=day,
        )
    return book


def value(response, key, part="value"):
    return element(response, f"figure-{key}-{part}").text.replace("\xa0", " ")


def test_staff_see_the_regency_with_its_figures_changes_and_links(staff_user, two_districts):
    response = logged_in(staff_user).get(URL, {"region": "33.25", **MARCH})
    assert response.status_code == 200
    page = parse(response)
    assert value(response, "ksm_active") == "4"
    assert value(response, "ksm_new") == "2"
    assert value(response, "ksm_reactivated") == "2"
    assert value(response, "ksm_reactivated", "change").endswith("+1")  # reactivated in February
    assert value(response, "savings_mandatory") == "Rp 150.000"
    # The period starts in January: the deposit of 5 January is part of the change.
    assert value(response, "savings_mandatory", "change").endswith("+Rp 150.000")
    reactivated = page.by_id("figure-ksm_reactivated")
    assert any("origin=reactivated" in href and "regency=" in href for href in reactivated.hrefs())
    children = page.by_id("dashboard-children").text
    assert "Wonotunggal" in children and "Bandar" in children


def test_every_chart_has_its_table_with_the_same_figures(staff_user, two_districts):
    response = logged_in(staff_user).get(URL, {"region": "33.25", **MARCH})
    page = parse(response)
    origin = page.by_id("chart-origin-table")
    rows = {row[0]: row[1:] for row in origin.rows()[1:]}
    assert rows["Wonotunggal"][:2] == ["2", "1"]
    assert rows["Bandar"][:2] == ["0", "1"]
    assert page.by_id("chart-origin").find_all("svg")
    assert page.by_id("chart-savings-loans-table") is not None
    assert page.by_id("chart-par30-table") is not None


def test_a_facilitator_sees_their_villages_and_nothing_else(facilitator, two_districts, village):
    client = logged_in(facilitator)
    response = client.get(URL, MARCH)
    assert response.status_code == 200
    assert value(response, "ksm_active") == "3"  # Bandar is not theirs
    assert client.get(URL, {"region": "33.25.02.2001"}).status_code == 404
    assert client.get(URL, {"region": "33.25"}).status_code == 404
    assert client.get(URL, {"region": village.code, **MARCH}).status_code == 200


def test_an_officer_sees_their_own_books_only(treasurer, ksm, two_districts):
    book_open(owner=ksm, opening_date=datetime.date(2017, 1, 1))
    client = logged_in(treasurer)
    response = client.get(URL, MARCH)
    assert response.status_code == 200
    page = parse(response)
    assert page.by_id("figure-ksm_active") is None  # a KSM's own page: no programme counts
    assert value(response, "savings_mandatory") == "Rp 0"
    assert client.get(URL, {"book": two_districts.pk}).status_code == 404
    assert client.get(URL, {"region": "33.25"}).status_code == 200  # ignored: own books


def test_someone_without_a_role_is_refused(user):
    assert logged_in(user).get(URL).status_code == 403


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"to": "2999-01"}, "The period cannot end in the future; it ends this month."),
        ({"to": "13-2017"}, "The end month is not a month (write it as 2026-12)."),
        ({"from": "2017-13"}, "The start month is not a month (write it as 2026-01)."),
        ({"from": "2018-01", "to": "2017-01"}, "The period cannot start after it ends."),
    ],
)
def test_a_bad_period_is_said_and_replaced(staff_user, query, message):
    response = logged_in(staff_user).get(URL, query)
    assert response.status_code == 200
    assert escape(translated(message)) in response.content.decode()


def test_a_period_before_any_figures_is_labelled_empty(staff_user, two_districts):
    response = logged_in(staff_user).get(
        URL, {"region": "33.25", "from": "2005-01", "to": "2005-06"}
    )
    assert response.status_code == 200
    assert element(response, "dashboard-before-data") is not None


@pytest.mark.parametrize("code", ["99", "33.99", "abc", "33.25.01.2001.1"])
def test_an_unknown_region_is_not_found(staff_user, code, village):
    assert logged_in(staff_user).get(URL, {"region": code}).status_code == 404


def test_the_dashboard_comes_as_a_pdf_with_the_report_header(
    staff_user, two_districts, monkeypatch
):
    seen = {}

    class FakeHTML:
        def __init__(self, string, base_url):
            seen["html"] = string

        def write_pdf(self):
            return b"%PDF-1.7 dasbor"

    monkeypatch.setattr("weasyprint.HTML", FakeHTML)
    response = logged_in(staff_user).get(URL, {"region": "33.25", **MARCH, "format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('.pdf"')
    html = seen["html"]
    assert "Batang" in html and "Rp" in html and "chart-origin-table" in html
    assert "<nav" not in html  # the print layout, without the site's menu


def test_the_queries_do_not_grow_with_the_number_of_ksm(
    staff_user, two_districts, django_assert_max_num_queries, village
):
    client = logged_in(staff_user)
    rollups_drain()  # the postings' queue, which a page adds a batch of at most (test_rollup_drain)
    with django_assert_max_num_queries(20) as counted:
        client.get(URL, {"region": "33.25", **MARCH})
    before = len(counted)
    for _ in range(5):
        SelfHelpGroupFactory(village=village)
    with django_assert_max_num_queries(before):
        client.get(URL, {"region": "33.25", **MARCH})


def test_the_default_period_is_the_last_twelve_months(staff_user):
    response = logged_in(staff_user).get(URL)
    assert response.status_code == 200
    this_month = timezone.localdate().strftime("%Y-%m")
    assert f'value="{this_month}"' in response.content.decode()


def test_the_program_overview_comes_as_a_pdf_too(staff_user, two_districts, monkeypatch):
    seen = {}

    class FakeHTML:
        def __init__(self, string, base_url):
            seen["html"] = string

        def write_pdf(self):
            return b"%PDF-1.7 ikhtisar"

    monkeypatch.setattr("weasyprint.HTML", FakeHTML)
    url = reverse("dashboard:overview", args=["33.25"])
    response = logged_in(staff_user).get(url, {"format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    assert "ikhtisar-program-batang" in response["Content-Disposition"]
    assert "Wonotunggal" in seen["html"] and "Bandar" in seen["html"]
    assert 'id="overview"' in seen["html"] and "<nav" not in seen["html"]


def test_the_dashboard_pdf_is_a_real_pdf(staff_user, two_districts):
    response = logged_in(staff_user).get(URL, {"region": "33.25", **MARCH, "format": "pdf"})
    assert response.content.startswith(b"%PDF-")
    assert len(response.content) > 5_000  # the figures and four charts, not a blank page


def test_a_kecamatans_dashboard_reads_its_villages_in_a_fixed_number_of_queries(
    staff_user, two_districts, district, django_assert_max_num_queries
):
    client = logged_in(staff_user)
    with django_assert_max_num_queries(30) as counted:
        client.get(URL, {"region": district.code, **MARCH})
    before = len(counted)
    for n in range(4):
        village = VillageFactory(district=district, code=f"33.25.01.20{n + 10}")
        SelfHelpGroupFactory(village=village)
    cache.clear()  # the region's figures are kept a minute: count the queries of working them out
    with django_assert_max_num_queries(before):
        response = client.get(URL, {"region": district.code, **MARCH})
    assert len(parse(response).by_id("dashboard-children").find_all("li")) == 5
