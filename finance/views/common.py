"""What every books page needs: the book, found through the user's scope (404 outside it),
and the one way a form that posts is handled (`one_time_form`)."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from ksm_portal.forms import apply_validation_error
from ksm_portal.once import token_in_address

from .. import tokens
from ..forms.unusual import unusual_amount
from ..models import Book
from ..services import Posted


def visible_book(request, book_id: int) -> Book:
    return get_object_or_404(
        Book.objects.visible_to(request.user).select_related(
            "group__village", "bumdes__village", "cooperative"
        ),
        pk=book_id,
    )


def postable_book(request, book_id: int) -> Book:
    """A book the user may post to: their own KSM's as treasurer, or any as staff.
    Outside their sight: 404; visible but read-only (a facilitator): 403."""
    book = visible_book(request, book_id)
    if not book.is_postable_by(request.user):
        raise PermissionDenied
    return book


def can_post(user, book: Book) -> bool:
    return book.is_postable_by(user)


# --- A form that posts once -------------------------------------------------------------------


def entry_link(entry) -> str:
    return format_html(
        '<a class="alert-link" href="{}">{}</a>', entry.get_absolute_url(), entry.reference
    )


def posted_message(message: str) -> Callable:
    """A success message naming the entry just posted: `message` holds %(reference)s."""

    def text(posted) -> str:
        return mark_safe(  # the message is escaped here, the link by format_html
            conditional_escape(message) % {"reference": entry_link(posted.entry)}
        )

    return text


def _amount_of(form):
    amount_to_confirm = getattr(form, "amount_to_confirm", None)
    return amount_to_confirm() if amount_to_confirm is not None else None


def one_time_form(
    request,
    *,
    book: Book,
    make_form: Callable,
    call: Callable,
    message: str | Callable,
    render_page: Callable,
    target: Callable = lambda posted: posted.entry,
    posted_before: Callable = tokens.token_entry,
    already_target: Callable | None = None,
    already_message: str | None = None,
    service_kwargs: Callable = lambda form: form.service_kwargs(),
    refuse: Callable | None = None,
    preview: bool = False,
    amount_of: Callable | None = _amount_of,
    on_refused: Callable = apply_validation_error,
    on_invalid: Callable | None = None,
):
    """A form that posts to the books, sent once whatever the phone does.

    GET: the form, its one-time token in the page's address (?t=), so going back to the
    page or reloading it keeps the same token; `render_page(form, used)` gets what that
    token already posted, if anything. POST: when the token already posted, that is shown
    (`target(posted)`) with "already recorded"; otherwise the form is checked, an unusual
    amount is asked about once (the treasurer ticks "Ya, jumlahnya benar" and sends again),
    and `call(actor=, token=, **service_kwargs(form))` posts. A refusal of the service is
    shown on the form (`on_refused`), nothing written; success redirects to
    `target(posted)` with `message` (a string with %(reference)s, or a function of what
    was posted).

    `make_form(data, token)` builds the form; `posted_before(book, key)` finds what a token
    posted (an entry; `already_target(found)` says where to show it when not an entry).
    `refuse()` may answer instead of the form once the token has had its say (a loan whose
    status no longer allows the action); `preview` lets a POST with "preview" show the form
    checked, posting nothing; `amount_of(form)` is the amount to look at twice (None:
    nothing to look at)."""
    already_message = already_message or _("This was already recorded.")
    if request.method != "POST":
        if refuse is not None and (answer := refuse()) is not None:
            return answer
        form = make_form(None, request.GET.get("t"))
        fresh = token_in_address(request, form)
        if fresh is not None:
            return fresh
        return render_page(form, posted_before(book, form.token_key))
    form = make_form(request.POST, None)
    already = posted_before(book, form.token_key)
    if already is not None:
        messages.info(request, already_message)
        if already_target is not None:
            return redirect(already_target(already))
        return redirect(target(Posted(entry=already, created=False)))
    if refuse is not None and (answer := refuse()) is not None:
        return answer
    if preview and request.POST.get("preview"):
        form.is_valid()
        return render_page(form, None)
    if not form.is_valid():
        if on_invalid is not None:
            on_invalid(form)
        return render_page(form, None)
    amount = amount_of(form) if amount_of is not None else None
    if amount:
        form.unusual = unusual_amount(book, amount)
        if form.unusual is not None and form.unusual.key in request.POST.getlist("confirm_amount"):
            form.unusual = None  # the treasurer confirmed this very amount
        if form.unusual is not None:
            return render_page(form, None)
    try:
        posted = call(actor=request.user, token=form.token_key, **service_kwargs(form))
    except ValidationError as error:
        on_refused(form, error)
        return render_page(form, None)
    if posted.created:
        text = message(posted) if callable(message) else posted_message(message)(posted)
        messages.success(request, text)
    else:
        messages.info(request, already_message)
    return redirect(target(posted))
