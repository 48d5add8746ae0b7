"""A loan in trouble: rescheduling it, writing it off, and the loan-loss reserve."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ksm_portal.forms import apply_validation_error

from ... import services
from ...forms.loans import LoanRescheduleForm, ProvisionForm, WriteOffForm
from ...selectors.loans import loan_position
from ..common import postable_book
from .helpers import _allowed, _book_form, _loan, _loan_form, _not_now


@login_required
@require_http_methods(["GET", "POST"])
def loan_reschedule(request, book_id, loan_id):
    book = postable_book(request, book_id)
    loan = _loan(book, loan_id, request.user)
    if not _allowed(loan, "reschedule"):
        return _not_now(request, loan)
    current = loan.schedules.order_by("-version").first()
    version = current.version if current else 0
    form = LoanRescheduleForm(
        request.POST if request.method == "POST" else None, loan=loan, version=version
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data.pop("version") != version:
            messages.info(
                request,
                _("Loan %(ref)s was rescheduled meanwhile; nothing was changed.")
                % {"ref": loan.reference},
            )
            return redirect(loan)
        try:
            services.loan_reschedule(loan=loan, actor=request.user, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Loan %(ref)s rescheduled.") % {"ref": loan.reference})
            return redirect(loan)
    pos = loan_position(loan, timezone.localdate())
    return render(
        request,
        "finance/loan_action.html",
        {"book": book, "loan": loan, "form": form, "action": "reschedule", "pos": pos},
    )


@login_required
@require_http_methods(["GET", "POST"])
def loan_write_off(request, book_id, loan_id):
    book = postable_book(request, book_id)
    loan = _loan(book, loan_id, request.user)
    return _loan_form(
        request,
        book,
        loan,
        action="write_off",
        form_class=WriteOffForm,
        call=lambda **kw: services.loan_write_off(loan=loan, **kw),
        message=_("Written off as entry %(reference)s."),
        context=lambda form: {
            "reserve": services.account_balance(book, "loan_loss_allowance"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def loan_provision(request, book_id):
    """Set money aside in the loan-loss reserve."""
    book = postable_book(request, book_id)
    return _book_form(
        request,
        book,
        ProvisionForm,
        call=lambda **kw: services.loan_provision(book=book, **kw),
        message=_("Recorded as entry %(reference)s."),
        target=lambda posted: posted.entry,
        template_context={
            "title": _("Loan-loss reserve"),
            "intro": _(
                "Set money aside against loans that may not be repaid. A loan written off is "
                "charged to this reserve first."
            ),
            "reserve": services.account_balance(book, "loan_loss_allowance"),
            "back": reverse("finance:portfolio", args=[book.pk]),
        },
    )
