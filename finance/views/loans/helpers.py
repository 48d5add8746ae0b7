"""What the loan pages share: the statuses' labels, which action a loan's status allows, finding
the loan, and the forms that post once."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups.models import Membership

from ...forms.loans import RepayForm
from ...models import Book, JournalLine, Loan
from ...selectors.loan_reports import DUE, LATE, PAID, PART, WRITTEN_OFF
from ...selectors.member_ksm import member_ksm_loans
from ..common import one_time_form, postable_book, visible_book

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
