"""The forms that post a loan's money: disbursement and repayment."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ... import services
from ...forms.loans import DisburseForm, RepayForm
from ...models import Loan
from ...selectors.loan_reports import amount_due
from ...selectors.loans import loan_position
from ..common import postable_book
from .helpers import _loan, _loan_form


@login_required
@require_http_methods(["GET", "POST"])
def loan_disburse(request, book_id, loan_id):
    book = postable_book(request, book_id)
    loan = _loan(book, loan_id, request.user)
    return _loan_form(
        request,
        book,
        loan,
        action="disburse",
        form_class=DisburseForm,
        call=lambda **kw: services.loan_disburse(loan=loan, **kw),
        message=_("Disbursed as entry %(reference)s."),
        amount_of=lambda form: loan.principal,
        context=lambda form: {
            "paid_out": loan.principal - loan.admin_fee,
            "available": {
                "cash": services.account_balance(book, "cash"),
                "bank": services.account_balance(book, "bank"),
            },
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def loan_repay(request, book_id, loan_id):
    """A repayment, prefilled with what is due, with its split shown before it posts."""
    book = postable_book(request, book_id)
    loan = _loan(book, loan_id, request.user)
    today = timezone.localdate()
    initial, due = {}, None
    if loan.status == Loan.Status.ACTIVE and request.method == "GET":
        due = amount_due(loan_position(loan, today))
        if due:
            initial["amount"] = f"{due:,.0f}".replace(",", ".")

    def context(form) -> dict:
        """The split of what the form holds, and where the loan stands on that date."""
        on_date, amount, fine = today, None, None
        if form.is_bound:
            if form.is_valid():
                on_date = form.cleaned_data["entry_date"]
                amount, fine = form.cleaned_data["amount"], form.cleaned_data.get("fine")
        elif initial.get("amount"):
            amount = due
        split, split_error = None, None
        if amount:
            try:
                split = services.repayment_allocate(loan, amount, on_date, fine=fine)
            except ValidationError as error:
                split_error = " ".join(error.messages)
        return {
            "pos": loan_position(loan, on_date),
            "split": split,
            "split_error": split_error,
        }

    return _loan_form(
        request,
        book,
        loan,
        action="repay",
        form_class=RepayForm,
        call=lambda **kw: services.loan_repay(loan=loan, **kw),
        message=_("Repayment recorded as entry %(reference)s."),
        initial=initial,
        context=context,
    )
