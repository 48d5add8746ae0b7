"""A KSM's savings rules in its book settings: the pokok and wajib from a date on, with the
rules that applied before."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ksm_portal.forms import apply_validation_error
from ksm_portal.pagination import paginate

from ..forms.savings import SavingsRuleForm
from ..models import Book
from ..selectors.savings import book_rules, rule_in_force
from ..services.savings import savings_rule_editable_by, savings_rule_set
from .common import visible_book


@login_required
@require_http_methods(["GET", "POST"])
def savings_rules(request, book_id):
    book = visible_book(request, book_id)
    if book.kind != Book.Kind.KSM:
        raise Http404
    can_edit = savings_rule_editable_by(request.user, book)
    form = SavingsRuleForm(request.POST or None, book=book) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                rule = savings_rule_set(book=book, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(
                    request,
                    _("The savings rule from %(date)s is saved.")
                    % {"date": rule.valid_from.strftime("%d-%m-%Y")},
                )
                return redirect("finance:savings_rules", book.pk)
    page, querystring = paginate(request, book_rules(book))
    return render(
        request,
        "finance/savings_rules.html",
        {
            "book": book,
            "form": form,
            "page": page,
            "querystring": querystring,
            "current": rule_in_force(book, timezone.localdate()),
        },
    )


urlpatterns = [
    path("books/<int:book_id>/savings-rules/", savings_rules, name="savings_rules"),
]
