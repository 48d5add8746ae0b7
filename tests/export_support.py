"""Reading the files a list page exports, the way a spreadsheet user reads them: the heading
lines (title, filters, export time), the header row, then the rows; and the text of a PDF.

A PDF from WeasyPrint draws its text as glyph numbers; each font carries a ToUnicode map from
glyph to character, so the text comes back by reading the content streams through those maps
(standard library only, enough for WeasyPrint's own output)."""

import csv
import io
import re
import zlib
from dataclasses import dataclass

from openpyxl import load_workbook

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Table:
    heading: list[str]
    header: list
    rows: list[list]


def file_bytes(response) -> bytes:
    """The file's bytes, streamed or not (a streamed response can be read once)."""
    if isinstance(response, bytes):
        return response
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _split(lines: list[list]) -> Table:
    blank = next(i for i, line in enumerate(lines) if not any(v not in (None, "") for v in line))
    heading = [line[0] for line in lines[:blank]]
    return Table(heading=heading, header=list(lines[blank + 1]), rows=lines[blank + 2 :])


def read_xlsx(response, *, cells: bool = False) -> Table:
    """The first sheet; with cells=True the rows hold openpyxl cells (for formats and types).
    `response` may also be the file's bytes."""
    if not isinstance(response, bytes):
        assert response.status_code == 200, response.status_code
        assert response["Content-Type"] == XLSX_TYPE
        assert response["Content-Disposition"].startswith("attachment;")
    worksheet = load_workbook(io.BytesIO(file_bytes(response))).worksheets[0]
    lines = [list(row) for row in worksheet.iter_rows()]
    values = [[cell.value for cell in row] for row in lines]
    table = _split(values)
    if cells:
        table.rows = lines[len(table.heading) + 2 :]
    return table


def xlsx_sheets(response) -> list:
    return load_workbook(io.BytesIO(file_bytes(response))).worksheets


def read_csv(response) -> Table:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    text = file_bytes(response).decode("utf-8")
    assert text.startswith("\ufeff"), "no BOM: Excel would not read the file as UTF-8"
    return _split(list(csv.reader(io.StringIO(text[1:]))))


def filename(response) -> str:
    return response["Content-Disposition"].split('filename="')[1].rstrip('"')


# --- PDF text -----------------------------------------------------------------------------------

_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_FONT_RESOURCE = re.compile(rb"/([A-Za-z0-9]+) (\d+) 0 R")
_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")
_TEXT_OP = re.compile(
    rb"/([A-Za-z0-9]+) [\d.]+ Tf|\[(.*?)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj|\b(ET|Tm)\b", re.S
)


def _stream(body: bytes) -> bytes | None:
    found = _STREAM.search(body)
    if not found:
        return None
    # The dictionary's /Length, not the regex, ends the data: a stream whose last byte is a
    # carriage return would otherwise lose it to the `\r?\n` before `endstream`.
    head = body[: found.start()]
    length = re.search(rb"/Length (\d+)(?! \d+ R)", head)
    data = (
        body[found.start(1) : found.start(1) + int(length.group(1))] if length else found.group(1)
    )
    return zlib.decompress(data) if b"/FlateDecode" in head else data


def pdf_text(content: bytes) -> str:
    """The text of a WeasyPrint PDF, one line per run of text placed on the page."""
    assert content.startswith(b"%PDF-")
    objects = {int(m.group(1)): m.group(2) for m in _OBJECT.finditer(content)}
    # Small objects (the font dictionaries) sit packed in object streams.
    for body in list(objects.values()):
        if b"/Type /ObjStm" not in body:
            continue
        first = int(re.search(rb"/First (\d+)", body).group(1))
        data = _stream(body)
        numbers = [int(n) for n in data[:first].split()]
        pairs = list(zip(numbers[::2], numbers[1::2], strict=True))
        for index, (number, offset) in enumerate(pairs):
            end = first + pairs[index + 1][1] if index + 1 < len(pairs) else len(data)
            objects[number] = data[first + offset : end]
    maps = {}
    for number, body in objects.items():
        to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", body)
        if to_unicode:
            cmap = _stream(objects[int(to_unicode.group(1))]) or b""
            maps[number] = {
                int(glyph, 16): bytes.fromhex(text.decode()).decode("utf-16-be")
                for glyph, text in _BFCHAR.findall(cmap.split(b"endcodespacerange", 1)[-1])
            }
    # Font resource names (/KTGASA) to the map of the font object they name.
    fonts = {}
    for body in objects.values():
        for name, number in _FONT_RESOURCE.findall(body):
            if int(number) in maps:
                fonts[name] = maps[int(number)]
    lines, current, mapping = [], [], {}
    for body in objects.values():
        data = _stream(body) if b"stream" in body else None
        if not data or b"BT" not in data:
            continue
        for font, array, single, end in _TEXT_OP.findall(data):
            if font:
                mapping = fonts.get(font, {})
            elif end:
                if current:
                    lines.append("".join(current))
                current = []
            else:
                for hexa in re.findall(rb"<([0-9a-fA-F]*)>", array) if array else [single]:
                    glyphs = bytes.fromhex(hexa.decode())
                    for i in range(0, len(glyphs) - 1, 2):
                        current.append(mapping.get(int.from_bytes(glyphs[i : i + 2]), "?"))
    return "\n".join(lines)
