"""Paying shares out: a member's SHU, the village's PADes."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ... import exports
from ...forms.capital import MemberSurplusPayForm, PadesPayForm, SurplusPayForm
from ...models import Book
from ...services import surplus as surplus_services
from ..common import one_time_form, postable_book

AMOUNT, TEXT = exports.AMOUNT, exports.TEXT

# --- Paying shares out --------------------------------------------------------------------------


def _pay_view(request, book, form_class, service, title_slug):
    """A one-time-token form that posts one payment (like the record forms)."""

    def make_form(data, token):
        if data is not None:
            return form_class(data, book=book)
        initial = {name: request.GET[name] for name in ("group", "member") if name in request.GET}
        return form_class(initial=initial, token=token, book=book)

    def render_page(form, used):
        return render(
            request,
            "finance/capital_pay_form.html",
            {"book": book, "form": form, "used": used, "again": title_slug},
        )

    return one_time_form(
        request,
        book=book,
        make_form=make_form,
        call=lambda **kw: service(book=book, **kw),
        message=_("Recorded as entry %(reference)s."),
        render_page=render_page,
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
