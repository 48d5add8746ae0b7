"""The book's loans, newest first, filtered by status."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from ksm_portal.exports import applied_filters, list_format, list_response
from ksm_portal.pagination import paginate

from ... import list_exports
from ...forms.loans import LoanFilterForm
from ...models import Loan
from ...selectors.loans import positions
from ...selectors.member_ksm import member_ksm_loans
from ..common import can_post, visible_book


def _loan_list(request, book_id, direction: str):
    book = visible_book(request, book_id)
    receivable = direction == Loan.Direction.RECEIVABLE
    form = LoanFilterForm(request.GET or None)
    loans = form.filter(
        member_ksm_loans(book.loans.filter(direction=direction), request.user, book)
        .select_related("member", "borrower_group")
        .order_by("-number")
    )
    fmt = list_format(request)
    if fmt:
        export = list_exports.loans_export(
            book, loans, applied_filters(form), receivable=receivable
        )
        return list_response(request, export, fmt)
    page, querystring = paginate(request, loans)
    found = positions(
        [loan for loan in page.object_list if loan.status == Loan.Status.ACTIVE],
        timezone.localdate(),
    )
    rows = [(loan, found.get(loan.pk)) for loan in page.object_list]
    return render(
        request,
        "finance/loan_list.html",
        {
            "book": book,
            "form": form,
            "page": page,
            "rows": rows,
            "querystring": querystring,
            "receivable": receivable,
            "can_post": can_post(request.user, book),
        },
    )


@login_required
@require_safe
def loan_list(request, book_id):
    """The loans the book made, newest first, filtered by status."""
    return _loan_list(request, book_id, Loan.Direction.RECEIVABLE)
