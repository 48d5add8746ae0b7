"""A loan application and the decisions on it: approving, rejecting."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ksm_portal.forms import apply_validation_error

from ... import services
from ...forms.loans import LoanApplyForm, LoanApproveForm, LoanRejectForm
from ...models import Book, Loan
from ..common import postable_book
from .helpers import _allowed, _deciding_book, _loan, _not_now


def _same_application(book: Book, user, data: dict) -> Loan | None:
    """An application this user recorded a moment ago with the same terms: a double tap."""
    since = timezone.now() - datetime.timedelta(minutes=10)
    party = {"member": data["member"]} if "member" in data else {"borrower_group": data["group"]}
    return (
        book.loans.filter(
            status=Loan.Status.APPLIED,
            created_by=user,
            created_at__gte=since,
            product=data["product"],
            principal=data["principal"],
            term_months=data["term_months"],
            applied_date=data["applied_date"],
            **party,
        )
        .order_by("-pk")
        .first()
    )


@login_required
@require_http_methods(["GET", "POST"])
def loan_apply(request, book_id):
    book = postable_book(request, book_id)
    form = LoanApplyForm(request.POST if request.method == "POST" else None, book=book)
    if request.method == "POST" and form.is_valid():
        data = form.service_kwargs()
        repeat = _same_application(book, request.user, data)
        if repeat is not None:
            messages.info(request, _("This was already recorded."))
            return redirect(repeat)
        try:
            loan = services.loan_apply(book=book, actor=request.user, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
            if error_dict := getattr(error, "error_dict", None):
                for name in ("member", "group"):
                    if name in error_dict:
                        form.add_error("borrower", error_dict[name])
        else:
            messages.success(
                request, _("Loan application %(ref)s recorded.") % {"ref": loan.reference}
            )
            return redirect(loan)
    has_products = book.loan_products.filter(is_active=True).exists()
    return render(
        request,
        "finance/loan_apply.html",
        {"book": book, "form": form, "has_products": has_products},
    )


@login_required
@require_http_methods(["GET", "POST"])
def loan_approve(request, book_id, loan_id):
    book, chair = _deciding_book(request, book_id)
    loan = _loan(book, loan_id, request.user)
    if not _allowed(loan, "approve"):
        return _not_now(request, loan)
    form = LoanApproveForm(
        request.POST if request.method == "POST" else None, loan=loan, chair=chair
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.loan_approve(loan=loan, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Loan %(ref)s approved.") % {"ref": loan.reference})
            return redirect(loan)
    return render(
        request,
        "finance/loan_action.html",
        {"book": book, "loan": loan, "form": form, "action": "approve"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def loan_reject(request, book_id, loan_id):
    book, _chair = _deciding_book(request, book_id)
    loan = _loan(book, loan_id, request.user)
    if not _allowed(loan, "reject"):
        return _not_now(request, loan)
    form = LoanRejectForm(request.POST if request.method == "POST" else None, loan=loan)
    if request.method == "POST" and form.is_valid():
        try:
            services.loan_reject(loan=loan, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Loan %(ref)s rejected.") % {"ref": loan.reference})
            return redirect(loan)
    return render(
        request,
        "finance/loan_action.html",
        {"book": book, "loan": loan, "form": form, "action": "reject"},
    )
