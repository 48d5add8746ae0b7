"""A book's lists as xlsx and csv (journal, loans, meetings, SHU years, closes, accounts) and the
group health panel as a PDF: the page's rows with its filters, only for those who see the book."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from finance.models import Meeting
from finance.services import cash_receive
from tests.export_support import filename, pdf_text, read_csv, read_xlsx

# The fixtures are imported, then named as test arguments: ruff takes that for a redefinition.
# ruff: noqa: F811
from tests.finance.capital_support import (  # noqa: F401  (fixtures)
    coop_book,
    ksm_a,
    ksm_b,
    worked_year,
)
from tests.finance.test_loans import _active_loan
from tests.groups.factories import (
    MemberFactory,
    MembershipFactory,
    SelfHelpGroupFactory,
    UserFactory,
)
from tests.villages.factories import FacilitatorAssignmentFactory
from tests.web.support import element, logged_in, translated

pytestmark = pytest.mark.django_db
FORMULA = '=HYPERLINK("http://evil.example","Kas")'
READERS = {"xlsx": read_xlsx, "csv": read_csv}


@pytest.fixture
def journal_book(funded):
    cash_receive(
        book=funded,
        source="grant",
        amount=75_000,
        entry_date=datetime.date(2017, 1, 3),
        description=FORMULA,
    )
    return funded


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_journal_export_has_the_filtered_rows_of_the_page(journal_book, facilitator, fmt):
    client = logged_in(facilitator)
    url = reverse("finance:journal", args=[journal_book.pk])
    query = {"date_from": "2017-01-01", "date_to": "2017-01-02"}

    table = READERS[fmt](client.get(url, {**query, "format": fmt}))

    page = [row[0] for row in element(client.get(url, query), "journal").rows()[1:]]
    assert [row[0] for row in table.rows] == [number.split()[0] for number in page]
    assert len(table.rows) == 2
    assert (
        translated("%(label)s: %(value)s")
        % {
            "label": translated("From"),
            "value": "01-01-2017",
        }
        in table.heading
    )
    assert table.heading[1] == str(journal_book)
    grant = next(row for row in table.rows if row[2] == "Hibah modal")
    assert grant[4] == (5_000_000 if fmt == "xlsx" else "5000000")


def test_a_journal_description_that_looks_like_a_formula_is_text(journal_book, staff_user):
    client = logged_in(staff_user)
    url = reverse("finance:journal", args=[journal_book.pk])
    rows = read_xlsx(client.get(url, {"format": "xlsx"}), cells=True).rows
    cell = next(row[2] for row in rows if row[2].value == FORMULA)
    assert cell.data_type == "s"
    assert rows[0][4].number_format == "#,##0"
    assert rows[0][1].number_format == "DD-MM-YYYY"
    csv_rows = read_csv(client.get(url, {"format": "csv"})).rows
    assert f"'{FORMULA}" in [row[2] for row in csv_rows]


def test_a_book_outside_the_users_sight_exports_nothing(funded, other_village, ksm):
    outsider = FacilitatorAssignmentFactory(village=other_village).user
    officer = UserFactory()
    MembershipFactory(
        group=SelfHelpGroupFactory(village=other_village),
        member=MemberFactory(user=officer),
        treasurer=True,
    )
    for user in (outsider, officer):
        client = logged_in(user)
        for name in ("finance:journal", "finance:loans", "finance:meetings", "finance:accounts"):
            url = reverse(name, args=[funded.pk])
            assert client.get(url, {"format": "csv"}).status_code == 404
        health = reverse("finance:group_health_months", args=[ksm.pk])
        assert client.get(health, {"format": "pdf"}).status_code == 404


def test_a_treasurer_exports_their_own_books(funded, treasurer):
    response = logged_in(treasurer).get(
        reverse("finance:journal", args=[funded.pk]), {"format": "csv"}
    )
    assert len(read_csv(response).rows) == 2


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_loans_export_shows_each_loan_with_its_status(
    funded, saver, chair, product, staff_user, fmt
):
    loan = _active_loan(funded, saver, chair, product)
    url = reverse("finance:loans", args=[funded.pk])

    table = READERS[fmt](logged_in(staff_user).get(url, {"status": "active", "format": fmt}))

    [row] = table.rows
    assert row[0] == loan.reference and row[2] == saver.full_name
    assert row[3] == (1_000_000 if fmt == "xlsx" else "1000000")
    with translation.override("id"):
        active = loan.get_status_display()
    page = element(logged_in(staff_user).get(url, {"status": "active"}), "loans").rows()[1]
    assert row[5] == page[4]  # "Belum lunas · terlambat ... hari", as the page says
    assert row[5].startswith(f"{active} · ")
    assert (
        translated("%(label)s: %(value)s")
        % {
            "label": translated("Status"),
            "value": active,
        }
        in table.heading
    )
    borrowings = read_csv(
        logged_in(staff_user).get(
            reverse("finance:borrowings", args=[funded.pk]), {"format": "csv"}
        )
    )
    assert borrowings.rows == []


def test_the_meetings_export(funded, ksm, staff_user):
    Meeting.objects.create(
        group=ksm,
        book=funded,
        meeting_date=datetime.date(2017, 5, 10),
        token="t1",
        members_count=12,
        present_count=10,
        total_in=250_000,
        cash_after=1_250_000,
    )
    table = read_xlsx(
        logged_in(staff_user).get(reverse("finance:meetings", args=[funded.pk]), {"format": "xlsx"})
    )
    [row] = table.rows
    assert row[0].date() == datetime.date(2017, 5, 10)
    assert row[1:] == [10, 12, 250_000, 0, 1_250_000]


def test_the_shu_years_close_history_and_chart_of_accounts_export(worked_year, staff_user):
    client = logged_in(staff_user)
    book = worked_year

    years = read_csv(
        client.get(reverse("finance:distributions", args=[book.pk]), {"format": "csv"})
    )
    assert years.rows == [["2017", "10000001.5", translated("Not distributed yet")]]

    history = read_xlsx(
        client.get(reverse("finance:periods", args=[book.pk]), {"year": "2017", "format": "xlsx"})
    )
    # March to December closed, newest first.
    assert [row[1] for row in history.rows] == [f"{month:02d}-2017" for month in range(12, 2, -1)]
    assert {row[2] for row in history.rows} == {translated("closed")}

    chart = read_xlsx(client.get(reverse("finance:accounts", args=[book.pk]), {"format": "xlsx"}))
    codes = [row[0] for row in chart.rows]
    assert codes == sorted(codes) and len(codes) == book.accounts.count()


def test_the_group_health_comes_as_a_pdf_with_the_report_header(funded, ksm, facilitator):
    client = logged_in(facilitator)
    url = reverse("finance:group_health_months", args=[ksm.pk])

    page = client.get(url)
    assert element(page, "health-pdf").attrs["href"] == "?format=pdf"
    response = client.get(url, {"format": "pdf"})

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert filename(response).startswith(f"kesehatan-ksm-{ksm.pk}-")
    text = pdf_text(response.content)
    assert translated("Group health") in text
    assert f"{ksm.name}, {ksm.village.name}" in text
    assert translated("Month by month") in text
    assert "Rp\u00a0400.000" in text  # the saver's savings
    assert translated("Printed on %(when)s").split("%(")[0].strip() in text
    assert client.get(url, {"format": "xlsx"}).status_code == 404
