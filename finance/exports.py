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
    STATEMENT_AMOUNT,
    TEXT,
    XLSX_TYPE,
    Column,
    Sheet,
    filename,
    xlsx_response,
)

from .money import rupiah

__all__ = [
    "AMOUNT",
    "AMOUNT_FORMAT",
    "DATE",
    "DATE_FORMAT",
    "MAX_PDF_ROWS",
    "MAX_XLSX_ROWS",
    "STATEMENT_AMOUNT",
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


def tie_text(tie) -> str:
    """Saldo buku besar ... per dd-mm-yyyy: Rp ...; selisih: Rp 0."""
    return _("Ledger balance as of %(date)s: %(ledger)s; difference: %(difference)s") % {
        "date": tie.on_date.strftime("%d-%m-%Y"),
        # A spreadsheet's or CSV's cell: an ordinary space, as a user types it in a search.
        "ledger": rupiah(tie.ledger, plain=True),
        "difference": rupiah(tie.difference, plain=True),
    }


def members_sheet(book, accounts, rows, totals, as_of, tie=None, group_totals=None) -> Sheet:
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
        if group_totals:
            yield [_("Member KSM"), *group_totals, sum(group_totals, Decimal("0"))], "bold"
        if tie is not None:
            yield [tie_text(tie), *([None] * (len(columns) - 1))], ""

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


# --- The SAK EMKM statements -----------------------------------------------------------------


def _statement_heading(title: str, book, when: str) -> list[str]:
    return [title, str(book), when, _("(in Rupiah)")]


def _statement_columns(current: str, previous: str, comparative: bool) -> list[Column]:
    columns = [Column(_("Account")), Column(current, STATEMENT_AMOUNT, 20)]
    if comparative:
        columns.append(Column(previous, STATEMENT_AMOUNT, 20))
    return columns


def _figures(comparative: bool, current, previous) -> list:
    return [current, previous] if comparative else [current]


def _section_lines(title: str, section, total_label: str, comparative: bool):
    blank = [None, None] if comparative else [None]
    yield [title, *blank], "bold"
    for row in section.rows:
        yield [row.label, *_figures(comparative, row.current, row.previous)], ""
    yield [total_label, *_figures(comparative, section.current, section.previous)], "bold"


def _signature_lines(signatures, width: int):
    """The signature block as rows: place and date, then each office with its holder's name
    (a line to sign on when nobody holds it)."""
    pad = [None] * (width - 1)
    yield [None, *pad], ""
    yield [f"{signatures.place}, {_day(signatures.date)}", *pad], ""
    for label, signatory in (
        (None, signatures.chair),
        (None, signatures.treasurer),
        (_("Acknowledged by,"), signatures.facilitator),
    ):
        if label:
            yield [label, *pad], ""
        yield [signatory.title, *pad], "bold"
        yield [signatory.name or "____________________", *pad], ""


def balance_sheet_sheet(book, report, signatures) -> Sheet:
    title = _("Statement of financial position")
    heading = _statement_heading(title, book, _("As of %(date)s") % {"date": _day(report.as_of)})
    both = report.comparative
    columns = _statement_columns(_day(report.as_of), _day(report.previous_as_of), both)

    def lines():
        yield from _section_lines(_("Assets"), report.assets, _("Total assets"), both)
        yield from _section_lines(
            _("Liabilities"), report.liabilities, _("Total liabilities"), both
        )
        yield from _section_lines(_("Equity"), report.equity, _("Total equity"), both)
        yield (
            [_("Total liabilities and equity"), *_figures(both, *report.liabilities_and_equity)],
            "bold",
        )
        yield from _signature_lines(signatures, len(columns))

    return Sheet(title, heading, columns, lines())


def income_statement_sheet(book, report, current: str, previous: str, signatures) -> Sheet:
    title = _("Income statement")
    period = report.period
    heading = _statement_heading(
        title,
        book,
        _("%(start)s to %(end)s") % {"start": _day(period.start), "end": _day(period.end)},
    )
    both = report.comparative
    columns = _statement_columns(current, previous, both)

    def lines():
        yield from _section_lines(_("Income"), report.income, _("Total income"), both)
        yield from _section_lines(_("Expenses"), report.expenses, _("Total expenses"), both)
        yield [_("Surplus (deficit)"), *_figures(both, *report.surplus)], "bold"
        yield from _signature_lines(signatures, len(columns))

    return Sheet(title, heading, columns, lines())


def notes_sheet(book, notes, signatures) -> Sheet:
    """The notes' figures (the policies' text is on the page and the PDF)."""
    title = _("Notes to the financial statements")
    sheet = notes.sheet
    heading = _statement_heading(title, book, _("As of %(date)s") % {"date": _day(sheet.as_of)})
    both = notes.comparative
    columns = _statement_columns(_day(sheet.as_of), _day(sheet.previous_as_of), both)
    blank = [None, None] if both else [None]

    def rows(title, items, total_label, total):
        yield [title, *blank], "bold"
        for row in items:
            yield [row.label, *_figures(both, row.current, row.previous)], ""
        yield [total_label, *_figures(both, *total)], "bold"

    def lines():
        entity = notes.entity
        yield [_("Entity"), *blank], "bold"
        for label, value in (
            (_("Name"), entity.title),
            (_("Registration"), entity.registration or "-"),
            (_("Village"), entity.village or "-"),
            (_("District"), entity.district or "-"),
            (_("Regency"), entity.regency),
        ):
            yield [f"{label}: {value}", *blank], ""
        yield [_("Basis of preparation"), *blank], "bold"
        yield [str(notes.basis), *blank], ""
        yield [_("Accounting policies"), *blank], "bold"
        for title, text in notes.policies:
            yield [f"{title}. {text}", *blank], ""
        yield from rows(
            _("Cash and bank"),
            notes.cash_and_bank,
            _("Total cash and bank"),
            notes.cash_and_bank_total,
        )
        loans = notes.loans
        if loans is not None:
            yield [_("Loans receivable"), *blank], "bold"
            for label, value in (
                (_("Current (not past due)"), loans.current),
                (_("Overdue"), loans.overdue),
                (_("Principal outstanding"), loans.outstanding),
                (_("In arrears"), loans.arrears),
                (_("Loan-loss allowance"), loans.allowance_deducted),
                (_("Loans receivable, net"), loans.net),
            ):
                yield [label, value, *([None] if both else [])], ""
            par = "-" if loans.par30 is None else f"{loans.par30}%"
            yield [f"PAR 30: {par}", *blank], ""
        yield from rows(
            _("Member savings"),
            [row for row, _s in notes.savings],
            _("Total member savings"),
            notes.savings_total,
        )
        yield from rows(
            _("Equity"),
            notes.equity,
            _("Total equity"),
            (sheet.equity.current, sheet.equity.previous),
        )
        if notes.grants:
            yield from rows(_("Grants"), notes.grants, _("Total grants"), _grant_total(notes))
            yield (
                [
                    _("Grants received in the period"),
                    notes.grants_received,
                    *([None] if both else []),
                ],
                "",
            )
        yield from _signature_lines(signatures, len(columns))

    return Sheet(title, heading, columns, lines())


def _grant_total(notes):
    return (
        sum((r.current for r in notes.grants), Decimal("0")),
        sum((r.previous for r in notes.grants), Decimal("0")),
    )
