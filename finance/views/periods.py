"""Closing months and years, the opening-balances wizard, and the chart of accounts.

Who does what (the services check it too):
- everyone who sees the book reads its periods and its chart;
- the treasurer, the facilitators of the village and staff close the next month and the year
  (closing only locks; reopening is staff's);
- the treasurer and staff post the opening balances (they post to the book);
- staff and the facilitators of the village edit the chart of accounts.
"""

import contextlib
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ksm_portal.exports import list_format, list_response
from ksm_portal.forms import apply_validation_error
from ksm_portal.pagination import paginate

from .. import list_exports, tokens
from ..forms import AccountForm, OpeningWizard
from ..models import Book, FiscalPeriod
from ..money import rupiah
from ..services.accounts import account_create, account_update, chart_editable_by
from ..services.opening import opening_balances_post, opening_summary
from ..services.periods import (
    has_ended,
    last_closed_month,
    may_close,
    may_reopen,
    month_label,
    next_month_to_close,
    period_close,
    period_reopen,
    year_end_close,
    year_end_due,
)
from .common import postable_book, visible_book

# --- Periods ----------------------------------------------------------------------------------


def _periods_url(book: Book, year: int | None = None) -> str:
    url = reverse("finance:periods", args=[book.pk])
    return f"{url}?year={year}" if year else url


def _year_param(request, book: Book, today: datetime.date) -> int:
    default = min(next_month_to_close(book).year, today.year)
    try:
        year = int(request.GET.get("year", default))
    except (TypeError, ValueError):
        year = default
    return min(max(year, book.opening_date.year), today.year)


@login_required
def periods(request, book_id):
    """The months of one year of the book: which are closed, by whom and when, the year's
    close and reopen history, and the buttons for the next step."""
    book = visible_book(request, book_id)
    today = timezone.localdate()
    year = _year_param(request, book, today)
    first = max(datetime.date(year, 1, 1), book.opening_date.replace(day=1))
    last = min(datetime.date(year, 12, 1), today.replace(day=1))
    recorded = {
        period.month: period
        for period in FiscalPeriod.objects.filter(book=book, month__year=year).select_related(
            "closed_by", "reopened_by"
        )
    }
    months = []
    for number in range(first.month, last.month + 1):
        month = datetime.date(year, number, 1)
        closed = book.closed_through is not None and month <= book.closed_through
        months.append(
            {
                "month": month,
                "closed": closed,
                "ended": has_ended(month, today),
                "period": recorded.get(month),
            }
        )
    history = (
        FiscalPeriod.history.filter(book_id=book.pk, month__year=year)
        .select_related("history_user", "closed_by", "reopened_by")
        .order_by("-history_date", "-history_id")
    )
    if fmt := list_format(request):
        return list_response(request, list_exports.period_history_export(book, history, year), fmt)
    page, querystring = paginate(request, history)
    next_month = next_month_to_close(book)
    context = {
        "book": book,
        "year": year,
        "years": range(book.opening_date.year, today.year + 1),
        "previous_year": year - 1 if year > book.opening_date.year else None,
        "next_year": year + 1 if year < today.year else None,
        "months": months,
        "page": page,
        "querystring": querystring,
        "next_month": next_month,
        "next_month_ended": has_ended(next_month, today),
        "year_end_year": year_end_due(book, today),
        "last_closed": last_closed_month(book),
        "can_close": may_close(request.user, book),
        "can_reopen": may_reopen(request.user),
    }
    return render(request, "finance/period_list.html", context)


def _month_param(request) -> datetime.date | None:
    """The month a close or reopen button names, "2017-01"."""
    year, _dash, month = request.POST.get("month", "").partition("-")
    try:
        return datetime.date(int(year), int(month), 1)
    except (ValueError, OverflowError):
        return None


def _refused(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
@require_POST
def close_month(request, book_id):
    book = visible_book(request, book_id)
    month = _month_param(request)
    if month is None:
        messages.error(request, _("Choose the month to close."))
        return redirect(_periods_url(book))
    try:
        period_close(book=book, month=month, actor=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("%(month)s is closed. Entries can no longer be dated in it.")
            % {"month": month_label(month)},
        )
    return redirect(_periods_url(book, month.year))


@login_required
@require_POST
def reopen_month(request, book_id):
    book = visible_book(request, book_id)
    if not may_reopen(request.user):
        raise PermissionDenied
    month = _month_param(request)
    if month is None:
        messages.error(request, _("Choose the month to reopen."))
        return redirect(_periods_url(book))
    try:
        period_reopen(book=book, actor=request.user, month=month)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("%(month)s is open again.") % {"month": month_label(month)})
    return redirect(_periods_url(book, month.year))


@login_required
@require_POST
def year_end(request, book_id):
    book = visible_book(request, book_id)
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        year = 0
    if not datetime.MINYEAR < year < datetime.MAXYEAR:
        messages.error(request, _("Choose the year to close."))
        return redirect(_periods_url(book))
    try:
        result = year_end_close(book=book, year=year, actor=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _(
                "The year %(year)s is closed: its surplus of %(surplus)s has been moved to "
                "retained surplus and December is closed."
            )
            % {"year": year, "surplus": rupiah(result.surplus)},
        )
    return redirect(_periods_url(book, year))


# --- Opening balances -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def opening(request, book_id):
    """The cut-off wizard for a reactivated group; after posting, what was posted."""
    book = postable_book(request, book_id)
    if request.method == "POST":
        key = None
        with contextlib.suppress(ValidationError):
            key = tokens.token_key(book, request.POST.get("token"))
        if tokens.token_entry(book, key) is not None:
            messages.info(request, _("These opening balances were already posted."))
            return redirect("finance:opening", book.pk)
    summary = opening_summary(book)
    if summary is not None:
        return render(request, "finance/opening_done.html", {"book": book, "summary": summary})
    if book.entries.exists():
        return render(request, "finance/opening_closed.html", {"book": book})
    wizard = OpeningWizard(request.POST or None, book=book)
    if request.method == "POST" and wizard.is_valid():
        try:
            opening_balances_post(book=book, actor=request.user, **wizard.service_kwargs())
        except ValidationError as error:
            apply_validation_error(wizard.form, error)
        else:
            messages.success(request, _("The opening balances have been posted."))
            return redirect("finance:opening", book.pk)
    return render(request, "finance/opening_form.html", {"book": book, "wizard": wizard})


# --- Chart of accounts ------------------------------------------------------------------------


def _chart_editable_book(request, book_id) -> Book:
    book = visible_book(request, book_id)
    if not chart_editable_by(request.user, book):
        raise PermissionDenied
    return book


ACCOUNTS_PER_PAGE = 100


@login_required
def accounts(request, book_id):
    book = visible_book(request, book_id)
    chart = book.accounts.select_related("parent").order_by("code")
    if fmt := list_format(request):
        return list_response(request, list_exports.accounts_export(book, chart), fmt)
    page, querystring = paginate(request, chart, ACCOUNTS_PER_PAGE)
    return render(
        request,
        "finance/account_list.html",
        {
            "book": book,
            "page": page,
            "querystring": querystring,
            "can_edit": chart_editable_by(request.user, book),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_new(request, book_id):
    book = _chart_editable_book(request, book_id)
    form = AccountForm(request.POST or None, book=book)
    if request.method == "POST" and form.is_valid():
        try:
            account = account_create(book=book, actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Account %(account)s added.") % {"account": account})
            return redirect("finance:accounts", book.pk)
    return render(request, "finance/account_form.html", {"book": book, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def account_edit(request, book_id, pk):
    book = _chart_editable_book(request, book_id)
    account = get_object_or_404(book.accounts.select_related("parent"), pk=pk)
    form = AccountForm(request.POST or None, book=book, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            account = account_update(account=account, actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Account %(account)s saved.") % {"account": account})
            return redirect("finance:accounts", book.pk)
    history = account.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "finance/account_form.html",
        {"book": book, "form": form, "account": account, "history": history},
    )


urlpatterns = [
    path("books/<int:book_id>/periods/", periods, name="periods"),
    path("books/<int:book_id>/periods/close/", close_month, name="period_close"),
    path("books/<int:book_id>/periods/reopen/", reopen_month, name="period_reopen"),
    path("books/<int:book_id>/periods/year-end/", year_end, name="year_end"),
    path("books/<int:book_id>/opening/", opening, name="opening"),
    path("books/<int:book_id>/accounts/", accounts, name="accounts"),
    path("books/<int:book_id>/accounts/new/", account_new, name="account_create"),
    path("books/<int:book_id>/accounts/<int:pk>/", account_edit, name="account_update"),
]
