"""A file that cannot be imported as a whole is refused with a clear message and leaves
nothing behind."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from imports.models import ImportBatch
from imports.reading import MAX_BYTES, FileProblem
from imports.services import batch_start
from ksm_portal.spreadsheets import looks_like_formula
from tests.imports.conftest import MEMBER_HEADERS, csv_bytes, member_row, xlsx

pytestmark = pytest.mark.django_db


def start(user, content, name="anggota.xlsx", kind="members"):
    return batch_start(actor=user, kind=kind, file_name=name, content=content)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "kosong"),
        (b"   \n  \n", "kosong"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ".xls"),
        (b"%PDF-1.4\x00\x01\x02 binary", "bukan lembar kerja"),
        (b"PK\x03\x04 not really a zip", "tidak dapat dibuka"),
        (b"\xff" * (MAX_BYTES + 1), "10 MB"),
    ],
    ids=["empty", "blank-lines", "old-xls", "pdf", "broken-zip", "too-large"],
)
def test_unreadable_files_are_refused(facilitator, content, message):
    with pytest.raises(FileProblem, match=message):
        start(facilitator, content)
    assert not ImportBatch.objects.exists()


def test_a_zip_that_is_not_a_workbook_is_refused(facilitator):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(FileProblem, match="tidak dapat dibuka"):
        start(facilitator, out.getvalue())


def test_headers_only_is_refused(facilitator):
    with pytest.raises(FileProblem, match="tidak ada baris"):
        start(facilitator, xlsx([], MEMBER_HEADERS))


def test_missing_and_renamed_columns_are_named(facilitator, ksm):
    headers = [("Nama anggota lengkap" if h == "Nama lengkap" else h) for h in MEMBER_HEADERS]
    headers.remove("NIK")
    row = member_row(ksm, 1)
    del row[2]
    with pytest.raises(FileProblem) as refused:
        start(facilitator, xlsx([row], headers))
    message = refused.value.message
    assert "“NIK”" in message and "“Nama lengkap”" in message
    assert "Kolom tidak dikenal: “Nama anggota lengkap”" in message
    assert not ImportBatch.objects.exists()


def test_headers_match_without_case_or_punctuation_and_a_running_number_is_ignored(
    facilitator, ksm
):
    headers = ["No."] + [h.upper().replace(".", "") for h in MEMBER_HEADERS]
    batch = start(facilitator, xlsx([[1, *member_row(ksm, 1)]], headers))
    assert batch.rows_total == 1 and batch.rows_problem == 0


def test_mixed_encodings_are_refused(facilitator, ksm):
    utf8 = csv_bytes([member_row(ksm, 1, name="Siti Ngatiyem")], MEMBER_HEADERS)
    mixed = utf8.replace(b"Siti", "Sîti".encode()) + "Dwi Rahayú;x\n".encode("cp1252")
    with pytest.raises(FileProblem, match="campuran"):
        start(facilitator, mixed, name="anggota.csv")


def test_a_windows_1252_csv_is_read(facilitator, ksm):
    content = csv_bytes(
        [member_row(ksm, 1, name="Ngadinem Soekarjó")], MEMBER_HEADERS, encoding="cp1252"
    )
    batch = start(facilitator, content, name="anggota.csv")
    assert batch.rows.get().data["full_name"] == "Ngadinem Soekarjó"


def test_a_comma_separated_csv_is_read(facilitator, ksm):
    content = csv_bytes([member_row(ksm, 1), member_row(ksm, 2)], MEMBER_HEADERS, delimiter=",")
    assert start(facilitator, content, name="anggota.csv").rows_total == 2


@pytest.mark.parametrize(
    "value", ['=HYPERLINK("http://x")', "=cmd|' /C calc'!A0", "@SUM(A1)", "+cmd|x", "-2+3"]
)
def test_formulas_are_formulas(value):
    assert looks_like_formula(value)


@pytest.mark.parametrize("value", ["+62 812-3456-7890", "-1500", "Siti", "", "RT 01/RW 02"])
def test_plain_values_are_not_formulas(value):
    assert not looks_like_formula(value)


def test_a_formula_cell_marks_its_row_and_blocks_the_import(facilitator, ksm):
    row = member_row(ksm, 1)
    row[4] = '=HYPERLINK("http://evil.example","Siti")'
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(MEMBER_HEADERS)
    sheet.append(row)
    sheet.append(member_row(ksm, 2))
    out = io.BytesIO()
    workbook.save(out)
    batch = start(facilitator, out.getvalue())
    problem_row = batch.rows.get(line=2)
    assert problem_row.action == "problem"
    assert any("rumus" in p for p in problem_row.problems)
    assert batch.rows_problem == 1
