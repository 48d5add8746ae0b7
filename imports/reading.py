"""Reading an uploaded spreadsheet (xlsx or csv) into a header and rows of cell values.

Everything that makes a file unreadable as a whole is a `FileProblem` with a message in plain
Indonesian: not a spreadsheet, empty, too large, mixed text encodings, missing or unknown
columns. What is wrong in a single cell is the kind's business, row by row.
"""

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


class FileProblem(Exception):
    """The file as a whole cannot be imported."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list]]  # (line number in the file, cell values)


def read_table(content: bytes, file_name: str) -> Table:
    if len(content) > MAX_BYTES:
        raise FileProblem(
            _("The file is larger than %(limit)s MB. Split it into smaller files.")
            % {"limit": MAX_BYTES // (1024 * 1024)}
        )
    if not content.strip():
        raise FileProblem(_("The file is empty."))
    if content.startswith(OLE_MAGIC):
        raise FileProblem(
            _("This is an old Excel file (.xls). Save it as an Excel workbook (.xlsx) or CSV.")
        )
    if content.startswith(XLSX_MAGIC):
        table = _read_xlsx(content)
    elif b"\x00" in content[:4096]:
        raise FileProblem(_("This file is not a spreadsheet. Upload an .xlsx or .csv file."))
    else:
        table = _read_csv(content)
    table.rows = [(line, cells) for line, cells in table.rows if any(_filled(c) for c in cells)]
    if not any(h.strip() for h in table.headers):
        raise FileProblem(_("The first row must hold the column names; it is empty."))
    if not table.rows:
        raise FileProblem(_("The file has column names but no rows to import."))
    if len(table.rows) > MAX_ROWS:
        raise FileProblem(
            _("The file has %(count)s rows; at most %(limit)s can be imported at once.")
            % {
                "count": f"{len(table.rows):,}".replace(",", "."),
                "limit": f"{MAX_ROWS:,}".replace(",", "."),
            }
        )
    return table


def _filled(value) -> bool:
    return value is not None and str(value).strip() != ""


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise FileProblem(
            _("This file could not be opened as an Excel workbook. Save it again as .xlsx.")
        ) from error
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=False)
        headers = None
        data = []
        for line, row in enumerate(rows, start=1):
            cells = [_xlsx_value(cell) for cell in row]
            if headers is None:
                if not any(_filled(c) for c in cells):
                    continue  # blank lines above the header
                headers = ["" if c is None else str(c) for c in cells]
                continue
            data.append((line, cells))
            if len(data) > MAX_ROWS:
                break
    finally:
        workbook.close()
    return Table(headers=headers or [], rows=data)


def _xlsx_value(cell):
    value = cell.value
    if getattr(cell, "data_type", None) == "f" and isinstance(value, str):
        return value if value.startswith("=") else f"={value}"
    return value


def _decode(content: bytes) -> str:
    """UTF-8 (with or without BOM) as Excel and LibreOffice save "CSV UTF-8"; otherwise
    Windows-1252, Excel's older default. A file in which both appear is refused: guessing
    would garble names."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    utf8_sequences = re.findall(rb"[\xc2-\xf4][\x80-\xbf]+", content)
    decodable = [s for s in utf8_sequences if _is_utf8(s)]
    if decodable:
        raise FileProblem(
            _(
                "The file mixes text encodings (part UTF-8, part another), so some names would "
                "be garbled. Save it again as “CSV UTF-8” and upload it once more."
            )
        )
    return content.decode("cp1252", errors="replace")


def _is_utf8(sequence: bytes) -> bool:
    try:
        sequence.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _read_csv(content: bytes) -> Table:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    # Indonesian Excel writes ";" between columns (the comma is the decimal mark).
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers = None
    data = []
    try:
        for cells in reader:
            line = reader.line_num
            if headers is None:
                if not any(c.strip() for c in cells):
                    continue
                headers = cells
                continue
            data.append((line, cells))
            if len(data) > MAX_ROWS:
                break
    except csv.Error as error:
        raise FileProblem(
            _("The CSV file cannot be read near line %(line)s: %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from error
    return Table(headers=headers or [], rows=data)


def cell_text(value) -> str:
    """A cell as the text a person typed: numbers without a trailing .0, dates as 25-12-2016."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        value = value.date() if not value.time() else value
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.strftime("%d-%m-%Y")
    return " ".join(str(value).split())
