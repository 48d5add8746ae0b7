"""The portal's list exports (ksm_portal.exports): what the heading says, how amounts, dates and
formula-like text are written, and that a long list streams instead of loading at once."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from groups.models import SelfHelpGroup
from ksm_portal import exports
from ksm_portal.exports import AMOUNT, DATE, DATETIME, Column, ListExport
from tests.export_support import file_bytes, read_csv, read_xlsx, xlsx_sheets
from tests.groups.factories import SelfHelpGroupFactory
from tests.web.support import translated

REQUEST = RequestFactory().get("/")
EVIL = [
    '=HYPERLINK("http://evil.example","Kas")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
]


def _export(rows, **kwargs) -> ListExport:
    columns = [
        Column("Uraian", value="text"),
        Column("Jumlah", AMOUNT, value="amount"),
        Column("Tanggal", DATE, value="day"),
        Column("Dicatat", DATETIME, value="at"),
    ]
    return ListExport("Kas", columns, rows, "kas", **kwargs)


@pytest.fixture(autouse=True)
def indonesian():
    """Files are made in the request's language: Indonesian here, as for most users."""
    with translation.override("id"):
        yield


class Row:
    def __init__(self, text, amount=Decimal("1250000"), day=datetime.date(2017, 3, 1), at=None):
        self.text, self.amount, self.day, self.at = text, amount, day, at


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_heading_names_the_list_its_filters_and_the_time_in_jakarta(fmt, monkeypatch):
    moment = datetime.datetime(2017, 3, 1, 1, 30, tzinfo=datetime.UTC)  # 08:30 WIB
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
    export = _export([Row("Simpanan")], filters=[("Desa", "Sodong")], owner="KSM Guyub Rukun")

    response = exports.list_response(REQUEST, export, fmt)

    table = (read_xlsx if fmt == "xlsx" else read_csv)(response)
    assert table.heading == [
        "Kas",
        "KSM Guyub Rukun",
        translated("%(label)s: %(value)s") % {"label": "Desa", "value": "Sodong"},
        translated("Exported on %(when)s WIB") % {"when": "01-03-2017 08:30"},
    ]
    assert table.header == ["Uraian", "Jumlah", "Tanggal", "Dicatat"]


def test_a_list_without_filters_says_so():
    heading = exports.export_heading(_export([]))
    assert heading[1] == translated("Filters: none, everything you may see")


def test_in_the_workbook_amounts_are_numbers_and_dates_are_dates():
    at = datetime.datetime(2017, 3, 1, 3, 5, tzinfo=datetime.UTC)
    response = exports.list_response(REQUEST, _export([Row("Simpanan wajib", at=at)]), "xlsx")

    (text, amount, day, recorded) = read_xlsx(response, cells=True).rows[0]
    assert (amount.value, amount.number_format) == (1250000, "#,##0")
    assert (day.value.date(), day.number_format) == (datetime.date(2017, 3, 1), "DD-MM-YYYY")
    assert f"{recorded.value:%d-%m-%Y %H:%M}" == "01-03-2017 10:05"  # Jakarta's clock
    assert text.value == "Simpanan wajib"


def test_in_the_csv_amounts_are_plain_numbers_and_dates_read_as_the_page_shows_them():
    response = exports.list_response(
        REQUEST, _export([Row("Simpanan", Decimal("-25000.50"))]), "csv"
    )
    assert read_csv(response).rows == [["Simpanan", "-25000.5", "01-03-2017", ""]]


@pytest.mark.parametrize("text", EVIL)
def test_text_that_looks_like_a_formula_is_written_as_text(text):
    xlsx = exports.list_response(REQUEST, _export([Row(text)], filters=[("Cari", text)]), "xlsx")
    content = file_bytes(xlsx)
    cell = read_xlsx(content, cells=True).rows[0][0]
    # (An XML reader reads a carriage return as a line feed.)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text.replace("\r", "\n"), "s", True)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml

    table = read_csv(
        exports.list_response(REQUEST, _export([Row(text)], filters=[("Cari", text)]), "csv")
    )
    assert table.rows[0][0] == f"'{text}"
    assert table.heading[1].startswith("Cari: ")  # "Cari: =..." begins with a letter: harmless


def test_text_starting_with_a_sign_is_quoted_but_numbers_stay_numbers():
    rows = [Row("+62 812-3456-7890"), Row("-1500", amount=Decimal("-25000")), Row("Siti")]

    table = read_csv(exports.list_response(REQUEST, _export(rows), "csv"))
    assert [row[:2] for row in table.rows] == [
        ["'+62 812-3456-7890", "1250000"],
        ["'-1500", "-25000"],
        ["Siti", "1250000"],
    ]

    cells = read_xlsx(exports.list_response(REQUEST, _export(rows), "xlsx"), cells=True).rows
    assert cells[1][0].value == "-1500" and cells[1][0].quotePrefix
    assert (cells[1][1].value, cells[1][1].data_type) == (-25000, "n")
    assert not cells[2][0].quotePrefix


def test_control_characters_pasted_into_a_note_do_not_break_the_workbook():
    response = exports.list_response(REQUEST, _export([Row("Buku kas\x0b belum diisi")]), "xlsx")
    assert read_xlsx(response).rows[0][0] == "Buku kas belum diisi"


@pytest.mark.django_db
def test_the_csv_streams_reading_the_rows_only_as_it_is_sent():
    SelfHelpGroupFactory.create_batch(3)
    columns = [Column("Nama", value="name"), Column("Status", value="get_status_display")]
    export = ListExport("KSM", columns, SelfHelpGroup.objects.order_by("name"), "ksm")

    with CaptureQueriesContext(connection) as made:
        response = exports.list_response(REQUEST, export, "csv")
    assert response.streaming
    assert len(made) == 0, "the list was read before the response was sent"

    with CaptureQueriesContext(connection) as read, translation.override("en"):
        table = read_csv(response)
    assert len(read) == 1
    assert [row[0] for row in table.rows] == list(
        SelfHelpGroup.objects.order_by("name").values_list("name", flat=True)
    )
    # Read after the view returned, the rows still speak the request's language.
    assert {row[1] for row in table.rows} == {translated("Active")}


@pytest.mark.django_db
def test_a_queryset_is_read_in_chunks(monkeypatch):
    SelfHelpGroupFactory.create_batch(2)
    chunks = []
    original = QuerySet.iterator

    def iterator(self, chunk_size=None):
        chunks.append(chunk_size)
        return original(self, chunk_size=chunk_size)

    monkeypatch.setattr(QuerySet, "iterator", iterator)
    export = ListExport("KSM", [Column("Nama", value="name")], SelfHelpGroup.objects.all(), "ksm")
    read_xlsx(exports.list_response(REQUEST, export, "xlsx"))
    assert chunks == [exports.CHUNK_SIZE]


def test_the_workbook_is_a_file_response_sent_from_a_temporary_file():
    response = exports.list_response(REQUEST, _export([Row("Simpanan")]), "xlsx")
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="kas.xlsx"'


def test_a_list_longer_than_a_sheet_goes_on_over_the_next_sheet(monkeypatch):
    monkeypatch.setattr(exports, "SHEET_ROWS", 10)
    rows = [Row(f"Baris {n}") for n in range(12)]
    sheets = xlsx_sheets(exports.list_response(REQUEST, _export(rows), "xlsx"))
    # The first sheet: 3 heading lines, a blank line, the header and 5 rows; then the header
    # and 7 rows.
    assert [sheet.max_row for sheet in sheets] == [10, 8]
    assert sheets[1].title == "Kas (2)"
    assert sheets[1]["A1"].value == "Uraian" and sheets[1]["A8"].value == "Baris 11"


def test_an_unknown_format_is_a_404_not_a_500():
    request = RequestFactory().get("/", {"format": "pdf"})
    with pytest.raises(Http404):
        exports.list_format(request)
    assert exports.list_format(RequestFactory().get("/")) is None
    assert exports.list_format(RequestFactory().get("/", {"format": "csv"})) == "csv"
