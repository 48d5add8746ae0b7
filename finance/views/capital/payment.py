"""Paying shares out: a member's SHU, the village's PADes."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ksm_portal.forms import apply_validation_error

from ... import exports, services, tokens
from ...forms.capital import MemberSurplusPayForm, PadesPayForm, SurplusPayForm
from ...models import Book
from ...services import surplus as surplus_services
from ..common import postable_book
from ..entries import _show_posted

AMOUNT, TEXT = exports.AMOUNT, exports.TEXT

# --- Paying shares out --------------------------------------------------------------------------


def _pay_view(request, book, form_class, service, title_slug):
    """A one-time-token form that posts one payment (like the record forms)."""
    if request.method == "POST":
        form = form_class(request.POST, book=book)
        already = tokens.token_entry(book, form.token_key)
        if already is not None:
            return _show_posted(request, services.Posted(entry=already, created=False), "")
        if form.is_valid():
            try:
                posted = service(
                    book=book, actor=request.user, token=form.token_key, **form.service_kwargs()
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                return _show_posted(request, posted, _("Recorded as entry %(reference)s."))
        used = None
    else:
        initial = {name: request.GET[name] for name in ("group", "member") if name in request.GET}
        form = form_class(initial=initial, token=request.GET.get("t"), book=book)
        if form.token_key is None:
            query = request.GET.copy()
            query["t"] = form.token
            return redirect(f"{request.path}?{query.urlencode()}")
        used = tokens.token_entry(book, form.token_key)
    return render(
        request,
        "finance/capital_pay_form.html",
        {"book": book, "form": form, "used": used, "again": title_slug},
    )


@login_required
@require_http_methods(["GET", "POST"])
def surplus_pay(request, book_id):
    """Pay a member KSM (a cooperative's books) or a member (a KSM's) their SHU."""
    book = postable_book(request, book_id)
    if book.kind not in (Book.Kind.COOPERATIVE, Book.Kind.KSM):
        raise Http404
    form_class = MemberSurplusPayForm if book.kind == Book.Kind.KSM else SurplusPayForm
    return _pay_view(request, book, form_class, surplus_services.surplus_pay, "finance:surplus_pay")


@login_required
@require_http_methods(["GET", "POST"])
def pades_pay(request, book_id):
    book = postable_book(request, book_id)
    if book.kind != Book.Kind.BUMDES:
        raise Http404
    return _pay_view(request, book, PadesPayForm, surplus_services.pades_pay, "finance:pades_pay")
