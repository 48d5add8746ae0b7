"""Registers and reports as files, for every app: xlsx (openpyxl), csv and PDF (WeasyPrint).

Two shapes:

- A **report** is bounded (a book's cash book for a month, a trial balance): it becomes a
  `Sheet` (heading lines, columns, rows of plain values) built in memory by `xlsx_response`;
  its PDF is the report's own template on the print layout with the portal's report header,
  `pdf_response`.
- A **list** may be national (2.5 million members): a `ListExport` takes the queryset the page
  lists, already filtered and scoped exactly as the page, and columns that read each row.
  `list_response` streams the csv as it reads the queryset in chunks, whatever the size, and
  writes the xlsx in openpyxl's write-only mode to a temporary file, up to MAX_XLSX_LIST_ROWS
  (beyond, the page offers the csv).

Amounts are numbers formatted with a thousands separator, dates real dates (DD-MM-YYYY), so a
treasurer can add up and sort in a spreadsheet. A cell a spreadsheet program would run as a
formula (=, +, -, @, tab, CR) is written as text (`ksm_portal.spreadsheets.safe_cell`): typed
text with the quote prefix in xlsx, behind an apostrophe in csv. Numbers stay numbers.
"""

import csv
import datetime
import functools
import inspect
import io
import logging
import tempfile
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .db_router import replica_reads
from .spreadsheets import needs_quote, safe_cell

AMOUNT_FORMAT = "#,##0"
# Statements (SAK EMKM) show negatives in parentheses: (75.000).
STATEMENT_FORMAT = "#,##0;(#,##0)"
DATE_FORMAT = "DD-MM-YYYY"
DATETIME_FORMAT = "DD-MM-YYYY HH:MM"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
# A report is made in one request; beyond these, the user is asked for a shorter range.
MAX_XLSX_ROWS = 50_000
MAX_PDF_ROWS = 2_000

TEXT, DATE, AMOUNT, NUMBER, DATETIME = "text", "date", "amount", "number", "datetime"
STATEMENT_AMOUNT = "statement_amount"
WIDTHS = {TEXT: 40, DATE: 12, AMOUNT: 16, STATEMENT_AMOUNT: 16, NUMBER: 10, DATETIME: 17}
NUMBER_FORMATS = {
    AMOUNT: AMOUNT_FORMAT,
    STATEMENT_AMOUNT: STATEMENT_FORMAT,
    DATE: DATE_FORMAT,
    DATETIME: DATETIME_FORMAT,
}

# Lists: the formats offered and the rows read per query.
LIST_FORMATS = ("xlsx", "csv")
CHUNK_SIZE = 2000
# openpyxl writes some thousands of rows a second on this 2-core machine and keeps each
# distinct text once in memory (the shared strings): a longer list is offered as csv, which
# streams as it is read, so the file comes within the request timeout and memory stays flat.
MAX_XLSX_LIST_ROWS = 100_000
# Excel's rows per sheet (a longer list goes on over the next sheets), what the workbook may
# hold in memory before it spills to disk, and how much csv is sent at a time.
SHEET_ROWS = 1_048_576
SPOOL_BYTES = 8 * 1024 * 1024
CSV_FLUSH_CHARS = 64 * 1024

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
# The print layout with the report header (title, whose report, period, printed on).
PRINT_BASE = "reports/print_base.html"

# WeasyPrint reports each rendering step at INFO: not news for the server's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@dataclass
class Column:
    """A column of a file. `value` (lists only) reads a row: an attribute path such as
    "village.district.name" (a method on the way is called, e.g. "get_status_display") or a
    function of the row."""

    label: str
    kind: str = TEXT
    width: int | None = None
    value: str | Callable | None = None

    def read(self, row):
        if callable(self.value):
            return self.value(row)
        for name in (self.value or "").split("."):
            if row is None:
                return None
            row = getattr(row, name)
            if inspect.ismethod(row) or isinstance(row, functools.partial):
                row = row()  # get_status_display is a partial bound to the row
        return row


@dataclass
class Sheet:
    title: str
    heading: list[str]
    columns: list[Column]
    rows: Iterable = field(default_factory=list)  # (values, style); style "", "bold"


def filename(*parts) -> str:
    """kas-umum-12-2017-03-01-2017-03-31: lower case, dashes, dates in ISO order."""
    words = []
    for part in parts:
        if isinstance(part, datetime.date):
            words.append(part.isoformat())
        else:
            words.append(slugify(str(part)))
    return "-".join(word for word in words if word)


def attachment(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def cell_value(value):
    """A value as a spreadsheet holds it: whole rupiah as integers (1250000, not 1250000.00),
    times in Jakarta's clock, text for anything else."""
    if value is None:
        return None
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(JAKARTA).replace(tzinfo=None)
        return value.replace(microsecond=0)
    if isinstance(value, datetime.date | int | float):
        return value
    return str(value)


def _cell(worksheet, value, kind=TEXT, font=None):
    """The plain value where it needs nothing else; a styled cell for amounts, dates, bold
    text, and text that looks like a formula."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = cell_value(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters pasted into a note
    formula = needs_quote(value)
    number_format = NUMBER_FORMATS.get(kind) if value is not None else None
    if not (formula or number_format or font):
        return value
    item = WriteOnlyCell(worksheet, value=value)
    if formula:
        # Typed text behind Excel's quote prefix (the apostrophe a user types), never run:
        # a description "=HYPERLINK(...)" stays text even when the cell is edited.
        item.data_type = "s"
        item.quotePrefix = True
    if number_format:
        item.number_format = number_format
    if font:
        item.font = font
    return item


def _set_widths(worksheet, columns: list[Column]) -> None:
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(columns, start=1):
        width = column.width or WIDTHS[column.kind]
        worksheet.column_dimensions[get_column_letter(index)].width = width


def xlsx_response(sheet: Sheet, name: str) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(_sheet_title(sheet.title))
    _set_widths(worksheet, sheet.columns)
    bold = Font(bold=True)
    for number, line in enumerate(sheet.heading):
        worksheet.append([_cell(worksheet, line, font=bold if number == 0 else None)])
    worksheet.append([])
    worksheet.append([_cell(worksheet, column.label, font=bold) for column in sheet.columns])
    for values, style in sheet.rows:
        font = bold if style == "bold" else None
        worksheet.append(
            [
                _cell(worksheet, value, column.kind, font)
                for value, column in zip(values, sheet.columns, strict=True)
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return attachment(buffer.getvalue(), f"{name}.xlsx", XLSX_TYPE)


def _sheet_title(title: str, number: int = 1) -> str:
    """At most 31 characters and none of []:*?/\\ (Excel's rules for a sheet's name)."""
    clean = "".join(" " if char in "[]:*?/\\" else char for char in str(title)).strip() or "1"
    if number == 1:
        return clean[:31]
    suffix = f" ({number})"
    return clean[: 31 - len(suffix)] + suffix


# --- PDF ---------------------------------------------------------------------------------------


def render_pdf(request, template: str, context: dict, *, base_template: str = PRINT_BASE) -> bytes:
    """The template rendered on the print layout, as PDF bytes. The template extends
    `{{ base_template }}` and fills its blocks (report_title, heading, owner, subheading,
    report), so the page and its PDF are one template."""
    from weasyprint import HTML

    html = render_to_string(template, {**context, "base_template": base_template}, request)
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()


def pdf_response(
    request, template: str, context: dict, name: str, *, base_template: str = PRINT_BASE
) -> HttpResponse:
    """Render this template to a PDF download with the portal's report header: the title, whose
    report it is, its period, and when it was printed (see templates/reports/print_base.html)."""
    content = render_pdf(request, template, context, base_template=base_template)
    return attachment(content, f"{name}.pdf", "application/pdf")


# --- Lists -------------------------------------------------------------------------------------


@dataclass
class ListExport:
    """A list page as a file: the page's own queryset (filtered and scoped as the page), the
    columns, and what the heading says (title, whose list, the filters applied)."""

    title: str
    columns: list[Column]
    rows: Iterable  # a QuerySet is read in chunks with .iterator()
    name: str  # the file's name without its extension, see filename()
    filters: list[tuple[str, str]] = field(default_factory=list)
    owner: str = ""


def list_format(request) -> str | None:
    """The file asked for with ?format= ("xlsx" or "csv"), None for the page itself; any other
    value is a 404."""
    value = request.GET.get("format")
    if not value:
        return None
    if value not in LIST_FORMATS:
        raise Http404(_("This list can be downloaded as xlsx or csv."))
    return value


def applied_filters(form) -> list[tuple[str, str]]:
    """(label, value) for each field of a bound filter form that narrows the list, as the form
    shows it: a region's name, a choice's label, a date as DD-MM-YYYY. A value the form refused
    is named as refused (the list is then empty)."""
    if form is None or not form.is_bound:
        return []
    form.is_valid()
    pairs = []
    for name, form_field in form.fields.items():
        label = str(form_field.label or name)
        if name in form.errors:
            raw = form.data.get(name, "")
            pairs.append((label, _("%(value)s (not accepted)") % {"value": raw}))
            continue
        value = form.cleaned_data.get(name)
        if value in (None, "", [], ()):
            continue
        pairs.append((label, _filter_display(form_field, value)))
    return pairs


def _filter_display(form_field, value) -> str:
    if isinstance(value, datetime.date):
        return value.strftime("%d-%m-%Y")
    if isinstance(form_field, forms.ChoiceField) and not isinstance(
        form_field, forms.ModelChoiceField
    ):
        for key, label in form_field.choices:
            if str(key) == str(value):
                return str(label)
    return str(value)


def batches(rows, size: int = CHUNK_SIZE) -> Iterator[list]:
    """The rows in lists of `size`, read from a queryset in chunks: for columns that need a
    query per chunk (a loan's position), not per row."""
    batch = []
    for row in _iterate(rows, size):
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _iterate(rows, size: int = CHUNK_SIZE) -> Iterator:
    if isinstance(rows, QuerySet):
        return rows.iterator(chunk_size=size)
    return iter(rows)


def export_heading(export: ListExport, now: datetime.datetime | None = None) -> list[str]:
    """Title, whose list, the filters applied, and when it was exported (Jakarta time)."""
    now = (now or timezone.now()).astimezone(JAKARTA)
    lines = [export.title]
    if export.owner:
        lines.append(export.owner)
    if export.filters:
        lines.extend(
            _("%(label)s: %(value)s") % {"label": label, "value": value}
            for label, value in export.filters
        )
    else:
        lines.append(_("Filters: none, everything you may see"))
    lines.append(_("Exported on %(when)s WIB") % {"when": now.strftime("%d-%m-%Y %H:%M")})
    return lines


@replica_reads
def list_response(request, export: ListExport, fmt: str):
    """The list as a csv (streamed) or xlsx (written to a temporary file) download. A list too
    long for a workbook made within a request goes back to the page, which says to take the
    csv or narrow the filters. Its rows are read from the replica when there is one."""
    if fmt == "csv":
        return _csv_response(export)
    if fmt != "xlsx":
        raise Http404(_("This list can be downloaded as xlsx or csv."))
    size = _size(export.rows)
    if size is not None and size > MAX_XLSX_LIST_ROWS:
        messages.warning(
            request,
            _(
                "This list has %(count)s rows; an xlsx file holds at most %(limit)s. Download "
                "it as csv, or narrow the filters."
            )
            % {
                "count": number_format(size, force_grouping=True),
                "limit": number_format(MAX_XLSX_LIST_ROWS, force_grouping=True),
            },
        )
        query = request.GET.copy()
        query.pop("format", None)
        return redirect(f"{request.path}?{query.urlencode()}" if query else request.path)
    return _xlsx_list_response(export)


def _size(rows) -> int | None:
    if isinstance(rows, QuerySet):
        return rows.count()
    return len(rows) if hasattr(rows, "__len__") else None


class _Echo:
    """csv.writer writes into this and gets the line back: nothing is kept."""

    def write(self, value):
        return value


def _csv_value(value, kind: str):
    value = cell_value(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%d-%m-%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d-%m-%Y")
    return safe_cell(value)


def _csv_response(export: ListExport) -> StreamingHttpResponse:
    heading = export_heading(export)
    language = translation.get_language()

    def lines():
        # The rows are read after the view has returned: keep the request's language for the
        # labels the rows carry (a status, a role).
        with translation.override(language):
            writer = csv.writer(_Echo())
            parts = ["\ufeff"]  # a BOM, so Excel reads the file as UTF-8
            parts.extend(writer.writerow([_csv_value(line, TEXT)]) for line in heading)
            parts.append(writer.writerow([]))
            parts.append(writer.writerow([_csv_value(c.label, TEXT) for c in export.columns]))
            size = 0
            for row in _iterate(export.rows):
                line = writer.writerow(
                    [_csv_value(column.read(row), column.kind) for column in export.columns]
                )
                parts.append(line)
                size += len(line)
                if size >= CSV_FLUSH_CHARS:
                    yield "".join(parts)
                    parts, size = [], 0
            yield "".join(parts)

    response = StreamingHttpResponse(lines(), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{export.name}.csv"'
    return response


def _xlsx_list_response(export: ListExport) -> FileResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    columns = export.columns

    def new_sheet(number: int):
        worksheet = workbook.create_sheet(_sheet_title(export.title, number))
        _set_widths(worksheet, columns)
        return worksheet

    def header(worksheet):
        return [_cell(worksheet, column.label, font=bold) for column in columns]

    worksheet, number = new_sheet(1), 1
    heading = export_heading(export)
    for index, line in enumerate(heading):
        worksheet.append([_cell(worksheet, line, font=bold if index == 0 else None)])
    worksheet.append([])
    worksheet.append(header(worksheet))
    used = len(heading) + 2
    for row in _iterate(export.rows):
        if used >= SHEET_ROWS:
            number += 1
            worksheet = new_sheet(number)
            worksheet.append(header(worksheet))
            used = 1
        worksheet.append([_cell(worksheet, column.read(row), column.kind) for column in columns])
        used += 1
    # Closed by the FileResponse once sent.
    file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    try:
        workbook.save(file)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return FileResponse(
        file, as_attachment=True, filename=f"{export.name}.xlsx", content_type=XLSX_TYPE
    )
