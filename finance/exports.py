"""Reports as files: xlsx (openpyxl) and PDF (WeasyPrint).

A report is turned into a `Sheet` (heading lines, columns and rows of plain values) for the
workbook; the PDF is the report's own template rendered on a print layout. Both take the same
rows the page shows, from the same selectors. Amounts are numbers in the workbook, formatted
with a thousands separator, so a treasurer can add them up in a spreadsheet.
"""

import datetime
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ksm_portal.spreadsheets import looks_like_formula

AMOUNT_FORMAT = "#,##0"
DATE_FORMAT = "DD-MM-YYYY"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A file is made in one request; beyond these, the user is asked for a shorter range.
MAX_XLSX_ROWS = 50_000
MAX_PDF_ROWS = 2_000

TEXT, DATE, AMOUNT = "text", "date", "amount"

# WeasyPrint reports each rendering step at INFO: not news for the server's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
WIDTHS = {TEXT: 40, DATE: 12, AMOUNT: 16}


@dataclass
class Column:
    label: str
    kind: str = TEXT
    width: int | None = None


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


def _attachment(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def xlsx_response(sheet: Sheet, name: str) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet.title[:31])
    for index, column in enumerate(sheet.columns, start=1):
        width = column.width or WIDTHS[column.kind]
        worksheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)

    def cell(value, kind=TEXT, strong=False):
        item = WriteOnlyCell(worksheet, value=_cell_value(value))
        if looks_like_formula(item.value):
            item.data_type = "s"  # typed text (a description "=HYPERLINK(...)"), never run
        if kind == AMOUNT:
            item.number_format = AMOUNT_FORMAT
        elif kind == DATE:
            item.number_format = DATE_FORMAT
        if strong:
            item.font = bold
        return item

    for number, line in enumerate(sheet.heading):
        worksheet.append([cell(line, strong=number == 0)])
    worksheet.append([])
    worksheet.append([cell(column.label, strong=True) for column in sheet.columns])
    for values, style in sheet.rows:
        worksheet.append(
            [
                cell(value, column.kind, strong=style == "bold")
                for value, column in zip(values, sheet.columns, strict=True)
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _attachment(buffer.getvalue(), f"{name}.xlsx", XLSX_TYPE)


def _cell_value(value):
    if isinstance(value, Decimal):
        # Whole rupiah as integers, so a spreadsheet shows 1250000 and not 1250000.00.
        return int(value) if value == value.to_integral_value() else float(value)
    if value is None:
        return None
    if isinstance(value, datetime.date | int | float):
        return value
    return str(value)


def pdf_response(request, template: str, context: dict, name: str) -> HttpResponse:
    """The report's template on the print layout, as a PDF."""
    from weasyprint import HTML

    html = render_to_string(
        template, {**context, "base_template": "finance/report_print_base.html"}, request
    )
    content = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    return _attachment(content, f"{name}.pdf", "application/pdf")


# --- The reports as sheets ---------------------------------------------------------------------


def _day(value: datetime.date) -> str:
    return date_format(value, "DATE_FORMAT")


def ledger_sheet(book, ledger, rows, *, cash: bool) -> Sheet:
    title = _("Cash book") if cash else _("General ledger")
    heading = [title, str(book)]
    if not cash:
        heading.append(str(ledger.account))
    if ledger.member is not None:
        heading.append(str(ledger.member))
    heading.append(
        _("%(start)s to %(end)s") % {"start": _day(ledger.date_from), "end": _day(ledger.date_to)}
    )
    columns = [
        Column(_("Date"), DATE),
        Column(_("Number"), TEXT, 12),
        Column(_("Description")),
        Column(_("Receipt"), TEXT, 12),
        Column(_("In") if cash else _("Debit"), AMOUNT),
        Column(_("Out") if cash else _("Credit"), AMOUNT),
        Column(_("Balance"), AMOUNT),
    ]

    def lines():
        yield [None, None, _("Opening balance"), None, None, None, ledger.opening], "bold"
        for row in rows:
            yield (
                [
                    row.entry_date,
                    row.reference,
                    row.description,
                    row.receipt_ref,
                    row.debit or None,
                    row.credit or None,
                    row.balance,
                ],
                "",
            )
        yield (
            [
                None,
                None,
                _("Closing balance"),
                None,
                ledger.total_debit,
                ledger.total_credit,
                ledger.closing,
            ],
            "bold",
        )

    return Sheet(title, heading, columns, lines())


def passbook_sheet(book, passbook, sections) -> Sheet:
    """sections: (member ledger, all its rows in the range) per savings type."""
    title = _("Savings passbook")
    heading = [
        title,
        str(book),
        str(passbook.member),
        _("%(start)s to %(end)s")
        % {"start": _day(passbook.date_from), "end": _day(passbook.date_to)},
    ]
    columns = [
        Column(_("Date"), DATE),
        Column(_("Number"), TEXT, 12),
        Column(_("Description")),
        Column(_("Deposit"), AMOUNT),
        Column(_("Withdrawal"), AMOUNT),
        Column(_("Balance"), AMOUNT),
    ]

    def lines():
        for item, rows in sections:
            yield [None, None, item.account.name, None, None, None], "bold"
            yield [None, None, _("Opening balance"), None, None, item.opening], ""
            for row in rows:
                # Savings are credit-normal: a deposit is a credit, a withdrawal a debit.
                deposit, withdrawal = (
                    (row.credit, row.debit) if item.account.sign < 0 else (row.debit, row.credit)
                )
                yield (
                    [
                        row.entry_date,
                        row.reference,
                        row.description,
                        deposit or None,
                        withdrawal or None,
                        row.balance,
                    ],
                    "",
                )
            yield [None, None, _("Closing balance"), None, None, item.closing], "bold"
        yield [None, None, _("Total savings"), None, None, passbook.total], "bold"

    return Sheet(title, heading, columns, lines())


def members_sheet(book, accounts, rows, totals, as_of) -> Sheet:
    title = _("Members' savings")
    heading = [title, str(book), _("As of %(date)s") % {"date": _day(as_of)}]
    columns = [
        Column(_("Member")),
        *(Column(account.name, AMOUNT) for account in accounts),
        Column(_("Total"), AMOUNT),
    ]

    def lines():
        for row in rows:
            yield [row.member.full_name, *row.balances, row.total], ""
        yield [_("Total"), *totals, sum(totals, Decimal("0"))], "bold"

    return Sheet(title, heading, columns, lines())


def trial_balance_sheet(book, report) -> Sheet:
    title = _("Trial balance")
    heading = [title, str(book), _("As of %(date)s") % {"date": _day(report.as_of)}]
    columns = [
        Column(_("Code"), TEXT, 10),
        Column(_("Account")),
        Column(_("Debit"), AMOUNT),
        Column(_("Credit"), AMOUNT),
    ]

    def lines():
        for row in report.rows:
            yield [row.account.code, row.account.name, row.debit, row.credit], ""
        yield [None, _("Total"), report.total_debit, report.total_credit], "bold"

    return Sheet(title, heading, columns, lines())


def _statement_columns(current: str, previous: str) -> list[Column]:
    return [Column(_("Account")), Column(current, AMOUNT, 20), Column(previous, AMOUNT, 20)]


def _section_lines(title: str, section, total_label: str):
    yield [title, None, None], "bold"
    for row in section.rows:
        yield [row.label, row.current, row.previous], ""
    yield [total_label, section.current, section.previous], "bold"


def balance_sheet_sheet(book, report) -> Sheet:
    title = _("Statement of financial position")
    heading = [title, str(book), _("As of %(date)s") % {"date": _day(report.as_of)}]
    columns = _statement_columns(_day(report.as_of), _day(report.previous_as_of))

    def lines():
        yield from _section_lines(_("Assets"), report.assets, _("Total assets"))
        yield from _section_lines(_("Liabilities"), report.liabilities, _("Total liabilities"))
        yield from _section_lines(_("Equity"), report.equity, _("Total equity"))
        yield [_("Total liabilities and equity"), *report.liabilities_and_equity], "bold"

    return Sheet(title, heading, columns, lines())


def income_statement_sheet(book, report, current: str, previous: str) -> Sheet:
    title = _("Income statement")
    period = report.period
    heading = [
        title,
        str(book),
        _("%(start)s to %(end)s") % {"start": _day(period.start), "end": _day(period.end)},
    ]

    def lines():
        yield from _section_lines(_("Income"), report.income, _("Total income"))
        yield from _section_lines(_("Expenses"), report.expenses, _("Total expenses"))
        yield [_("Surplus (deficit)"), *report.surplus], "bold"

    return Sheet(title, heading, _statement_columns(current, previous), lines())
