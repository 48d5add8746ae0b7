"""A borrower's statement (a member, a member KSM) and the portfolio report."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from ksm_portal.db_router import replica_reads

from ... import exports
from ...models import Book, Loan
from ...selectors import book_members
from ...selectors.loan_reports import age_label, portfolio_sheet, statement, statement_sheet
from ...selectors.loans import portfolio
from ...selectors.member_ksm import member_ksm_loans, member_ksm_people, member_ksm_visible_to
from ..common import can_post, visible_book
from ..reports import AsOfForm, _format, _links, _with_defaults
from .helpers import STATES


def _statement_page(request, book, report, *, member=None, group=None):
    template = "finance/loan_statement.html"
    context = {
        "book": book,
        "report": report,
        "member": member,
        "group": group,
        "states": STATES,
        "base_template": "finance/_report_base.html",
        **_links(request),
    }
    fmt = _format(request)
    party = member.pk if member else f"ksm-{group.pk}"
    name = exports.filename("pinjaman-simpanan", book.pk, party, report.on_date)
    if fmt == "xlsx":
        label = member.full_name if member else group.name
        return exports.xlsx_response(statement_sheet(book, report, label), name)
    if fmt == "pdf":
        return exports.pdf_response(request, template, context, name)
    return render(request, template, context)


@login_required
@require_safe
@replica_reads
def member_statement(request, book_id, member_id):
    """A KSM member's savings and loans together (KSM books)."""
    book = visible_book(request, book_id)
    member = get_object_or_404(
        member_ksm_people(book_members(book), request.user, book), pk=member_id
    )
    return _statement_page(request, book, statement(book, member=member), member=member)


@login_required
@require_safe
@replica_reads
def group_statement(request, book_id, group_id):
    """A member KSM's savings and loans in a cooperative's or BUMDes's books."""
    book = visible_book(request, book_id)
    if book.kind == Book.Kind.KSM:
        # A KSM's own books hold no member KSM: its own address leads to its loans, any
        # other KSM is not here.
        if book.group_id != group_id:
            raise Http404
        return redirect("finance:loans", book.pk)
    groups = member_ksm_visible_to(request.user, book).filter(pk=group_id)
    if book.cooperative_id:
        groups = groups.filter(cooperative_memberships__cooperative_id=book.cooperative_id)
    else:
        groups = groups.filter(village__bumdes__pk=book.bumdes_id)
    group = get_object_or_404(groups.distinct())
    return _statement_page(request, book, statement(book, group=group), group=group)


@login_required
@require_safe
@replica_reads
def portfolio_report(request, book_id):
    """The book's loans outstanding on a date: totals, due this month, arrears by age, PAR."""
    book = visible_book(request, book_id)
    form = AsOfForm(_with_defaults(request.GET, {"date": timezone.localdate().isoformat()}))
    template = "finance/loan_portfolio.html"
    context = {
        "book": book,
        "form": form,
        "base_template": "finance/_report_base.html",
        "can_post": can_post(request.user, book),
        **_links(request),
    }
    if form.is_valid():
        report = portfolio(
            book,
            form.cleaned_data["date"],
            loans=member_ksm_loans(Loan.objects.all(), request.user, book),
        )
        for bucket in report.by_age:
            bucket["label"] = age_label(bucket)
        context["report"] = report
        fmt = _format(request)
        name = exports.filename("portofolio-pinjaman", book.pk, report.on_date)
        if fmt == "xlsx":
            return exports.xlsx_response(portfolio_sheet(book, report), name)
        if fmt == "pdf":
            return exports.pdf_response(request, template, context, name)
    return render(request, template, context)
