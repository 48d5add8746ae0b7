"""Loans on the web: products, the book's loans and borrowings, the application and the
decisions on it, the forms that post (disbursement, repayment, write-off, the loan-loss reserve,
a borrowing), the loan page with its schedule and card, the printable schedule, a borrower's
statement and the portfolio report.

Reading follows `visible_book` (404 outside the user's scope); anything that changes a loan
follows `postable_book` (403 for read-only viewers). Forms that post carry a one-time token:
sending one again shows what it already posted. Decisions that post nothing are guarded by
the loan's status (or, rescheduling, by the plan's version), so a second submission changes
nothing either.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from groups.models import Membership
from ksm_portal.db_router import replica_reads
from ksm_portal.exports import applied_filters, list_format, list_response
from ksm_portal.forms import apply_validation_error
from ksm_portal.pagination import paginate

from .. import exports, list_exports, services
from ..forms.loans import (
    BorrowingForm,
    DisburseForm,
    LoanApplyForm,
    LoanApproveForm,
    LoanFilterForm,
    LoanProductForm,
    LoanRejectForm,
    LoanRescheduleForm,
    ProvisionForm,
    RepayForm,
    WriteOffForm,
)
from ..models import Book, JournalLine, Loan, LoanProduct
from ..selectors import book_members
from ..selectors.loan_reports import (
    DUE,
    LATE,
    PAID,
    PART,
    WRITTEN_OFF,
    age_label,
    amount_due,
    interest_method_note,
    loan_on_date,
    portfolio_sheet,
    schedule_rows,
    schedule_sheet,
    statement,
    statement_sheet,
)
from ..selectors.loans import (
    loan_card,
    loan_position,
    portfolio,
    positions,
    schedule_in_use,
)
from ..selectors.member_ksm import member_ksm_loans, member_ksm_people, member_ksm_visible_to
from .common import can_post, one_time_form, postable_book, visible_book
from .reports import AsOfForm, _format, _links, _with_defaults

STATES = {
    PAID: gettext_lazy("Paid"),
    LATE: gettext_lazy("Late"),
    PART: gettext_lazy("Partly paid"),
    DUE: gettext_lazy("Not yet due"),
    WRITTEN_OFF: gettext_lazy("Written off"),
}
# Which action a loan's status allows.
ACTIONS = {
    "approve": (Loan.Status.APPLIED,),
    "reject": (Loan.Status.APPLIED, Loan.Status.APPROVED),
    "disburse": (Loan.Status.APPROVED,),
    "repay": (Loan.Status.ACTIVE,),
    "reschedule": (Loan.Status.ACTIVE,),
    "write_off": (Loan.Status.ACTIVE,),
}
DECISIONS = ("approve", "reject")  # the KSM chair may take these, besides those who post


# --- Helpers ---------------------------------------------------------------------------------


def _loan(book: Book, loan_id: int, user) -> Loan:
    """The book's loan, 404 when it was lent to a member KSM out of the user's sight."""
    loan = get_object_or_404(
        member_ksm_loans(Loan.objects.all(), user, book).select_related(
            "member", "borrower_group", "product", "approved_by_member", "counterpart__book"
        ),
        book=book,
        pk=loan_id,
    )
    loan.book = book
    return loan


def _allowed(loan: Loan, action: str) -> bool:
    if action == "write_off" and not loan.is_receivable:
        return False
    return loan.status in ACTIONS[action]


def _chair_of(user, book: Book):
    """The user's member record when they are the active chair of the book's KSM: the chair
    decides on loan applications in person, with their own login."""
    if not book.group_id or not getattr(user, "is_authenticated", False):
        return None
    chair = (
        Membership.objects.active()
        .filter(group_id=book.group_id, role=Membership.Role.CHAIR, member__user=user)
        .select_related("member")
        .first()
    )
    return chair.member if chair else None


def _deciding_book(request, book_id) -> tuple[Book, object]:
    """A book whose loan decisions the user may record: a poster's (treasurer, staff), or the
    KSM chair's own. Returns the book and the chair's member record (None for posters)."""
    book = visible_book(request, book_id)
    chair = _chair_of(request.user, book)
    if chair is None:
        return postable_book(request, book_id), None
    return book, chair


def _not_now(request, loan: Loan):
    """An action the loan's status no longer allows (a second tap, an old page): say where
    the loan stands instead of an error."""
    messages.info(
        request,
        _("Loan %(ref)s is now “%(status)s”; nothing was changed.")
        % {"ref": loan.reference, "status": loan.get_status_display()},
    )
    return redirect(loan)


def _loan_of(entry) -> Loan | None:
    line = JournalLine.objects.filter(entry=entry, loan__isnull=False).only("loan_id").first()
    return Loan.objects.filter(pk=line.loan_id).first() if line else None


# --- Products --------------------------------------------------------------------------------


@login_required
@require_safe
def products(request, book_id):
    book = visible_book(request, book_id)
    return render(
        request,
        "finance/loan_products.html",
        {
            "book": book,
            "products": book.loan_products.order_by("-is_active", "name"),
            "can_post": can_post(request.user, book),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request, book_id, pk=None):
    book = postable_book(request, book_id)
    product = get_object_or_404(book.loan_products, pk=pk) if pk else None
    form = LoanProductForm(
        request.POST if request.method == "POST" else None,
        instance=product or LoanProduct(book=book),
        book=book,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.loan_product_save(book=book, product=product, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Loan product “%(name)s” saved.") % {"name": saved.name})
            return redirect("finance:loan_products", book.pk)
    return render(
        request, "finance/loan_product_form.html", {"book": book, "form": form, "product": product}
    )


# --- Lists -----------------------------------------------------------------------------------


def _loan_list(request, book_id, direction: str):
    book = visible_book(request, book_id)
    receivable = direction == Loan.Direction.RECEIVABLE
    form = LoanFilterForm(request.GET or None)
    loans = form.filter(
        member_ksm_loans(book.loans.filter(direction=direction), request.user, book)
        .select_related("member", "borrower_group")
        .order_by("-number")
    )
    fmt = list_format(request)
    if fmt:
        export = list_exports.loans_export(
            book, loans, applied_filters(form), receivable=receivable
        )
        return list_response(request, export, fmt)
    page, querystring = paginate(request, loans)
    found = positions(
        [loan for loan in page.object_list if loan.status == Loan.Status.ACTIVE],
        timezone.localdate(),
    )
    rows = [(loan, found.get(loan.pk)) for loan in page.object_list]
    return render(
        request,
        "finance/loan_list.html",
        {
            "book": book,
            "form": form,
            "page": page,
            "rows": rows,
            "querystring": querystring,
            "receivable": receivable,
            "can_post": can_post(request.user, book),
        },
    )


@login_required
@require_safe
def loan_list(request, book_id):
    """The loans the book made, newest first, filtered by status."""
    return _loan_list(request, book_id, Loan.Direction.RECEIVABLE)


@login_required
@require_safe
def borrowing_list(request, book_id):
    """What the group borrowed: from its BUMDes, its cooperative, a bank."""
    return _loan_list(request, book_id, Loan.Direction.PAYABLE)


# --- Application -----------------------------------------------------------------------------


def _same_application(book: Book, user, data: dict) -> Loan | None:
    """An application this user recorded a moment ago with the same terms: a double tap."""
    since = timezone.now() - datetime.timedelta(minutes=10)
    party = {"member": data["member"]} if "member" in data else {"borrower_group": data["group"]}
    return (
        book.loans.filter(
            status=Loan.Status.APPLIED,
            created_by=user,
            created_at__gte=since,
            product=data["product"],
            principal=data["principal"],
            term_months=data["term_months"],
            applied_date=data["applied_date"],
            **party,
        )
        .order_by("-pk")
        .first()
    )


@login_required
@require_http_methods(["GET", "POST"])
def loan_apply(request, book_id):
    book = postable_book(request, book_id)
    form = LoanApplyForm(request.POST if request.method == "POST" else None, book=book)
    if request.method == "POST" and form.is_valid():
        data = form.service_kwargs()
        repeat = _same_application(book, request.user, data)
        if repeat is not None:
            messages.info(request, _("This was already recorded."))
            return redirect(repeat)
        try:
            loan = services.loan_apply(book=book, actor=request.user, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
            if error_dict := getattr(error, "error_dict", None):
                for name in ("member", "group"):
                    if name in error_dict:
                        form.add_error("borrower", error_dict[name])
        else:
            messages.success(
                request, _("Loan application %(ref)s recorded.") % {"ref": loan.reference}
            )
            return redirect(loan)
    has_products = book.loan_products.filter(is_active=True).exists()
    return render(
        request,
        "finance/loan_apply.html",
        {"book": book, "form": form, "has_products": has_products},
    )


# --- The loan page ---------------------------------------------------------------------------


def _as_of(request) -> tuple[AsOfForm, datetime.date]:
    """The date a loan page is read as of (`?date=`, today when left out); a date the form
    refuses shows its message beside the box and the page reads today."""
    today = timezone.localdate()
    form = AsOfForm(_with_defaults(request.GET, {"date": today.isoformat()}))
    return form, form.cleaned_data["date"] if form.is_valid() else today


@login_required
@require_safe
def loan_detail(request, book_id, loan_id):
    book = visible_book(request, book_id)
    loan = _loan(book, loan_id, request.user)
    today = timezone.localdate()
    form, on_date = _as_of(request)
    schedules = list(loan.schedules.order_by("version"))
    disbursed = loan.disbursed_date is not None and loan.disbursed_date <= on_date
    pos = loan_position(loan, on_date) if disbursed else None
    poster = can_post(request.user, book)
    decider = poster or _chair_of(request.user, book) is not None
    counterpart = loan.counterpart
    if (
        counterpart is not None
        and not Book.objects.visible_to(request.user).filter(pk=counterpart.book_id).exists()
    ):
        counterpart = None
    return render(
        request,
        "finance/loan_detail.html",
        {
            "book": book,
            "loan": loan,
            "today": today,
            "on_date": on_date,
            "form": form,
            "as_of": loan_on_date(loan, on_date),
            "method_note": interest_method_note(loan),
            "pos": pos,
            "schedule": schedule_in_use(schedules, on_date) if schedules else None,
            "schedules": schedules,
            "rows": schedule_rows(pos, loan) if pos else [],
            "states": STATES,
            "card": [row for row in loan_card(loan) if row.entry_date <= on_date],
            "counterpart": counterpart,
            "can_post": poster or decider,
            "actions": {
                name: (decider if name in DECISIONS else poster) and _allowed(loan, name)
                for name in ACTIONS
            },
        },
    )


def _schedule_context(request, book, loan) -> dict:
    form, on_date = _as_of(request)
    pos = loan_position(loan, on_date)
    rows = schedule_rows(pos, loan)
    return {
        "book": book,
        "loan": loan,
        "pos": pos,
        "form": form,
        "on_date": on_date,
        "as_of": loan_on_date(loan, on_date),
        "method_note": interest_method_note(loan),
        "rows": rows,
        "states": STATES,
        "schedule": schedule_in_use(list(loan.schedules.order_by("version")), on_date),
        "totals": {
            "principal": sum(r.principal for r in rows),
            "interest": sum(r.interest for r in rows),
            "amount": sum(r.amount for r in rows),
            "paid": sum(r.paid for r in rows),
        },
        "base_template": "finance/_report_base.html",
        **_links(request),
    }


@login_required
@require_safe
@replica_reads
def loan_schedule(request, book_id, loan_id):
    """The instalment plan to print or hand over: a page, a PDF and a workbook."""
    book = visible_book(request, book_id)
    loan = _loan(book, loan_id, request.user)
    if not loan.disbursed_date:
        messages.info(request, _("The schedule is fixed when the loan is disbursed."))
        return redirect(loan)
    context = _schedule_context(request, book, loan)
    template = "finance/loan_schedule.html"
    fmt = _format(request)
    name = exports.filename("jadwal-angsuran", book.pk, loan.reference)
    if fmt == "xlsx":
        sheet = schedule_sheet(book, loan, context["rows"], STATES)
        return exports.xlsx_response(sheet, name)
    if fmt == "pdf":
        return exports.pdf_response(request, template, context, name)
    return render(request, template, context)


# --- Decisions -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def loan_approve(request, book_id, loan_id):
    book, chair = _deciding_book(request, book_id)
    loan = _loan(book, loan_id, request.user)
    if not _allowed(loan, "approve"):
        return _not_now(request, loan)
    form = LoanApproveForm(
        request.POST if request.method == "POST" else None, loan=loan, chair=chair
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.loan_approve(loan=loan, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Loan %(ref)s approved.") % {"ref": loan.reference})
            return redirect(loan)
    return render(
        request,
        "finance/loan_action.html",
        {"book": book, "loan": loan, "form": form, "action": "approve"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def loan_reject(request, book_id, loan_id):
    book, _chair = _deciding_book(request, book_id)
    loan = _loan(book, loan_id, request.user)
    if not _allowed(loan, "reject"):
        return _not_now(request, loan)
    form = LoanRejectForm(request.POST if request.method == "POST" else None, loan=loan)
    if request.method == "POST" and form.is_valid():
        try:
            services.loan_reject(loan=loan, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Loan %(ref)s rejected.") % {"ref": loan.reference})
            return redirect(loan)
    return render(
        request,
        "finance/loan_action.html",
        {"book": book, "loan": loan, "form": form, "action": "reject"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def loan_reschedule(request, book_id, loan_id):
    book = postable_book(request, book_id)
    loan = _loan(book, loan_id, request.user)
    if not _allowed(loan, "reschedule"):
        return _not_now(request, loan)
    current = loan.schedules.order_by("-version").first()
    version = current.version if current else 0
    form = LoanRescheduleForm(
        request.POST if request.method == "POST" else None, loan=loan, version=version
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data.pop("version") != version:
            messages.info(
                request,
                _("Loan %(ref)s was rescheduled meanwhile; nothing was changed.")
                % {"ref": loan.reference},
            )
            return redirect(loan)
        try:
            services.loan_reschedule(loan=loan, actor=request.user, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Loan %(ref)s rescheduled.") % {"ref": loan.reference})
            return redirect(loan)
    pos = loan_position(loan, timezone.localdate())
    return render(
        request,
        "finance/loan_action.html",
        {"book": book, "loan": loan, "form": form, "action": "reschedule", "pos": pos},
    )


# --- Forms that post -------------------------------------------------------------------------


def _loan_form(request, book, loan, *, action, form_class, call, message, **options):
    """A loan form that posts, sent once (`one_time_form`): the token decides first (a
    repeat shows the loan), then the loan's status, then the service. `context(form)` adds
    what the page shows besides the form; "preview" shows the form checked, posting nothing."""
    initial = options.pop("initial", None) or {}
    context = options.pop("context", lambda form: {})
    form_kwargs = {"book": book, **({"loan": loan} if form_class is RepayForm else {})}

    def make_form(data, token):
        if data is not None:
            return form_class(data, **form_kwargs)
        return form_class(token=token, initial=initial, **form_kwargs)

    def render_page(form, used):
        return render(
            request,
            "finance/loan_action.html",
            {
                "book": book,
                "loan": loan,
                "form": form,
                "action": action,
                "used": used,
                **context(form),
            },
        )

    return one_time_form(
        request,
        book=book,
        make_form=make_form,
        call=call,
        message=message,
        render_page=render_page,
        target=lambda posted: loan,
        refuse=lambda: None if _allowed(loan, action) else _not_now(request, loan),
        preview=True,
        **options,
    )


@login_required
@require_http_methods(["GET", "POST"])
def loan_disburse(request, book_id, loan_id):
    book = postable_book(request, book_id)
    loan = _loan(book, loan_id, request.user)
    return _loan_form(
        request,
        book,
        loan,
        action="disburse",
        form_class=DisburseForm,
        call=lambda **kw: services.loan_disburse(loan=loan, **kw),
        message=_("Disbursed as entry %(reference)s."),
        amount_of=lambda form: loan.principal,
        context=lambda form: {
            "paid_out": loan.principal - loan.admin_fee,
            "available": {
                "cash": services.account_balance(book, "cash"),
                "bank": services.account_balance(book, "bank"),
            },
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def loan_repay(request, book_id, loan_id):
    """A repayment, prefilled with what is due, with its split shown before it posts."""
    book = postable_book(request, book_id)
    loan = _loan(book, loan_id, request.user)
    today = timezone.localdate()
    initial, due = {}, None
    if loan.status == Loan.Status.ACTIVE and request.method == "GET":
        due = amount_due(loan_position(loan, today))
        if due:
            initial["amount"] = f"{due:,.0f}".replace(",", ".")

    def context(form) -> dict:
        """The split of what the form holds, and where the loan stands on that date."""
        on_date, amount, fine = today, None, None
        if form.is_bound:
            if form.is_valid():
                on_date = form.cleaned_data["entry_date"]
                amount, fine = form.cleaned_data["amount"], form.cleaned_data.get("fine")
        elif initial.get("amount"):
            amount = due
        split, split_error = None, None
        if amount:
            try:
                split = services.repayment_allocate(loan, amount, on_date, fine=fine)
            except ValidationError as error:
                split_error = " ".join(error.messages)
        return {
            "pos": loan_position(loan, on_date),
            "split": split,
            "split_error": split_error,
        }

    return _loan_form(
        request,
        book,
        loan,
        action="repay",
        form_class=RepayForm,
        call=lambda **kw: services.loan_repay(loan=loan, **kw),
        message=_("Repayment recorded as entry %(reference)s."),
        initial=initial,
        context=context,
    )


@login_required
@require_http_methods(["GET", "POST"])
def loan_write_off(request, book_id, loan_id):
    book = postable_book(request, book_id)
    loan = _loan(book, loan_id, request.user)
    return _loan_form(
        request,
        book,
        loan,
        action="write_off",
        form_class=WriteOffForm,
        call=lambda **kw: services.loan_write_off(loan=loan, **kw),
        message=_("Written off as entry %(reference)s."),
        context=lambda form: {
            "reserve": services.account_balance(book, "loan_loss_allowance"),
        },
    )


def _book_form(request, book, form_class, *, call, message, target, template_context):
    """A book-level form that posts (the reserve, a borrowing), sent once."""

    def make_form(data, token):
        if data is not None:
            return form_class(data, book=book)
        return form_class(token=token, book=book)

    def render_page(form, used):
        return render(
            request,
            "finance/loan_book_form.html",
            {"book": book, "form": form, "used": used, **template_context},
        )

    return one_time_form(
        request,
        book=book,
        make_form=make_form,
        call=call,
        message=message,
        render_page=render_page,
        target=target,
    )


@login_required
@require_http_methods(["GET", "POST"])
def loan_provision(request, book_id):
    """Set money aside in the loan-loss reserve."""
    book = postable_book(request, book_id)
    return _book_form(
        request,
        book,
        ProvisionForm,
        call=lambda **kw: services.loan_provision(book=book, **kw),
        message=_("Recorded as entry %(reference)s."),
        target=lambda posted: posted.entry,
        template_context={
            "title": _("Loan-loss reserve"),
            "intro": _(
                "Set money aside against loans that may not be repaid. A loan written off is "
                "charged to this reserve first."
            ),
            "reserve": services.account_balance(book, "loan_loss_allowance"),
            "back": reverse("finance:portfolio", args=[book.pk]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def borrowing_new(request, book_id):
    """Money borrowed from a lender whose books are not kept here (a bank, say)."""
    book = postable_book(request, book_id)
    return _book_form(
        request,
        book,
        BorrowingForm,
        call=lambda **kw: services.borrowing_record(book=book, **kw),
        message=_("Borrowing recorded as entry %(reference)s."),
        target=lambda posted: _loan_of(posted.entry) or posted.entry,
        template_context={
            "title": _("Record a borrowing"),
            "intro": _(
                "Money the group borrowed: from a bank, or from a BUMDes or cooperative whose "
                "books are not kept here. A loan from a BUMDes or cooperative that keeps its "
                "books here appears by itself when they disburse it."
            ),
            "back": reverse("finance:borrowings", args=[book.pk]),
        },
    )


# --- Statements and the portfolio ------------------------------------------------------------


def _statement_page(request, book, report, *, member=None, group=None):
    template = "finance/loan_statement.html"
    context = {
        "book": book,
        "report": report,
        "member": member,
        "group": group,
        "states": STATES,
        "base_template": "finance/_report_base.html",
        **_links(request),
    }
    fmt = _format(request)
    party = member.pk if member else f"ksm-{group.pk}"
    name = exports.filename("pinjaman-simpanan", book.pk, party, report.on_date)
    if fmt == "xlsx":
        label = member.full_name if member else group.name
        return exports.xlsx_response(statement_sheet(book, report, label), name)
    if fmt == "pdf":
        return exports.pdf_response(request, template, context, name)
    return render(request, template, context)


@login_required
@require_safe
@replica_reads
def member_statement(request, book_id, member_id):
    """A KSM member's savings and loans together (KSM books)."""
    book = visible_book(request, book_id)
    member = get_object_or_404(
        member_ksm_people(book_members(book), request.user, book), pk=member_id
    )
    return _statement_page(request, book, statement(book, member=member), member=member)


@login_required
@require_safe
@replica_reads
def group_statement(request, book_id, group_id):
    """A member KSM's savings and loans in a cooperative's or BUMDes's books."""
    book = visible_book(request, book_id)
    if book.kind == Book.Kind.KSM:
        # A KSM's own books hold no member KSM: its own address leads to its loans, any
        # other KSM is not here.
        if book.group_id != group_id:
            raise Http404
        return redirect("finance:loans", book.pk)
    groups = member_ksm_visible_to(request.user, book).filter(pk=group_id)
    if book.cooperative_id:
        groups = groups.filter(cooperative_memberships__cooperative_id=book.cooperative_id)
    else:
        groups = groups.filter(village__bumdes__pk=book.bumdes_id)
    group = get_object_or_404(groups.distinct())
    return _statement_page(request, book, statement(book, group=group), group=group)


@login_required
@require_safe
@replica_reads
def portfolio_report(request, book_id):
    """The book's loans outstanding on a date: totals, due this month, arrears by age, PAR."""
    book = visible_book(request, book_id)
    form = AsOfForm(_with_defaults(request.GET, {"date": timezone.localdate().isoformat()}))
    template = "finance/loan_portfolio.html"
    context = {
        "book": book,
        "form": form,
        "base_template": "finance/_report_base.html",
        "can_post": can_post(request.user, book),
        **_links(request),
    }
    if form.is_valid():
        report = portfolio(
            book,
            form.cleaned_data["date"],
            loans=member_ksm_loans(Loan.objects.all(), request.user, book),
        )
        for bucket in report.by_age:
            bucket["label"] = age_label(bucket)
        context["report"] = report
        fmt = _format(request)
        name = exports.filename("portofolio-pinjaman", book.pk, report.on_date)
        if fmt == "xlsx":
            return exports.xlsx_response(portfolio_sheet(book, report), name)
        if fmt == "pdf":
            return exports.pdf_response(request, template, context, name)
    return render(request, template, context)


urlpatterns = [
    path("books/<int:book_id>/loan-products/", products, name="loan_products"),
    path("books/<int:book_id>/loan-products/new/", product_edit, name="loan_product_new"),
    path("books/<int:book_id>/loan-products/<int:pk>/", product_edit, name="loan_product_edit"),
    path("books/<int:book_id>/loans/", loan_list, name="loans"),
    path("books/<int:book_id>/loans/apply/", loan_apply, name="loan_apply"),
    path("books/<int:book_id>/loans/reserve/", loan_provision, name="loan_provision"),
    path("books/<int:book_id>/loans/portfolio/", portfolio_report, name="portfolio"),
    path("books/<int:book_id>/loans/<int:loan_id>/", loan_detail, name="loan"),
    path("books/<int:book_id>/loans/<int:loan_id>/schedule/", loan_schedule, name="loan_schedule"),
    path("books/<int:book_id>/loans/<int:loan_id>/approve/", loan_approve, name="loan_approve"),
    path("books/<int:book_id>/loans/<int:loan_id>/reject/", loan_reject, name="loan_reject"),
    path("books/<int:book_id>/loans/<int:loan_id>/disburse/", loan_disburse, name="loan_disburse"),
    path("books/<int:book_id>/loans/<int:loan_id>/repay/", loan_repay, name="loan_repay"),
    path(
        "books/<int:book_id>/loans/<int:loan_id>/reschedule/",
        loan_reschedule,
        name="loan_reschedule",
    ),
    path(
        "books/<int:book_id>/loans/<int:loan_id>/write-off/", loan_write_off, name="loan_write_off"
    ),
    path("books/<int:book_id>/borrowings/", borrowing_list, name="borrowings"),
    path("books/<int:book_id>/borrowings/new/", borrowing_new, name="borrowing_new"),
    path(
        "books/<int:book_id>/members/<int:member_id>/statement/",
        member_statement,
        name="member_statement",
    ),
    path(
        "books/<int:book_id>/ksm/<int:group_id>/statement/",
        group_statement,
        name="group_statement",
    ),
]
