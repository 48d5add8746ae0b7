"""Recording what happened (the treasurer forms), the journal, and corrections by reversal.

Each record page is one form, one service call and a redirect to the entry it posted, through
`one_time_form`: the form's one-time token makes a second submission show the entry already
posted instead, and an unusual amount is asked about before it posts.
A posted entry is never edited or deleted: it is corrected by a reversal.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Subquery, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from ksm_portal.exports import applied_filters, list_format, list_response, pdf_response
from ksm_portal.forms import apply_validation_error
from ksm_portal.pagination import paginate

from .. import list_exports, services, tokens
from ..forms import (
    FORM_FOR_KIND,
    GENERAL_LINES,
    GROUP_RECORD_FORMS,
    RECORD_FORMS,
    GeneralJournalForm,
    JournalFilter,
    ReverseForm,
)
from ..forms.bank import BANK_FORMS
from ..models import Book, EntryKind, JournalEntry, JournalLine
from ..selectors.journal import entry_count
from ..selectors.member_ksm import member_ksm_entries, sees_every_member_ksm
from ..selectors.receipts import has_receipt, receipt_for
from .common import can_post, one_time_form, postable_book, posted_message, visible_book

SERVICES = {
    "cash-in": services.cash_receive,
    "cash-out": services.cash_pay,
    "deposit": services.savings_deposit,
    "withdrawal": services.savings_withdraw,
    "bank": services.bank_transfer,
    "general": services.journal_post,
    "bank-interest": services.bank_interest_record,
    "bank-charges": services.bank_charge_record,
    "bank-tax": services.bank_tax_record,
}
# A link may preselect these, e.g. a member's passbook linking to "deposit for this member".
PRESELECT = ("member", "group", "savings_type", "source", "category", "direction", "unit")


def record_forms_for(book: Book) -> dict:
    """The record forms this book offers: a KSM's savings forms name its members, a
    cooperative's its member KSM; a BUMDes keeps no savings."""
    forms = {}
    for slug, form_class in RECORD_FORMS.items():
        if book.kind == Book.Kind.COOPERATIVE and slug in GROUP_RECORD_FORMS:
            forms[slug] = GROUP_RECORD_FORMS[slug]
        elif book.kind == Book.Kind.KSM or not getattr(form_class, "needs_members", False):
            forms[slug] = form_class
    forms.update(BANK_FORMS)
    return forms


def _show_posted(request, posted: services.Posted, message: str):
    """Redirect to the entry; say whether it was just posted or had been already."""
    if posted.created:
        messages.success(request, posted_message(message)(posted))
    else:
        messages.info(request, _("This was already recorded."))
    return redirect(posted.entry)


def _lines_wanted(request) -> int:
    value = request.GET.get("lines", "")
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    return int(value) if value.isascii() and value.isdigit() else GENERAL_LINES


@login_required
@require_http_methods(["GET", "POST"])
def record(request, book_id, form):
    """A record form, sent once (`one_time_form`): its page address carries the form's token
    (?t=), so going back to the page, even when the phone reloads it, brings back the same
    token, and sending the form again then shows the entry already posted."""
    book = postable_book(request, book_id)
    form_class = record_forms_for(book).get(form)
    if form_class is None:
        raise Http404
    kwargs = {"book": book}
    if form_class is GeneralJournalForm:
        kwargs["lines"] = _lines_wanted(request)
    initial = {name: request.GET[name] for name in PRESELECT if name in request.GET}
    template = "finance/record_general.html" if form == "general" else "finance/record_form.html"

    def make_form(data, token):
        if data is not None:
            return form_class(data, **kwargs)
        return form_class(initial=initial, token=token, **kwargs)

    def render_page(bound, used):
        return render(
            request,
            template,
            {
                "book": book,
                "form": bound,
                "slug": form,
                "used": used,
                "more_lines": _lines_wanted(request) + 4,
                "bank_interest": "bank-interest" in record_forms_for(book),
            },
        )

    return one_time_form(
        request,
        book=book,
        make_form=make_form,
        call=lambda **kw: SERVICES[form](book=book, **kw),
        message=_("Recorded as entry %(reference)s."),
        render_page=render_page,
    )


def journal_entries(book: Book):
    """The book's entries, newest first, each with its amount (the sum of its debits) and
    whether it was reversed: two small subqueries evaluated for the page's rows only."""
    amount = (
        JournalLine.objects.filter(entry_id=OuterRef("pk"))
        .order_by()
        .values("entry_id")
        .annotate(total=Sum("debit"))
        .values("total")
    )
    return book.entries.annotate(
        amount=Subquery(amount),
        is_reversed=Exists(JournalEntry.objects.filter(reversal_of_id=OuterRef("pk"))),
    ).order_by("-entry_date", "-id")


@login_required
@require_safe
def journal(request, book_id):
    book = visible_book(request, book_id)
    every_ksm = sees_every_member_ksm(request.user, book)
    entries = member_ksm_entries(journal_entries(book), request.user, book)
    filterset = JournalFilter(request.GET or None, queryset=entries, book=book)
    fmt = list_format(request)
    if fmt:
        export = list_exports.journal_export(book, filterset.qs, applied_filters(filterset.form))
        return list_response(request, export, fmt)
    page, querystring = paginate(
        request,
        filterset.qs,
        # Unfiltered, the book's entries are its years' numbers (gap-free): no COUNT(*) of
        # the whole book on every page. The ordering ends with the id, so the last page is
        # read from the end.
        count=None
        if not every_ksm or any(request.GET.get(name) for name in filterset.filters)
        else entry_count(book),
        from_either_end=True,
    )
    return render(
        request,
        "finance/journal_list.html",
        {
            "book": book,
            "filter": filterset,
            "page": page,
            "querystring": querystring,
            "can_post": can_post(request.user, book),
        },
    )


def _visible_entry(request, book_id, pk):
    """The book and one of its entries, as the user may see them (a 404 otherwise)."""
    book = visible_book(request, book_id)
    entry = get_object_or_404(
        member_ksm_entries(book.entries.all(), request.user, book).select_related(
            "posted_by", "reversal_of", "reversed_by"
        ),
        pk=pk,
    )
    return book, entry


@login_required
@require_safe
def entry_detail(request, book_id, pk):
    book, entry = _visible_entry(request, book_id, pk)
    lines = list(entry.lines.select_related("account", "member", "party_group").order_by("id"))
    poster = can_post(request.user, book)
    again = FORM_FOR_KIND.get(entry.kind)
    return render(
        request,
        "finance/entry_detail.html",
        {
            "book": book,
            "entry": entry,
            "lines": lines,
            "total_debit": sum(line.debit for line in lines),
            "total_credit": sum(line.credit for line in lines),
            "reversed_by": getattr(entry, "reversed_by", None),
            "can_post": poster,
            "can_reverse": poster
            and entry.kind != EntryKind.REVERSAL
            and getattr(entry, "reversed_by", None) is None,
            "record_again": again if poster and again in record_forms_for(book) else None,
            "has_receipt": has_receipt(entry),
        },
    )


@login_required
@require_safe
def entry_receipt(request, book_id, pk):
    """The receipt of a savings deposit, a withdrawal or cash received, to print or share:
    the page itself, or with ?format=pdf its PDF. Seen by whoever may see the entry."""
    book, entry = _visible_entry(request, book_id, pk)
    receipt = receipt_for(entry)
    fmt = request.GET.get("format")
    if receipt is None or fmt not in (None, "", "pdf"):
        raise Http404
    context = {"book": book, "entry": entry, "receipt": receipt}
    if fmt == "pdf":
        name = f"kuitansi-{entry.reference}".replace("/", "-")
        return pdf_response(request, "finance/receipt_print.html", context, name)
    return render(request, "finance/receipt.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def entry_reverse(request, book_id, pk):
    book = postable_book(request, book_id)
    entry = get_object_or_404(book.entries.select_related("reversed_by"), pk=pk)
    form = ReverseForm(request.POST if request.method == "POST" else None, book=book)
    already = tokens.token_entry(book, form.token_key)
    if already is not None:
        return _show_posted(request, services.Posted(entry=already, created=False), "")
    if entry.kind == EntryKind.REVERSAL:
        messages.info(request, _("A correction cannot itself be reversed; record a new entry."))
        return redirect(entry)
    if getattr(entry, "reversed_by", None) is not None:
        messages.info(request, _("This entry has already been reversed."))
        return redirect(entry)
    if form.is_bound and form.is_valid():
        try:
            posted = services.entry_reverse(
                entry=entry,
                actor=request.user,
                entry_date=form.cleaned_data["entry_date"],
                reason=form.cleaned_data["reason"],
                token=form.token_key,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return _show_posted(
                request, posted, _("Reversed. The correction is entry %(reference)s.")
            )
    lines = entry.lines.select_related("account", "member").order_by("id")
    return render(
        request,
        "finance/entry_reverse.html",
        {"book": book, "entry": entry, "lines": lines, "form": form},
    )


urlpatterns = [
    path("books/<int:book_id>/record/<slug:form>/", record, name="record"),
    path("books/<int:book_id>/journal/", journal, name="journal"),
    path("books/<int:book_id>/entries/<int:pk>/", entry_detail, name="entry"),
    path("books/<int:book_id>/entries/<int:pk>/reverse/", entry_reverse, name="entry_reverse"),
    path("books/<int:book_id>/entries/<int:pk>/receipt/", entry_receipt, name="entry_receipt"),
]
