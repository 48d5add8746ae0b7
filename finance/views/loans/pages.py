"""The loan page (its schedule and card) and the printable schedule."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ksm_portal.db_router import replica_reads

from ... import exports
from ...models import Book
from ...selectors.loan_reports import (
    interest_method_note,
    loan_on_date,
    schedule_rows,
    schedule_sheet,
)
from ...selectors.loans import loan_card, loan_position, schedule_in_use
from ..common import can_post, visible_book
from ..reports import AsOfForm, _format, _links, _with_defaults
from .helpers import ACTIONS, DECISIONS, STATES, _allowed, _chair_of, _loan


def _as_of(request) -> tuple[AsOfForm, datetime.date]:
    """The date a loan page is read as of (`?date=`, today when left out); a date the form
    refuses shows its message beside the box and the page reads today."""
    today = timezone.localdate()
    form = AsOfForm(_with_defaults(request.GET, {"date": today.isoformat()}))
    return form, form.cleaned_data["date"] if form.is_valid() else today


@login_required
@require_safe
def loan_detail(request, book_id, loan_id):
    book = visible_book(request, book_id)
    loan = _loan(book, loan_id, request.user)
    today = timezone.localdate()
    form, on_date = _as_of(request)
    schedules = list(loan.schedules.order_by("version"))
    disbursed = loan.disbursed_date is not None and loan.disbursed_date <= on_date
    pos = loan_position(loan, on_date) if disbursed else None
    poster = can_post(request.user, book)
    decider = poster or _chair_of(request.user, book) is not None
    counterpart = loan.counterpart
    if (
        counterpart is not None
        and not Book.objects.visible_to(request.user).filter(pk=counterpart.book_id).exists()
    ):
        counterpart = None
    return render(
        request,
        "finance/loan_detail.html",
        {
            "book": book,
            "loan": loan,
            "today": today,
            "on_date": on_date,
            "form": form,
            "as_of": loan_on_date(loan, on_date),
            "method_note": interest_method_note(loan),
            "pos": pos,
            "schedule": schedule_in_use(schedules, on_date) if schedules else None,
            "schedules": schedules,
            "rows": schedule_rows(pos, loan) if pos else [],
            "states": STATES,
            "card": [row for row in loan_card(loan) if row.entry_date <= on_date],
            "counterpart": counterpart,
            "can_post": poster or decider,
            "actions": {
                name: (decider if name in DECISIONS else poster) and _allowed(loan, name)
                for name in ACTIONS
            },
        },
    )


def _schedule_context(request, book, loan) -> dict:
    form, on_date = _as_of(request)
    pos = loan_position(loan, on_date)
    rows = schedule_rows(pos, loan)
    return {
        "book": book,
        "loan": loan,
        "pos": pos,
        "form": form,
        "on_date": on_date,
        "as_of": loan_on_date(loan, on_date),
        "method_note": interest_method_note(loan),
        "rows": rows,
        "states": STATES,
        "schedule": schedule_in_use(list(loan.schedules.order_by("version")), on_date),
        "totals": {
            "principal": sum(r.principal for r in rows),
            "interest": sum(r.interest for r in rows),
            "amount": sum(r.amount for r in rows),
            "paid": sum(r.paid for r in rows),
        },
        "base_template": "finance/_report_base.html",
        **_links(request),
    }


@login_required
@require_safe
@replica_reads
def loan_schedule(request, book_id, loan_id):
    """The instalment plan to print or hand over: a page, a PDF and a workbook."""
    book = visible_book(request, book_id)
    loan = _loan(book, loan_id, request.user)
    if not loan.disbursed_date:
        messages.info(request, _("The schedule is fixed when the loan is disbursed."))
        return redirect(loan)
    context = _schedule_context(request, book, loan)
    template = "finance/loan_schedule.html"
    fmt = _format(request)
    name = exports.filename("jadwal-angsuran", book.pk, loan.reference)
    if fmt == "xlsx":
        sheet = schedule_sheet(book, loan, context["rows"], STATES)
        return exports.xlsx_response(sheet, name)
    if fmt == "pdf":
        return exports.pdf_response(request, template, context, name)
    return render(request, template, context)
