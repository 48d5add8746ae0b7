"""Reports as files: the xlsx holds the same rows as the page with amounts as numbers; the PDF
is the print layout of the same report."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from openpyxl import load_workbook

from finance import exports
from finance.services import account_for, cash_receive
from tests.export_support import read_csv
from tests.finance import test_reports
from tests.finance.test_reports import wide_rows
from tests.villages.factories import FacilitatorAssignmentFactory
from tests.web.support import element, logged_in, translated

pytestmark = pytest.mark.django_db
# The worked example of the report tests.
people, march_book, long_month = (
    test_reports.people,
    test_reports.march_book,
    test_reports.long_month,
)
MARCH = {"date_from": "2017-03-01", "date_to": "2017-03-31"}
MARCH_PERIOD = {"period": "month", "year": "2017", "month": "3"}


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_TYPE
    return load_workbook(io.BytesIO(response.content)).active


def _table(worksheet, first_header: str):
    """The rows under the header row that starts with first_header, as lists of values."""
    rows = [list(row) for row in worksheet.iter_rows()]
    start = next(i for i, row in enumerate(rows) if row[0].value == first_header)
    return rows[start + 1 :]


def _values(row):
    return [cell.value for cell in row]


def _filename(response) -> str:
    return response["Content-Disposition"].split('filename="')[1].rstrip('"')


def test_the_cash_book_as_xlsx_has_the_pages_rows_with_amounts_as_numbers(march_book, staff_user):
    client = logged_in(staff_user)
    url = reverse("finance:cash_book", args=[march_book.pk])

    response = client.get(url, {**MARCH, "format": "xlsx"})

    assert _filename(response) == f"kas-umum-{march_book.pk}-2017-03-01-2017-03-31.xlsx"
    rows = _table(_sheet(response), translated("Date"))
    assert _values(rows[0])[2:] == [translated("Opening balance"), None, None, None, 50000]
    first = rows[1]
    assert _values(first)[1:] == [
        "2017/00003",
        translated("%(account)s deposit, %(member)s")
        % {"account": "Simpanan Pokok", "member": "Siti Aminah"},
        None,
        50000,
        None,
        100000,
    ]
    assert first[0].value.date() == datetime.date(2017, 3, 1)
    assert {first[4].number_format, first[6].number_format} == {"#,##0"}
    assert _values(rows[-1])[2:] == [translated("Closing balance"), None, 1790000, 1310000, 530000]
    page_rows = wide_rows(element(client.get(url, MARCH), "ledger"))[2:-1]
    assert [_values(row)[1] for row in rows[1:-1]] == [row[1] for row in page_rows]


def test_an_export_holds_every_line_of_the_range_not_just_one_page(long_month, staff_user):
    response = logged_in(staff_user).get(
        reverse("finance:cash_book", args=[long_month.pk]),
        {"date_from": "2017-01-01", "date_to": "2017-01-31", "page": "2", "format": "xlsx"},
    )
    rows = _table(_sheet(response), translated("Date"))
    assert len(rows) == 1 + 250 + 1
    cash = account_for(long_month, "cash")
    balance = Decimal(rows[-1][6].value)
    assert (
        balance
        == sum((line.debit - line.credit for line in cash.lines.all()), Decimal("0"))
        == rows[-2][6].value
    )


def test_the_ledger_of_an_account_as_xlsx_is_named_after_its_code(march_book, staff_user):
    bank = account_for(march_book, "bank")
    response = logged_in(staff_user).get(
        reverse("finance:ledger", args=[march_book.pk, bank.pk]), {**MARCH, "format": "xlsx"}
    )
    assert _filename(response) == f"buku-besar-{march_book.pk}-102-2017-03-01-2017-03-31.xlsx"
    rows = _table(_sheet(response), translated("Date"))
    assert _values(rows[-1])[4:] == [800000, 0, 800000]


def test_the_trial_balance_as_xlsx(march_book, staff_user):
    response = logged_in(staff_user).get(
        reverse("finance:trial_balance", args=[march_book.pk]),
        {"date": "2017-03-31", "format": "xlsx"},
    )
    assert _filename(response) == f"neraca-saldo-{march_book.pk}-2017-03-31.xlsx"
    rows = _table(_sheet(response), translated("Code"))
    assert _values(rows[0]) == ["1.01", "Kas", 530000, 0]
    assert _values(rows[-1]) == [None, translated("Total"), 1745000, 1745000]
    assert rows[-1][2].number_format == "#,##0"


def test_the_balance_sheet_as_xlsx_balances(march_book, staff_user):
    response = logged_in(staff_user).get(
        reverse("finance:balance_sheet", args=[march_book.pk]), {**MARCH_PERIOD, "format": "xlsx"}
    )
    assert _filename(response) == f"posisi-keuangan-{march_book.pk}-2017-03-31.xlsx"
    rows = {
        row[0].value: _values(row)[1:] for row in _table(_sheet(response), translated("Account"))
    }
    assert rows[translated("Total assets")] == [1605000, 50000]
    assert rows[translated("Total liabilities and equity")] == [1605000, 50000]
    assert rows["Akumulasi Penyusutan"] == [-25000, 0]


def test_the_income_statement_as_xlsx(march_book, staff_user):
    response = logged_in(staff_user).get(
        reverse("finance:income_statement", args=[march_book.pk]),
        {**MARCH_PERIOD, "format": "xlsx"},
    )
    assert _filename(response) == f"laba-rugi-{march_book.pk}-2017-03-01-2017-03-31.xlsx"
    worksheet = _sheet(response)
    header = next(
        row for row in worksheet.iter_rows(values_only=True) if row[0] == translated("Account")
    )
    assert header[1:] == ("Maret 2017", "Februari 2017")
    rows = {row[0].value: _values(row)[1:] for row in _table(worksheet, translated("Account"))}
    assert rows[translated("Total income")] == [370000, 60000]
    assert rows[translated("Surplus (deficit)")] == [265000, 50000]


def test_a_passbook_as_xlsx(march_book, people, staff_user):
    siti = people["siti"]
    response = logged_in(staff_user).get(
        reverse("finance:passbook", args=[march_book.pk, siti.pk]), {**MARCH, "format": "xlsx"}
    )
    assert _filename(response) == (
        f"buku-tabungan-{march_book.pk}-{siti.pk}-2017-03-01-2017-03-31.xlsx"
    )
    rows = [_values(row) for row in _table(_sheet(response), translated("Date"))]
    start = rows.index([None, None, "Simpanan Sukarela", None, None, None])
    assert [row[3:] for row in rows[start + 2 : start + 5]] == [
        [100000, None, 100000],
        [None, 30000, 70000],
        [None, None, 70000],
    ]
    assert rows[-1][2:] == [translated("Total savings"), None, None, 130000]


def test_the_members_savings_as_xlsx(march_book, staff_user):
    response = logged_in(staff_user).get(
        reverse("finance:members", args=[march_book.pk]), {"format": "xlsx"}
    )
    assert _filename(response).startswith(f"simpanan-anggota-{march_book.pk}-")
    rows = [_values(row) for row in _table(_sheet(response), translated("Member"))]
    assert rows[:-1] == [
        ["Budi Santoso", 50000, 10000, 40000, 100000],
        ["Siti Aminah", 50000, 10000, 70000, 130000],
        ["Wati Lestari", 50000, 10000, 0, 60000],
        [translated("Total"), 150000, 30000, 110000, 290000],
    ]
    assert rows[-1][0].endswith(": Rp 290.000; selisih: Rp 0")


@pytest.mark.parametrize(
    ("name", "query", "filename"),
    [
        ("cash_book", MARCH, "kas-umum-{pk}-2017-03-01-2017-03-31.pdf"),
        ("trial_balance", {"date": "2017-03-31"}, "neraca-saldo-{pk}-2017-03-31.pdf"),
        ("balance_sheet", MARCH_PERIOD, "posisi-keuangan-{pk}-2017-03-31.pdf"),
        ("income_statement", MARCH_PERIOD, "laba-rugi-{pk}-2017-03-01-2017-03-31.pdf"),
        ("members", {}, "simpanan-anggota-{pk}-"),
    ],
)
def test_each_report_comes_as_a_pdf(march_book, staff_user, name, query, filename):
    response = logged_in(staff_user).get(
        reverse(f"finance:{name}", args=[march_book.pk]), {**query, "format": "pdf"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert _filename(response).startswith(filename.format(pk=march_book.pk))


def test_the_pdf_is_rendered_from_the_print_layout(march_book, staff_user, monkeypatch):
    seen = {}

    class FakeHTML:
        def __init__(self, string, base_url):
            seen["html"] = string

        def write_pdf(self):
            return b"%PDF-1.7 fake"

    monkeypatch.setattr("weasyprint.HTML", FakeHTML)
    siti_url = reverse("finance:cash_book", args=[march_book.pk])
    logged_in(staff_user).get(siti_url, {**MARCH, "format": "pdf"})

    html = seen["html"]
    assert "navbar" not in html and "<form" not in html
    assert "530.000" in html and "2017/00003" in html
    assert html.count("<tr") == 1 + 1 + 18 + 1


def test_a_file_too_long_to_make_asks_for_a_shorter_range(march_book, staff_user, monkeypatch):
    monkeypatch.setattr(exports, "MAX_PDF_ROWS", 10)
    client = logged_in(staff_user)
    url = reverse("finance:cash_book", args=[march_book.pk])

    response = client.get(url, {**MARCH, "format": "pdf"})

    assert response.status_code == 302
    assert "format" not in response.url and "date_from=2017-03-01" in response.url
    assert next(str(m) for m in get_messages(response.wsgi_request)).startswith(
        translated(
            "This report has %(count)s lines; a file holds at most %(limit)s. "
            "Choose a shorter date range."
        ).split("%(")[0]
    )


def test_a_book_outside_the_users_sight_gives_no_file(march_book, other_village):
    outsider = FacilitatorAssignmentFactory(village=other_village).user
    response = logged_in(outsider).get(
        reverse("finance:cash_book", args=[march_book.pk]), {**MARCH, "format": "xlsx"}
    )
    assert response.status_code == 404


def test_the_report_page_prints_without_navigation_and_buttons(march_book, staff_user):
    response = logged_in(staff_user).get(reverse("finance:trial_balance", args=[march_book.pk]))
    html = response.content.decode()
    print_rules = html[html.index("@media print") :]
    for hidden in ("nav.navbar", "footer", ".btn", ".report-controls", ".pagination"):
        assert hidden in print_rules[: print_rules.index("</style>")]


@pytest.mark.parametrize(
    "description", ['=HYPERLINK("http://evil.example","Kas")', "=cmd|' /C calc'!A0", "@SUM(A1)"]
)
def test_a_description_that_looks_like_a_formula_is_written_as_text(description):
    sheet = exports.Sheet(
        title="Kas",
        heading=["Buku Kas Umum"],
        columns=[exports.Column("Uraian"), exports.Column("Jumlah", exports.AMOUNT)],
        rows=[([description, Decimal("25000")], "")],
    )
    response = exports.xlsx_response(sheet, "kas")
    worksheet = load_workbook(io.BytesIO(response.content)).active
    cell = _table(worksheet, "Uraian")[0][0]
    assert (cell.value, cell.data_type) == (description, "s")
    # The raw file holds no formula element at all.
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


HOSTILE = '=HYPERLINK("http://evil.example","Kas")'


def test_a_hostile_description_reads_back_as_text_in_the_cash_book_and_journal_files(
    book, staff_user
):
    cash_receive(
        book=book,
        source="income_business",
        amount=Decimal("60000"),
        entry_date=datetime.date(2017, 3, 5),
        description=HOSTILE,
    )
    client = logged_in(staff_user)

    xlsx = client.get(reverse("finance:cash_book", args=[book.pk]), {**MARCH, "format": "xlsx"})
    line = _table(_sheet(xlsx), translated("Date"))[1]
    description = next(cell for cell in line if cell.value == HOSTILE)
    assert (description.data_type, description.quotePrefix) == ("s", True)
    assert 60000 in _values(line)  # the amount is still a number
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()

    csv_file = read_csv(client.get(reverse("finance:journal", args=[book.pk]), {"format": "csv"}))
    row = csv_file.rows[0]
    assert row[csv_file.header.index(translated("Description"))] == f"'{HOSTILE}"
    assert row[csv_file.header.index(translated("Amount"))] == "60000"
