"""The finance reports as files: each report turned into a `Sheet` for the workbook, and the
book's print layout for the PDF. The file machinery (workbooks, csv, PDF, names) is the
portal's, in `ksm_portal.exports`; the report's rows come from the same selectors the page uses.
"""

import datetime
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ksm_portal import exports as base
from ksm_portal.exports import (
    AMOUNT,
    AMOUNT_FORMAT,
    DATE,
    DATE_FORMAT,
    MAX_PDF_ROWS,
    MAX_XLSX_ROWS,
    TEXT,
    XLSX_TYPE,
    Column,
    Sheet,
    filename,
    xlsx_response,
)

__all__ = [
    "AMOUNT",
    "AMOUNT_FORMAT",
    "DATE",
    "DATE_FORMAT",
    "MAX_PDF_ROWS",
    "MAX_XLSX_ROWS",
    "TEXT",
    "XLSX_TYPE",
    "Column",
    "Sheet",
    "filename",
    "pdf_response",
    "xlsx_response",
]

PRINT_BASE = "finance/report_print_base.html"


def pdf_response(request, template: str, context: dict, name: str):
    """The report's template on the book's print layout (the report header names the book)."""
    return base.pdf_response(request, template, context, name, base_template=PRINT_BASE)


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
