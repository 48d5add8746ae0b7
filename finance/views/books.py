"""A book's home page and opening the books of a KSM, BUMDes or cooperative."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups.models import Cooperative, SelfHelpGroup
from ksm_portal.forms import CrispyMixin, DateInput, apply_validation_error
from villages.models import Bumdes

from .. import services
from ..models import Book
from ..selectors import book_summary
from .common import can_post, visible_book

OWNERS = {
    "ksm": (SelfHelpGroup, "editable_by"),
    "bumdes": (Bumdes, "editable_by"),
    "cooperative": (Cooperative, "editable_by"),
}


class BookOpenForm(CrispyMixin, forms.Form):
    opening_date = forms.DateField(
        label=gettext_lazy("opening date"),
        widget=DateInput(),
        help_text=gettext_lazy(
            "The first day the books cover. For a reactivated KSM, the cut-off date of its "
            "opening balances."
        ),
    )


@login_required
def book_detail(request, book_id):
    book = visible_book(request, book_id)
    return render(
        request,
        "finance/book_detail.html",
        {"book": book, "summary": book_summary(book), "can_post": can_post(request.user, book)},
    )


@login_required
def book_open(request, owner_kind, owner_id):
    if owner_kind not in OWNERS:
        raise PermissionDenied
    model, scope = OWNERS[owner_kind]
    owner = get_object_or_404(getattr(model.objects, scope)(request.user), pk=owner_id)
    existing = Book.objects.filter(**{Book.owner_field(owner): owner}).first()
    if existing is not None:
        return redirect(existing)
    form = BookOpenForm(request.POST or None, initial={"opening_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            book = services.book_open(
                owner=owner, opening_date=form.cleaned_data["opening_date"], actor=request.user
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The books of %(owner)s are open.") % {"owner": owner})
            return redirect(book)
    return render(request, "finance/book_open.html", {"form": form, "owner": owner})


urlpatterns = [
    path("books/<int:book_id>/", book_detail, name="book"),
    path("books/open/<str:owner_kind>/<int:owner_id>/", book_open, name="book_open"),
]
