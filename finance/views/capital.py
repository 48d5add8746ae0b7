"""Capital: where a book's money comes from and where it is; a cooperative's member KSM and
their savings; sharing a closed year's surplus (SHU, PADes) and paying the shares; a BUMDes's
business units. Reading follows the book's visibility, recording its posting rights."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from ksm_portal.exports import list_format, list_response
from ksm_portal.forms import apply_validation_error
from ksm_portal.pagination import paginate

from .. import exports, list_exports, selectors, services, tokens
from ..forms.capital import DistributionForm, PadesPayForm, SurplusPayForm, UnitForm
from ..models import Book, GroupBalance, SurplusDistribution
from ..selectors import capital as capital_selectors
from ..services import surplus as surplus_services
from ..services.accounts import chart_editable_by
from ..services.units import business_unit_create
from .common import can_post, postable_book, visible_book
from .entries import _show_posted
from .reports import AsOfForm, _format, _page, _period_form, _period_label, _with_defaults

AMOUNT, TEXT = exports.AMOUNT, exports.TEXT


def _sheet_or_pdf(request, template, context, sheet_builder, name):
    """The page, or with ?format= the same rows as a workbook or a PDF."""
    fmt = _format(request)
    if fmt == "xlsx":
        return exports.xlsx_response(sheet_builder(), name)
    if fmt == "pdf":
        return exports.pdf_response(request, template, context, name)
    return _page(request, template, context)


# --- Capital structure -------------------------------------------------------------------------


@login_required
@require_safe
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


def _cooperative_book(request, book_id, *, post=False) -> Book:
    book = postable_book(request, book_id) if post else visible_book(request, book_id)
    if book.kind != Book.Kind.COOPERATIVE:
        raise Http404
    return book


@login_required
@require_safe
def group_savings(request, book_id):
    """A cooperative's member KSM with their balance per savings type."""
    book = _cooperative_book(request, book_id)
    accounts = selectors.savings_accounts(book)
    template = "finance/capital_group_savings.html"
    today = timezone.localdate()
    fmt = _format(request)
    groups = capital_selectors.savings_groups(book)
    if fmt:
        chosen = list(groups[: exports.MAX_PDF_ROWS if fmt == "pdf" else exports.MAX_XLSX_ROWS])
        rows, totals = capital_selectors.group_savings(book, chosen, accounts)
    else:
        page, _query = paginate(request, groups)
        rows, totals = capital_selectors.group_savings(book, page.object_list, accounts)
    context = {
        "book": book,
        "accounts": accounts,
        "rows": rows,
        "totals": totals,
        "total": sum(totals),
        "as_of": today,
        "page": None if fmt else page,
        "can_post": can_post(request.user, book),
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


# --- Surplus distribution (SHU, PADes) ----------------------------------------------------------


def _sharing_book(request, book_id, *, post=False) -> Book:
    book = postable_book(request, book_id) if post else visible_book(request, book_id)
    if book.kind == Book.Kind.KSM:
        raise Http404
    return book


@login_required
@require_safe
def distributions(request, book_id):
    """The closed years with their surplus and how each was shared (or is to be)."""
    book = _sharing_book(request, book_id)
    years = surplus_services.closed_years_surplus(book)
    by_year = {d.year: d for d in SurplusDistribution.objects.filter(book=book, year__in=years)}
    rows = [
        {"year": year, "surplus": amount, "distribution": by_year.get(year)}
        for year, amount in sorted(years.items(), reverse=True)
    ]
    if fmt := list_format(request):
        return list_response(request, list_exports.distributions_export(book, rows), fmt)
    return render(
        request,
        "finance/capital_distributions.html",
        {"book": book, "rows": rows, "can_post": can_post(request.user, book)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def distribution_plan(request, book_id, year):
    """The meeting's percentages for a closed year, kept as a draft for the preview."""
    book = _sharing_book(request, book_id, post=True)
    draft = SurplusDistribution.objects.filter(book=book, year=year).first()
    if draft is not None and draft.status == SurplusDistribution.Status.POSTED:
        messages.info(
            request, _("The surplus of %(year)s has already been distributed.") % {"year": year}
        )
        return redirect(draft)
    form = DistributionForm(
        request.POST if request.method == "POST" else None, book=book, year=year, draft=draft
    )
    if request.method == "POST" and form.is_valid():
        try:
            draft = surplus_services.surplus_plan_save(
                book=book, year=year, actor=request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return redirect(draft)
    return render(
        request,
        "finance/capital_distribution_form.html",
        {
            "book": book,
            "year": year,
            "form": form,
            "surplus": surplus_services.year_surplus(book, year),
            "closed": surplus_services.year_closed(book, year),
        },
    )


def _posted_parts(distribution: SurplusDistribution) -> list[dict]:
    """A posted distribution's parts as its entry credited them (one small query)."""
    credited: dict[str, object] = {}
    for line in distribution.entry.lines.select_related("account").filter(credit__gt=0):
        credited[line.account.role] = credited.get(line.account.role, 0) + line.credit
    return [
        {
            "label": surplus_services.PART_LABELS[name],
            "percent": percent,
            "amount": credited.get(role, 0),
        }
        for name, role, percent in distribution.parts()
    ]


@login_required
@require_http_methods(["GET", "POST"])
def distribution(request, book_id, pk):
    """A draft: the preview of every part and every member KSM's share, and the button that
    posts exactly it. Posted: the distribution as the books hold it."""
    book = _sharing_book(request, book_id)
    item = get_object_or_404(SurplusDistribution.objects.select_related("entry"), book=book, pk=pk)
    poster = can_post(request.user, book)
    context = {"book": book, "distribution": item, "can_post": poster}
    if item.status == SurplusDistribution.Status.POSTED:
        if request.method == "POST":
            messages.info(request, _("This distribution has already been posted."))
            return redirect(item)
        shares = list(item.shares.select_related("group").order_by("group__name"))
        context.update(
            parts=_posted_parts(item),
            shares=shares,
            members_total=sum(s.total for s in shares),
            by_transactions=sum(s.by_transactions for s in shares),
            by_savings=sum(s.by_savings for s in shares),
            base_template="finance/_report_base.html",
        )
        template = "finance/capital_distribution.html"
        fmt = _format(request)
        if fmt:
            name = exports.filename("shu", book.pk, item.year)
            return _sheet_or_pdf(
                request, template, context, lambda: _shares_sheet(book, item, context), name
            )
        return _page(request, template, context)
    if request.method == "POST":
        if not poster:
            raise PermissionDenied
        try:
            key = tokens.token_key(book, request.POST.get("token"))
            posted = surplus_services.surplus_distribute(
                book=book,
                year=item.year,
                decided_date=item.decided_date,
                transactions_pct=item.transactions_pct,
                actor=request.user,
                token=key,
                expected=request.POST.get("digest", ""),
                **surplus_services.distribution_percentages(item),
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(item)
        messages.success(
            request,
            _("The %(year)s surplus is distributed: entry %(reference)s.")
            % {"year": posted.year, "reference": posted.entry.reference},
        )
        return redirect(posted)
    try:
        allocation = surplus_services.surplus_allocate(
            book, item.year, surplus_services.distribution_percentages(item), item.transactions_pct
        )
    except ValidationError as error:
        allocation = None
        context["problems"] = error.messages
    context.update(allocation=allocation, token=tokens.token_new(book))
    return render(request, "finance/capital_distribution_preview.html", context)


def _shares_sheet(book, item, context) -> exports.Sheet:
    columns = [
        exports.Column(_("Member KSM")),
        exports.Column(_("Transactions in the year"), AMOUNT),
        exports.Column(_("Savings at year end"), AMOUNT),
        exports.Column(_("Share by transactions (JUA)"), AMOUNT),
        exports.Column(_("Share by savings (JMA)"), AMOUNT),
        exports.Column(_("Total"), AMOUNT),
    ]

    def lines():
        for part in context["parts"]:
            yield (
                [f"{part['label']} ({part['percent']}%)", None, None, None, None, part["amount"]],
                "bold",
            )
        for share in context["shares"]:
            yield (
                [
                    share.group.name,
                    share.transactions,
                    share.savings,
                    share.by_transactions,
                    share.by_savings,
                    share.total,
                ],
                "",
            )
        yield (
            [
                _("Members' services"),
                None,
                None,
                context["by_transactions"],
                context["by_savings"],
                context["members_total"],
            ],
            "bold",
        )

    title = _("Surplus distribution %(year)s") % {"year": item.year}
    return exports.Sheet(title, [title, str(book)], columns, lines())


@login_required
@require_safe
def distribution_share(request, book_id, pk, group_id):
    """One member KSM's SHU: the figures its share was worked from, printable for the KSM."""
    book = _sharing_book(request, book_id)
    item = get_object_or_404(
        SurplusDistribution.objects.select_related("entry"),
        book=book,
        pk=pk,
        status=SurplusDistribution.Status.POSTED,
    )
    share = get_object_or_404(item.shares.select_related("group"), group_id=group_id)
    totals = item.shares.aggregate(
        **{name: Sum(name) for name in ("transactions", "savings", "by_transactions", "by_savings")}
    )
    owed = GroupBalance.objects.filter(
        book=book, group_id=group_id, account__role="surplus_payable"
    ).first()
    context = {
        "book": book,
        "distribution": item,
        "share": share,
        "totals": totals,
        "owed": owed.balance if owed is not None else 0,
        "members_part": (totals["by_transactions"] or 0) + (totals["by_savings"] or 0),
    }
    template = "finance/capital_share.html"

    def sheet():
        columns = [exports.Column(_("Item")), exports.Column(_("Amount"), AMOUNT)]
        rows = [
            ([_("Transactions in the year"), share.transactions], ""),
            ([_("All member KSM's transactions"), totals["transactions"]], ""),
            ([_("Share by transactions (JUA)"), share.by_transactions], ""),
            ([_("Savings at year end"), share.savings], ""),
            ([_("All member KSM's savings"), totals["savings"]], ""),
            ([_("Share by savings (JMA)"), share.by_savings], ""),
            ([_("Total"), share.total], "bold"),
        ]
        title = _("SHU %(year)s") % {"year": item.year}
        return exports.Sheet(title, [title, str(book), share.group.name], columns, rows)

    name = exports.filename("shu", book.pk, item.year, share.group.name)
    return _sheet_or_pdf(request, template, context, sheet, name)


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
        initial = {name: request.GET[name] for name in ("group",) if name in request.GET}
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
    book = _cooperative_book(request, book_id, post=True)
    return _pay_view(
        request, book, SurplusPayForm, surplus_services.surplus_pay, "finance:surplus_pay"
    )


@login_required
@require_http_methods(["GET", "POST"])
def pades_pay(request, book_id):
    book = postable_book(request, book_id)
    if book.kind != Book.Kind.BUMDES:
        raise Http404
    return _pay_view(request, book, PadesPayForm, surplus_services.pades_pay, "finance:pades_pay")


# --- Business units (BUMDes) --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def units(request, book_id):
    """A BUMDes's business units with each one's income, expenses and result for a period,
    adding up to the BUMDes's income statement; those who edit the chart add units here."""
    book = visible_book(request, book_id)
    if book.kind != Book.Kind.BUMDES:
        raise Http404
    editor = chart_editable_by(request.user, book)
    unit_form = UnitForm(request.POST if request.method == "POST" else None, prefix="unit")
    if request.method == "POST":
        if not editor:
            raise PermissionDenied
        if unit_form.is_valid():
            try:
                unit = business_unit_create(
                    book=book, name=unit_form.cleaned_data["name"], actor=request.user
                )
            except ValidationError as error:
                apply_validation_error(unit_form, error)
            else:
                messages.success(
                    request,
                    _("Unit %(name)s added, with the accounts %(income)s and %(expense)s.")
                    % {
                        "name": unit.name,
                        "income": unit.income_account,
                        "expense": unit.expense_account,
                    },
                )
                return redirect("finance:units", book.pk)
    form = _period_form(request)
    template = "finance/capital_units.html"
    context = {"book": book, "form": form, "unit_form": unit_form, "can_edit": editor}
    if not form.is_valid():
        return _page(request, template, context)
    period = form.cleaned_data["report_period"]
    report = capital_selectors.unit_report(book, period)
    context.update(report=report, period_label=_period_label(period))

    def sheet():
        columns = [
            exports.Column(_("Unit")),
            exports.Column(_("Income"), AMOUNT),
            exports.Column(_("Expenses"), AMOUNT),
            exports.Column(_("Result"), AMOUNT),
        ]

        def lines():
            for row in [*report.units, report.rest]:
                yield [row.name, row.income, row.expense, row.result], ""
            total = report.total
            yield [total.name, total.income, total.expense, total.result], "bold"

        title = _("Business units")
        return exports.Sheet(title, [title, str(book), context["period_label"]], columns, lines())

    name = exports.filename("unit-usaha", book.pk, period.start, period.end)
    return _sheet_or_pdf(request, template, context, sheet, name)


urlpatterns = [
    path("books/<int:book_id>/capital/", capital, name="capital"),
    path("books/<int:book_id>/member-ksm/", group_savings, name="group_savings"),
    path("books/<int:book_id>/distributions/", distributions, name="distributions"),
    path(
        "books/<int:book_id>/distributions/<int:year>/plan/",
        distribution_plan,
        name="distribution_plan",
    ),
    path("books/<int:book_id>/distributions/<int:pk>/", distribution, name="distribution"),
    path(
        "books/<int:book_id>/distributions/<int:pk>/ksm/<int:group_id>/",
        distribution_share,
        name="distribution_share",
    ),
    path("books/<int:book_id>/shu/pay/", surplus_pay, name="surplus_pay"),
    path("books/<int:book_id>/pades/pay/", pades_pay, name="pades_pay"),
    path("books/<int:book_id>/units/", units, name="units"),
]
