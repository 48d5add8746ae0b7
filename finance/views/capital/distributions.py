"""Sharing a closed year's surplus: the years, the meeting's decision, the preview and
posting, the posted distribution, one member KSM's share and the list the members sign."""

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from ksm_portal.db_router import replica_reads
from ksm_portal.exports import list_format, list_response
from ksm_portal.forms import apply_validation_error

from ... import exports, list_exports, tokens
from ...forms.capital import DistributionForm
from ...models import Book, GroupBalance, SurplusDistribution
from ...selectors.member_ksm import (
    member_ksm_rows,
    member_ksm_visible_to,
    sees_every_member_ksm,
)
from ...services import surplus as surplus_services
from ..common import can_post
from ..reports import _format, _page
from .common import _sharing_book, _sheet_or_pdf

AMOUNT, TEXT = exports.AMOUNT, exports.TEXT

# --- Surplus distribution (SHU, PADes) ----------------------------------------------------------


def _share_labels(book: Book) -> dict:
    """The headings of the members' shares: a KSM's members by participation (jasa usaha) and
    savings (jasa modal), a cooperative's member KSM by transactions (JUA) and savings (JMA)."""
    if book.kind == Book.Kind.KSM:
        return {
            "title": _("Members' shares per member"),
            "name": _("Member"),
            "transactions": _("Loan interest and fees paid"),
            "savings": _("Pokok and wajib on 31 December"),
            "by_transactions": _("Jasa usaha"),
            "by_savings": _("Jasa modal"),
            "all": _("All members"),
        }
    return {
        "title": _("Members' services per member KSM"),
        "name": _("Member KSM"),
        "transactions": _("Transactions"),
        "savings": _("Savings"),
        "by_transactions": "JUA",
        "by_savings": "JMA",
        "all": _("All member KSM"),
    }


RULE_FIELDS = ("jua_basis", "non_member_to", "jma_basis", "jma_balance", "leavers")


def _rules_context(book: Book, item: SurplusDistribution) -> dict:
    """A cooperative's sharing rules as the meeting chose them, for every SHU page."""
    if book.kind == Book.Kind.KSM:
        return {}
    return {
        "rules": [
            (
                capfirst(SurplusDistribution._meta.get_field(name).verbose_name),
                getattr(item, f"get_{name}_display")(),
            )
            for name in RULE_FIELDS
        ],
        "jma_pct": 100 - item.transactions_pct,
    }


def _posted_shares(item: SurplusDistribution, user, book: Book) -> list:
    """The shares the user may read: in an entity's books, those of the member KSM in their
    sight (everyone's for the entity's officers and staff)."""
    return list(
        member_ksm_rows(item.shares.all(), user, book)
        .select_related("group", "member")
        .order_by("group__name", "member__full_name", "pk")
    )


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


def _posted_parts(book: Book, distribution: SurplusDistribution, shares: list) -> list[dict]:
    """A posted distribution's parts as its entry credited them (one small query); the
    members' parts as the shares add up."""
    credited: dict[str, object] = {}
    for line in distribution.entry.lines.select_related("account").filter(credit__gt=0):
        credited[line.account.role] = credited.get(line.account.role, 0) + line.credit
    roles = surplus_services.part_roles(book)
    members = {
        "members_pct": sum(s.total for s in shares),
        "savings_pct": sum(s.by_savings for s in shares),
        "participation_pct": sum(s.by_transactions for s in shares),
    }
    non_member = distribution.non_member_surplus
    credited[roles["reserve_pct"]] = credited.get(roles["reserve_pct"], 0) - non_member
    rows = [
        {
            "label": surplus_services.PART_LABELS[name],
            "percent": percent,
            "amount": members[name] if name in members else credited.get(roles[name], 0),
        }
        for name, _role, percent in distribution.parts()
    ]
    if non_member:
        rows.append(
            {
                "label": _("Reserve: surplus from business with non-members"),
                "percent": "",
                "amount": non_member,
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def distribution(request, book_id, pk):
    """A draft: the preview of every part and every member KSM's share, and the button that
    posts exactly it. Posted: the distribution as the books hold it."""
    book = _sharing_book(request, book_id)
    item = get_object_or_404(SurplusDistribution.objects.select_related("entry"), book=book, pk=pk)
    poster = can_post(request.user, book)
    context = {
        "book": book,
        "distribution": item,
        "can_post": poster,
        "labels": _share_labels(book),
        **_rules_context(book, item),
    }
    if item.status == SurplusDistribution.Status.POSTED:
        if request.method == "POST":
            messages.info(request, _("This distribution has already been posted."))
            return redirect(item)
        shares = _posted_shares(item, request.user, book)
        context.update(
            parts=_posted_parts(book, item, shares),
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
                shares_to=item.shares_to,
                rules=surplus_services.distribution_rules(item),
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
            book,
            item.year,
            surplus_services.distribution_percentages(item),
            item.transactions_pct,
            surplus_services.distribution_rules(item),
        )
    except ValidationError as error:
        allocation = None
        context["problems"] = error.messages
    if allocation is not None and not sees_every_member_ksm(request.user, book):
        # The pools stay the entity's; of the shares, only those of the KSM in sight.
        seen = set(member_ksm_visible_to(request.user, book).values_list("pk", flat=True))
        allocation = dataclasses.replace(
            allocation, shares=[s for s in allocation.shares if s.group and s.group.pk in seen]
        )
    context.update(allocation=allocation, token=tokens.token_new(book))
    return render(request, "finance/capital_distribution_preview.html", context)


def _shares_sheet(book, item, context) -> exports.Sheet:
    labels = context["labels"]
    columns = [
        exports.Column(labels["name"]),
        *(
            exports.Column(labels[key], AMOUNT)
            for key in ("transactions", "savings", "by_transactions", "by_savings")
        ),
        exports.Column(_("Total"), AMOUNT),
    ]

    def lines():
        for part in context["parts"]:
            yield (
                [
                    f"{part['label']} ({part['percent']}%)"
                    if part["percent"] != ""
                    else part["label"],
                    None,
                    None,
                    None,
                    None,
                    part["amount"],
                ],
                "bold",
            )
        for share in context["shares"]:
            yield (
                [
                    share.name,
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
@replica_reads
def distribution_share(request, book_id, pk, group_id):
    """One member KSM's SHU: the figures its share was worked from, printable for the KSM."""
    book = _sharing_book(request, book_id)
    if book.kind == Book.Kind.KSM:
        raise Http404
    item = get_object_or_404(
        SurplusDistribution.objects.select_related("entry"),
        book=book,
        pk=pk,
        status=SurplusDistribution.Status.POSTED,
    )
    share = get_object_or_404(
        member_ksm_rows(item.shares.all(), request.user, book).select_related("group"),
        group_id=group_id,
    )
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
        **_rules_context(book, item),
    }
    template = "finance/capital_share.html"

    def sheet():
        columns = [exports.Column(_("Item")), exports.Column(_("Amount"), AMOUNT)]
        rows = [
            ([item.get_jua_basis_display(), share.transactions], ""),
            ([_("All member KSM's transactions"), totals["transactions"]], ""),
            ([_("Share by transactions (JUA)"), share.by_transactions], ""),
            (
                [
                    f"{item.get_jma_basis_display()} ({item.get_jma_balance_display()})",
                    share.savings,
                ],
                "",
            ),
            ([_("All member KSM's savings"), totals["savings"]], ""),
            ([_("Share by savings (JMA)"), share.by_savings], ""),
            ([_("Total"), share.total], "bold"),
        ]
        title = _("SHU %(year)s") % {"year": item.year}
        return exports.Sheet(title, [title, str(book), share.group.name], columns, rows)

    name = exports.filename("shu", book.pk, item.year, share.group.name)
    return _sheet_or_pdf(request, template, context, sheet, name)


@login_required
@require_safe
@replica_reads
def distribution_sign(request, book_id, pk):
    """The list the members sign at the meeting when they take their SHU: each member's name,
    basis, share and a box to sign; printable and as a PDF or a workbook."""
    book = _sharing_book(request, book_id)
    item = get_object_or_404(
        SurplusDistribution.objects.select_related("entry"),
        book=book,
        pk=pk,
        status=SurplusDistribution.Status.POSTED,
    )
    shares = _posted_shares(item, request.user, book)
    labels = _share_labels(book)
    context = {
        "book": book,
        "distribution": item,
        "shares": shares,
        "labels": labels,
        **_rules_context(book, item),
        "members_total": sum(s.total for s in shares),
        "by_transactions": sum(s.by_transactions for s in shares),
        "by_savings": sum(s.by_savings for s in shares),
    }

    def sheet():
        columns = [
            exports.Column(_("No."), TEXT, 6),
            exports.Column(labels["name"]),
            *(
                exports.Column(labels[key], AMOUNT)
                for key in ("transactions", "savings", "by_transactions", "by_savings")
            ),
            exports.Column(_("SHU"), AMOUNT),
            exports.Column(_("Signature"), TEXT, 20),
        ]

        def lines():
            for number, share in enumerate(shares, 1):
                yield (
                    [
                        str(number),
                        share.name,
                        share.transactions,
                        share.savings,
                        share.by_transactions,
                        share.by_savings,
                        share.total,
                        "",
                    ],
                    "",
                )
            yield (
                [
                    "",
                    _("Total"),
                    None,
                    None,
                    context["by_transactions"],
                    context["by_savings"],
                    context["members_total"],
                    "",
                ],
                "bold",
            )

        title = _("SHU %(year)s: list to sign") % {"year": item.year}
        return exports.Sheet(title, [title, str(book)], columns, lines())

    name = exports.filename("shu-tanda-terima", book.pk, item.year)
    return _sheet_or_pdf(request, "finance/capital_distribution_sign.html", context, sheet, name)
