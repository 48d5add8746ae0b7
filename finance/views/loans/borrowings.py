"""What the group borrowed (from its BUMDes, its cooperative, a bank), and recording a
borrowing from a lender whose books are not kept here."""

from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from ... import services
from ...forms.loans import BorrowingForm
from ...models import Loan
from ..common import postable_book
from .helpers import _book_form, _loan_of
from .lists import _loan_list


@login_required
@require_safe
def borrowing_list(request, book_id):
    """What the group borrowed: from its BUMDes, its cooperative, a bank."""
    return _loan_list(request, book_id, Loan.Direction.PAYABLE)


@login_required
@require_http_methods(["GET", "POST"])
def borrowing_new(request, book_id):
    """Money borrowed from a lender whose books are not kept here (a bank, say)."""
    book = postable_book(request, book_id)
    return _book_form(
        request,
        book,
        BorrowingForm,
        call=lambda **kw: services.borrowing_record(book=book, **kw),
        message=_("Borrowing recorded as entry %(reference)s."),
        target=lambda posted: _loan_of(posted.entry) or posted.entry,
        template_context={
            "title": _("Record a borrowing"),
            "intro": _(
                "Money the group borrowed: from a bank, or from a BUMDes or cooperative whose "
                "books are not kept here. A loan from a BUMDes or cooperative that keeps its "
                "books here appears by itself when they disburse it."
            ),
            "back": reverse("finance:borrowings", args=[book.pk]),
        },
    )
