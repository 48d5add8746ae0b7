"""The books as people read them: the cash book, ledgers, trial balance, the SAK EMKM
statements, members' passbooks. Each is a page (print-friendly) and, with ?format=xlsx or
?format=pdf, a file of the same rows. Anyone who can see a book can read its reports."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from groups.models import Member
from ksm_portal.db_router import replica_reads
from ksm_portal.pagination import paginate

from .. import exports, selectors
from ..forms.reports import AsOfForm, DateRangeForm, PeriodForm
from ..models import Account
from ..selectors.member_ksm import (
    member_ksm_people,
    member_ksm_visible_to,
    sees_every_member_ksm,
)
from .common import visible_book
from .members import can_settle_exit

FORMATS = ("xlsx", "pdf")
__all__ = ["AsOfForm", "DateRangeForm", "PeriodForm"]  # the loan and capital pages use them


# --- Forms: what range or period a report covers ----------------------------------------------


def _with_defaults(data, defaults: dict):
    """The request's GET parameters, with defaults for the ones it leaves out or empty."""
    data = data.copy()
    for name, value in defaults.items():
        if not data.get(name):
            data[name] = value
    return data


def _range_form(request, default_from: datetime.date) -> DateRangeForm:
    today = timezone.localdate()
    return DateRangeForm(
        _with_defaults(
            request.GET, {"date_from": default_from.isoformat(), "date_to": today.isoformat()}
        )
    )


def _period_form(request) -> PeriodForm:
    today = timezone.localdate()
    return PeriodForm(
        _with_defaults(
            request.GET, {"period": "year", "year": str(today.year), "month": str(today.month)}
        )
    )


# --- Shared response plumbing --------------------------------------------------------------


def _format(request) -> str:
    value = request.GET.get("format", "")
    return value if value in FORMATS else ""


def _links(request) -> dict:
    """The page's own query (without page and format), for pager and export links."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return {"querystring": query.urlencode()}


def _too_many(request, count: int, fmt: str):
    limit = exports.MAX_XLSX_ROWS if fmt == "xlsx" else exports.MAX_PDF_ROWS
    if count <= limit:
        return None
    messages.error(
        request,
        _(
            "This report has %(count)s lines; a file holds at most %(limit)s. "
            "Choose a shorter date range."
        )
        % {"count": count, "limit": limit},
    )
    query = request.GET.copy()
    query.pop("format", None)
    return redirect(f"{request.path}?{query.urlencode()}")


def _page(request, template: str, context: dict, status: int = 200):
    context = {"base_template": "finance/_report_base.html", **_links(request), **context}
    return render(request, template, context, status=status)


def _day(value: datetime.date) -> str:
    return date_format(value, "DATE_FORMAT")


ANY_ID = 2147483647


def _link_entries(book, rows) -> None:
    """Each row links to its entry: one reverse() for the page instead of one per row."""
    try:
        pattern = reverse("finance:entry", args=[book.pk, ANY_ID])
    except NoReverseMatch:  # the journal pages are not installed
        return
    for row in rows:
        row.url = pattern.replace(str(ANY_ID), str(row.entry_id))


# --- Cash book and ledgers ---------------------------------------------------------------------


def _ledger_response(request, book, account: Account, *, cash: bool, accounts=None):
    if not sees_every_member_ksm(request.user, book):
        raise Http404  # running balances over every member KSM's lines: the entity's own
    template = "finance/report_ledger.html"
    first_of_month = timezone.localdate().replace(day=1)
    form = _range_form(request, first_of_month)
    context = {"book": book, "account": account, "cash": cash, "form": form, "accounts": accounts}
    if not form.is_valid():
        return _page(request, template, context)
    date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    report = selectors.ledger(account, date_from=date_from, date_to=date_to)
    context["ledger"] = report
    fmt = _format(request)
    if fmt:
        refused = _too_many(request, report.count, fmt)
        if refused:
            return refused
        if cash:
            name = exports.filename("kas-umum", book.pk, date_from, date_to)
        else:
            name = exports.filename("buku-besar", book.pk, account.code, date_from, date_to)
        if fmt == "xlsx":
            sheet = exports.ledger_sheet(book, report, report.lines, cash=cash)
            return exports.xlsx_response(sheet, name)
        rows = list(report.lines)
        _link_entries(book, rows)
        context.update(
            rows=rows,
            brought_forward=report.opening,
            carried_forward=report.closing,
            first_page=True,
            last_page=True,
        )
        return exports.pdf_response(request, template, context, name)
    page = report.page(request.GET.get("page"))
    _link_entries(book, page.rows)
    context.update(
        page=page.page,
        rows=page.rows,
        brought_forward=page.brought_forward,
        carried_forward=page.carried_forward,
        first_page=page.is_first,
        last_page=page.is_last,
    )
    return _page(request, template, context)


@login_required
@replica_reads
def cash_book(request, book_id):
    """Buku Kas Umum: the cash account's lines with a running balance."""
    book = visible_book(request, book_id)
    account = get_object_or_404(book.accounts, role="cash")
    return _ledger_response(request, book, account, cash=True)


@login_required
@replica_reads
def ledger(request, book_id, account_id):
    """The general ledger of any posting account; a picker switches to another account."""
    book = visible_book(request, book_id)
    accounts = list(book.accounts.filter(is_header=False).order_by("code"))
    chosen = request.GET.get("account")
    if chosen and chosen != str(account_id) and any(str(a.pk) == chosen for a in accounts):
        query = request.GET.copy()
        for name in ("account", "page", "format"):
            query.pop(name, None)
        url = reverse("finance:ledger", args=[book.pk, int(chosen)])
        return redirect(f"{url}?{query.urlencode()}" if query else url)
    account = next((a for a in accounts if a.pk == account_id), None)
    if account is None:
        raise Http404
    return _ledger_response(request, book, account, cash=False, accounts=accounts)


# --- Trial balance -----------------------------------------------------------------------------


@login_required
@replica_reads
def trial_balance(request, book_id):
    book = visible_book(request, book_id)
    form = AsOfForm(_with_defaults(request.GET, {"date": timezone.localdate().isoformat()}))
    template = "finance/report_trial_balance.html"
    context = {"book": book, "form": form}
    if not form.is_valid():
        return _page(request, template, context)
    report = selectors.trial_balance(book, as_of=form.cleaned_data["date"])
    context["report"] = report
    fmt = _format(request)
    name = exports.filename("neraca-saldo", book.pk, report.as_of)
    if fmt == "xlsx":
        return exports.xlsx_response(exports.trial_balance_sheet(book, report), name)
    if fmt == "pdf":
        return exports.pdf_response(request, template, context, name)
    return _page(request, template, context)


# --- Statements --------------------------------------------------------------------------------


def _period_label(period: selectors.Period) -> str:
    if period.kind == "month":
        label = f"{MONTHS[period.start.month]} {period.start.year}"
    else:
        label = str(period.start.year)
    if period.is_partial:
        label = _("%(period)s to %(date)s") % {"period": label, "date": _day(period.end)}
    return str(label)


def _show_zero(request) -> bool:
    """The "show accounts with a zero balance" toggle."""
    return request.GET.get("zero") == "1"


def _statement(request, book_id, *, template: str, build):
    book = visible_book(request, book_id)
    form = _period_form(request)
    context = {"book": book, "form": form, "show_zero": _show_zero(request)}
    if not form.is_valid():
        return _page(request, template, context)
    period = form.cleaned_data["report_period"]
    entity = selectors.entity_of(book)
    context.update(
        period=period,
        current_label=_period_label(period),
        previous_label=_period_label(period.previous),
        entity=entity,
        signatures=selectors.signatures(book, entity=entity),
    )
    return build(book, period, context)


def _statement_files(request, template: str, context: dict, name: str, sheet):
    fmt = _format(request)
    if fmt == "xlsx":
        return exports.xlsx_response(sheet(), name)
    if fmt == "pdf":
        return exports.pdf_response(request, template, context, name)
    return _page(request, template, context)


@login_required
@replica_reads
def balance_sheet(request, book_id):
    """Laporan posisi keuangan at the end of a month or year, beside the previous one when
    that one has figures."""
    template = "finance/report_balance_sheet.html"

    def build(book, period, context):
        report = selectors.balance_sheet(book, period, show_zero=context["show_zero"])
        context["report"] = report
        name = exports.filename("posisi-keuangan", book.pk, report.as_of)
        return _statement_files(
            request,
            template,
            context,
            name,
            lambda: exports.balance_sheet_sheet(book, report, context["signatures"]),
        )

    return _statement(request, book_id, template=template, build=build)


@login_required
@replica_reads
def income_statement(request, book_id):
    """Laporan laba rugi of a month or year, beside the previous one when that one has
    figures."""
    template = "finance/report_income_statement.html"

    def build(book, period, context):
        report = selectors.income_statement(book, period, show_zero=context["show_zero"])
        context["report"] = report
        name = exports.filename("laba-rugi", book.pk, period.start, period.end)
        return _statement_files(
            request,
            template,
            context,
            name,
            lambda: exports.income_statement_sheet(
                book,
                report,
                context["current_label"],
                context["previous_label"],
                context["signatures"],
            ),
        )

    return _statement(request, book_id, template=template, build=build)


@login_required
@replica_reads
def notes(request, book_id):
    """Catatan atas Laporan Keuangan: the entity, the basis of preparation, the accounting
    policies and a note per material line of the statements."""
    template = "finance/report_notes.html"

    def build(book, period, context):
        report = selectors.statement_notes(book, period, entity=context["entity"])
        context["report"] = report
        name = exports.filename("catatan-laporan-keuangan", book.pk, report.sheet.as_of)
        return _statement_files(
            request,
            template,
            context,
            name,
            lambda: exports.notes_sheet(book, report, context["signatures"]),
        )

    return _statement(request, book_id, template=template, build=build)


# --- Members' savings --------------------------------------------------------------------------


@login_required
@replica_reads
def members(request, book_id):
    """The members with their balance per savings type on a date (today unless asked),
    each linking to their passbook, and the total tied to the savings accounts' ledger."""
    book = visible_book(request, book_id)
    accounts = selectors.savings_accounts(book)
    template = "finance/report_members.html"
    form = AsOfForm(_with_defaults(request.GET, {"date": timezone.localdate().isoformat()}))
    context = {"book": book, "accounts": accounts, "form": form}
    if not form.is_valid():
        return _page(request, template, context)
    as_of = form.cleaned_data["date"]
    fmt = _format(request)
    everyone = selectors.book_members(book)
    member_ids = group_ids = None
    if not sees_every_member_ksm(request.user, book):
        # A member KSM's officer or a facilitator in an entity's books: the people and the KSM
        # in their sight only, and no tie to the ledger that holds everyone's savings.
        member_ids = Member.objects.visible_to(request.user).values("pk")
        everyone = everyone.filter(pk__in=member_ids)
        group_ids = member_ksm_visible_to(request.user, book).values("pk")
    if fmt:
        refused = _too_many(request, everyone.count(), fmt)
        if refused:
            return refused
        listed = list(everyone)
    else:
        page, _query = paginate(request, everyone)
        listed = page.object_list
        context["page"] = page
    rows, totals = selectors.members_savings(
        book, listed, accounts, as_of=as_of, total_ids=member_ids
    )
    groups = selectors.member_ksm_savings_totals(book, accounts, as_of=as_of, group_ids=group_ids)
    held = sum(totals) + sum(groups)
    tie = None
    if member_ids is None:
        tie = selectors.ledger_tie(book, accounts, on_date=as_of, total=held)
    context.update(
        rows=rows,
        totals=totals,
        total=sum(totals),
        group_totals=groups if any(groups) else None,
        group_total=sum(groups),
        as_of=as_of,
        tie=tie,
    )
    if fmt:
        name = exports.filename("simpanan-anggota", book.pk, as_of)
        if fmt == "xlsx":
            sheet = exports.members_sheet(
                book, accounts, rows, totals, as_of, tie, context["group_totals"]
            )
            return exports.xlsx_response(sheet, name)
        return exports.pdf_response(request, template, context, name)
    return _page(request, template, context)


@login_required
@replica_reads
def passbook(request, book_id, member_id):
    """A member's savings passbook: each savings type with its running balance."""
    book = visible_book(request, book_id)
    member = get_object_or_404(
        member_ksm_people(selectors.book_members(book), request.user, book), pk=member_id
    )
    form = _range_form(request, book.opening_date)
    template = "finance/report_passbook.html"
    context = {
        "book": book,
        "member": member,
        "form": form,
        "can_post": can_settle_exit(request.user, book),
    }
    if not form.is_valid():
        return _page(request, template, context)
    date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    report = selectors.passbook(book, member, date_from=date_from, date_to=date_to)
    context["passbook"] = report
    fmt = _format(request)
    if fmt:
        refused = _too_many(request, sum(item.count for item in report.ledgers), fmt)
        if refused:
            return refused
        name = exports.filename("buku-tabungan", book.pk, member.pk, date_from, date_to)
        full = [(item, list(item.lines)) for item in report.ledgers]
        if fmt == "xlsx":
            return exports.xlsx_response(exports.passbook_sheet(book, report, full), name)
        sections = [
            {
                "ledger": item,
                "rows": rows,
                "brought_forward": item.opening,
                "carried_forward": item.closing,
                "first_page": True,
                "last_page": True,
            }
            for item, rows in full
        ]
        context["sections"] = sections
        return exports.pdf_response(request, template, context, name)
    pager, pages = report.pages(request.GET.get("page"))
    for _item, page in pages:
        _link_entries(book, page.rows)
    context["page"] = pager
    context["sections"] = [
        {
            "ledger": item,
            "rows": page.rows,
            "brought_forward": page.brought_forward,
            "carried_forward": page.carried_forward,
            "first_page": page.is_first,
            "last_page": page.is_last,
        }
        for item, page in pages
    ]
    return _page(request, template, context)


urlpatterns = [
    path("books/<int:book_id>/cash/", cash_book, name="cash_book"),
    path("books/<int:book_id>/ledger/<int:account_id>/", ledger, name="ledger"),
    path("books/<int:book_id>/trial-balance/", trial_balance, name="trial_balance"),
    path("books/<int:book_id>/balance-sheet/", balance_sheet, name="balance_sheet"),
    path("books/<int:book_id>/income-statement/", income_statement, name="income_statement"),
    path("books/<int:book_id>/notes/", notes, name="statement_notes"),
    path("books/<int:book_id>/members/", members, name="members"),
    path("books/<int:book_id>/members/<int:member_id>/passbook/", passbook, name="passbook"),
]
