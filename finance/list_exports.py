"""A book's lists as files: its journal, loans, meetings, surplus distributions, close history
and chart of accounts, with the columns each page shows (see ksm_portal.exports). The reports
(cash book, statements...) are sheets in finance.exports."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ksm_portal.exports import (
    AMOUNT,
    DATE,
    DATETIME,
    NUMBER,
    TEXT,
    Column,
    ListExport,
    batches,
    filename,
)

from .models import Loan
from .selectors.loans import positions


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user else _("system")


def journal_export(book, entries, filters) -> ListExport:
    columns = [
        Column(_("Number"), TEXT, 12, value="reference"),
        Column(_("Date"), DATE, value="entry_date"),
        Column(_("Description"), value="description"),
        Column(_("Receipt"), TEXT, 14, value="receipt_ref"),
        Column(_("Amount"), AMOUNT, value="amount"),
        Column(_("Kind"), TEXT, 20, value="get_kind_display"),
        Column(_("Reversed"), TEXT, 10, value="is_reversed"),
    ]
    name = filename("jurnal", book.pk, timezone.localdate())
    return ListExport(_("Journal"), columns, entries, name, filters=filters, owner=str(book))


def _loan_status(loan, position) -> str:
    status = loan.get_status_display()
    late = position.days_past_due if position else 0
    if loan.status == Loan.Status.ACTIVE and late:
        days = ngettext("%(days)s day late", "%(days)s days late", late) % {"days": late}
        return f"{status} · {days}"
    return status


def loans_export(book, loans, filters, *, receivable: bool) -> ListExport:
    """The loans as the list shows them; an active loan's days late come from its position,
    worked out for each chunk of loans read (not a query per loan)."""
    today = timezone.localdate()

    def rows():
        for chunk in batches(loans):
            found = positions([loan for loan in chunk if loan.status == Loan.Status.ACTIVE], today)
            for loan in chunk:
                yield loan, found.get(loan.pk)

    columns = [
        Column(_("Loan"), TEXT, 10, value=lambda row: row[0].reference),
        Column(_("Applied"), DATE, value=lambda row: row[0].applied_date),
        Column(_("Borrower") if receivable else _("Lender"), value=lambda row: row[0].party_name),
        Column(_("Amount"), AMOUNT, value=lambda row: row[0].principal),
        Column(
            _("Outstanding"),
            AMOUNT,
            value=lambda row: row[0].balance if row[0].disbursed_date else None,
        ),
        Column(_("Status"), TEXT, 24, value=lambda row: _loan_status(*row)),
    ]
    title = _("Loans") if receivable else _("Borrowings")
    name = filename("pinjaman" if receivable else "pinjaman-diterima", book.pk, today)
    return ListExport(title, columns, rows(), name, filters=filters, owner=str(book))


def meetings_export(book, meetings) -> ListExport:
    columns = [
        Column(_("Date"), DATE, value="meeting_date"),
        Column(_("Present"), NUMBER, value="present_count"),
        Column(_("Members"), NUMBER, value="members_count"),
        Column(_("Received"), AMOUNT, value="total_in"),
        Column(_("Paid out"), AMOUNT, value="total_out"),
        Column(_("Cash after"), AMOUNT, value="cash_after"),
    ]
    name = filename("rapat", book.pk, timezone.localdate())
    return ListExport(_("Monthly meetings"), columns, meetings, name, owner=str(book))


def _distribution_state(row) -> str:
    distribution = row["distribution"]
    if distribution is not None and distribution.status == distribution.Status.POSTED:
        return _("Distributed")
    if distribution is not None:
        return _("Draft, not posted yet")
    return _("Not distributed yet") if row["surplus"] > 0 else _("No surplus to share")


def distributions_export(book, rows) -> ListExport:
    """rows: the page's closed years, {"year", "surplus", "distribution"}."""
    columns = [
        Column(_("Year"), NUMBER, value=lambda row: row["year"]),
        Column(_("Surplus"), AMOUNT, value=lambda row: row["surplus"]),
        Column(_("Status"), TEXT, 24, value=_distribution_state),
    ]
    name = filename("shu", book.pk, timezone.localdate())
    return ListExport(_("Surplus distribution"), columns, rows, name, owner=str(book))


def _period_event(record) -> str:
    if record.closed_at:
        return _("closed")
    if record.reopened_at:
        return _("reopened")
    return _("recorded")


def period_history_export(book, history, year: int) -> ListExport:
    columns = [
        Column(_("When"), DATETIME, value="history_date"),
        Column(_("Month"), TEXT, 16, value=lambda record: record.month.strftime("%m-%Y")),
        Column(_("What"), TEXT, 12, value=_period_event),
        Column(_("By whom"), TEXT, 24, value=lambda record: _person(record.history_user)),
    ]
    name = filename("periode", book.pk, year)
    return ListExport(
        _("Closes and reopenings"),
        columns,
        history,
        name,
        filters=[(_("Year"), str(year))],
        owner=str(book),
    )


def _account_state(account) -> str:
    if not account.is_active:
        return _("Inactive")
    if account.is_header:
        return _("Heading")
    return _("Used by the forms") if account.role else ""


def accounts_export(book, chart) -> ListExport:
    columns = [
        Column(_("Code"), TEXT, 10, value="code"),
        Column(_("Name"), value="name"),
        Column(_("Type"), TEXT, 14, value="get_type_display"),
        Column(_("Normal balance"), TEXT, 14, value="get_normal_balance_display"),
        Column(_("Status"), TEXT, 18, value=_account_state),
    ]
    name = filename("akun", book.pk, timezone.localdate())
    return ListExport(_("Chart of accounts"), columns, chart, name, owner=str(book))
