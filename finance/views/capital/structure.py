"""Where a book's money comes from and where it is; a cooperative's member KSM's savings."""

from django.contrib.auth.decorators import login_required
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ksm_portal.db_router import replica_reads
from ksm_portal.pagination import paginate

from ... import exports, selectors
from ...selectors import capital as capital_selectors
from ...selectors.member_ksm import member_ksm_visible_to, sees_every_member_ksm
from ..common import can_post, visible_book
from ..reports import AsOfForm, _format, _page, _with_defaults
from .common import _cooperative_book, _sheet_or_pdf

AMOUNT, TEXT = exports.AMOUNT, exports.TEXT

# --- Capital structure -------------------------------------------------------------------------


@login_required
@require_safe
@replica_reads
def capital(request, book_id):
    """Where the money comes from and where it is, as of a date: the balance sheet regrouped,
    with each part's share, and the borrowings still owed."""
    book = visible_book(request, book_id)
    form = AsOfForm(_with_defaults(request.GET, {"date": timezone.localdate().isoformat()}))
    template = "finance/capital_structure.html"
    context = {"book": book, "form": form}
    if not form.is_valid():
        return _page(request, template, context)
    report = capital_selectors.capital_structure(book, form.cleaned_data["date"])
    context["report"] = report

    def sheet():
        columns = [exports.Column(_("Item")), exports.Column(_("Amount"), AMOUNT)]
        columns.append(exports.Column(_("Share (%)"), TEXT, 10))

        def lines():
            for title, sections, total in (
                (_("Where the money comes from"), report.sources, report.sources_total),
                (_("Where the money is"), report.uses, report.uses_total),
            ):
                yield [title, None, None], "bold"
                for section in sections:
                    yield [section.title, section.total, f"{section.share}"], "bold"
                    for row in section.rows:
                        yield [f"  {row.label}", row.amount, f"{row.share}"], ""
                yield [_("Total"), total, "100"], "bold"

        heading = [_("Capital structure"), str(book), _("As of %(date)s") % {"date": report.as_of}]
        return exports.Sheet(_("Capital structure"), heading, columns, lines())

    name = exports.filename("struktur-modal", book.pk, report.as_of)
    return _sheet_or_pdf(request, template, context, sheet, name)


# --- Member KSM's savings (cooperatives) --------------------------------------------------------


@login_required
@require_safe
@replica_reads
def group_savings(request, book_id):
    """A cooperative's member KSM with their balance per savings type."""
    book = _cooperative_book(request, book_id)
    accounts = selectors.savings_accounts(book)
    template = "finance/capital_group_savings.html"
    today = timezone.localdate()
    fmt = _format(request)
    every_ksm = sees_every_member_ksm(request.user, book)
    within = None if every_ksm else member_ksm_visible_to(request.user, book)
    groups = capital_selectors.savings_groups(book)
    if within is not None:
        groups = groups.filter(pk__in=within)
    if fmt:
        chosen = list(groups[: exports.MAX_PDF_ROWS if fmt == "pdf" else exports.MAX_XLSX_ROWS])
        rows, totals = capital_selectors.group_savings(book, chosen, accounts, within=within)
    else:
        page, _query = paginate(request, groups)
        rows, totals = capital_selectors.group_savings(
            book, page.object_list, accounts, within=within
        )
    context = {
        "book": book,
        "accounts": accounts,
        "rows": rows,
        "totals": totals,
        "total": sum(totals),
        "as_of": today,
        "page": None if fmt else page,
        "can_post": can_post(request.user, book),
        "every_ksm": every_ksm,
    }

    def sheet():
        columns = [
            exports.Column(_("Member KSM")),
            *(exports.Column(a.name, AMOUNT) for a in accounts),
            exports.Column(_("Total"), AMOUNT),
        ]

        def lines():
            for row in rows:
                yield [row.group.name, *row.balances, row.total], ""
            yield [_("Total"), *totals, sum(totals)], "bold"

        heading = [_("Member KSM's savings"), str(book), _("As of %(date)s") % {"date": today}]
        return exports.Sheet(_("Member KSM's savings"), heading, columns, lines())

    name = exports.filename("simpanan-ksm", book.pk, today)
    return _sheet_or_pdf(request, template, context, sheet, name)
