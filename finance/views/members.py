"""A member leaves the KSM: the preview of their exit settlement, the form that posts it and
ends the membership at once, and the printable settlement with its signature lines.

The form's address carries its one-time token (?t=) like every record form, so a double
submit shows the settlement already posted.
"""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from groups.models import Membership
from ksm_portal.scope import user_scope

from .. import exports
from ..forms.members import MemberExitForm
from ..models import Book, EntryKind
from ..selectors.members import settlement_of_entry
from ..services.exit import exit_settlement, member_exit
from .common import one_time_form, postable_book, visible_book


def _date(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value or ""))
    except ValueError:
        return None


def _membership(book: Book, member_id: int) -> Membership:
    if book.kind != Book.Kind.KSM:
        raise Http404
    return get_object_or_404(
        Membership.objects.active().filter(group_id=book.group_id).select_related("member"),
        member_id=member_id,
    )


def can_settle_exit(user, book: Book) -> bool:
    """Whether the passbook links to the exit form: the KSM's treasurer or finance staff, read
    from the user's scope already loaded for the page (no query)."""
    if book.kind != Book.Kind.KSM:
        return False
    scope = user_scope(user)
    return scope.posts_anywhere or book.group_id in scope.ksm_treasurer_ids


def _settlement_url(book: Book, entry) -> str:
    return reverse("finance:exit_settlement", args=[book.pk, entry.pk])


def _settled_target(book: Book, settled) -> str:
    if settled.posted is None:
        return reverse("finance:members", args=[book.pk])
    return _settlement_url(book, settled.posted.entry)


def _settled_message(settled) -> str:
    values = {"member": settled.membership.member.full_name}
    if settled.posted is None:
        return _("%(member)s has left the KSM; there were no savings to settle.") % values
    return _("%(member)s has left the KSM; the settlement is recorded.") % values


@login_required
@require_http_methods(["GET", "POST"])
def exit_form(request, book_id, member_id):
    """The settlement previewed for the date chosen, and the form that posts it once."""
    book = postable_book(request, book_id)

    def make_form(data, token):
        if data is not None:
            return MemberExitForm(data, book=book)
        on_date = _date(request.GET.get("date")) or timezone.localdate()
        return MemberExitForm(book=book, token=token, initial={"entry_date": on_date})

    def render_page(form, used):
        if used is not None:
            return redirect(_settlement_url(book, used))
        membership = _membership(book, member_id)
        if form.is_bound:
            on_date = (
                form.cleaned_data.get("entry_date") if hasattr(form, "cleaned_data") else None
            ) or _date(request.POST.get("entry_date"))
        else:
            on_date = form.initial["entry_date"]
        on_date = on_date or timezone.localdate()
        settlement, problem = None, None
        try:
            settlement = exit_settlement(book=book, membership=membership, left_date=on_date)
        except ValidationError as error:
            problem = " ".join(error.messages)
        return render(
            request,
            "finance/member_exit.html",
            {
                "book": book,
                "membership": membership,
                "member": membership.member,
                "form": form,
                "on_date": on_date,
                "today": timezone.localdate(),
                "settlement": settlement,
                "problem": problem,
            },
        )

    return one_time_form(
        request,
        book=book,
        make_form=make_form,
        call=lambda **kw: member_exit(book=book, membership=_membership(book, member_id), **kw),
        message=_settled_message,
        render_page=render_page,
        target=lambda settled: _settled_target(book, settled),
        already_target=lambda entry: _settlement_url(book, entry),
    )


@login_required
@require_safe
def exit_settlement_detail(request, book_id, entry_id):
    book = visible_book(request, book_id)
    entry = get_object_or_404(book.entries.filter(kind=EntryKind.MEMBER_EXIT), pk=entry_id)
    context = {
        "book": book,
        "entry": entry,
        "report": settlement_of_entry(book, entry),
        "base_template": "finance/_report_base.html",
    }
    template = "finance/member_exit_settlement.html"
    if request.GET.get("format") == "pdf":
        name = exports.filename("penyelesaian-keluar", book.pk, entry.reference)
        return exports.pdf_response(request, template, context, name)
    if request.GET.get("format"):
        raise Http404
    return render(request, template, context)


urlpatterns = [
    path("books/<int:book_id>/members/<int:member_id>/exit/", exit_form, name="member_exit"),
    path(
        "books/<int:book_id>/exits/<int:entry_id>/",
        exit_settlement_detail,
        name="exit_settlement",
    ),
]
