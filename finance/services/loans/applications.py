"""A loan application and the decision on it (approval, rejection), and the checks every
later step of a loan repeats: the borrower, the date order, the loan's row lock."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from groups.models import CooperativeMembership, Member, Membership, SelfHelpGroup
from ksm_portal.services_base import row_clean

from ...models import ZERO, Book, Loan, LoanProduct, MemberBalance
from ...models.books import GroupBalance
from ...money import rupiah
from ...schedule import whole_rupiah
from ..posting import _lock_book, clean_amount
from .helpers import SAVINGS_ROLES, _today_or_past


def party_savings(book: Book, *, member: Member | None = None, group=None) -> Decimal:
    """A borrower's savings in these books (pokok + wajib + sukarela)."""
    if member is not None:
        rows = MemberBalance.objects.filter(
            book=book, member=member, account__role__in=SAVINGS_ROLES
        )
    else:
        rows = GroupBalance.objects.filter(book=book, group=group, account__role__in=SAVINGS_ROLES)
    totals = rows.aggregate(debit=Sum("debit"), credit=Sum("credit"))
    return (totals["credit"] or ZERO) - (totals["debit"] or ZERO)


def _check_borrower(book: Book, member, group) -> None:
    if (member is None) == (group is None):
        raise ValidationError(_("Choose who borrows."))
    if book.group_id:
        if member is None:
            raise ValidationError(_("A KSM lends to its members."))
        if not Membership.objects.active().filter(group_id=book.group_id, member=member).exists():
            raise ValidationError({"member": _("The member is not an active member of this KSM.")})
    elif book.cooperative_id:
        if (
            group is None
            or not CooperativeMembership.objects.filter(
                cooperative_id=book.cooperative_id, group=group, left_date__isnull=True
            ).exists()
        ):
            raise ValidationError({"group": _("The KSM is not a member of this cooperative.")})
    else:
        if (
            group is None
            or not SelfHelpGroup.objects.filter(
                pk=group.pk, village__bumdes__pk=book.bumdes_id
            ).exists()
        ):
            raise ValidationError({"group": _("The KSM is not in this BUMDes's village.")})


def _next_loan_number(book: Book) -> int:
    """Under the book's row lock."""
    last = Loan.objects.filter(book=book).aggregate(last=Max("number"))["last"]
    return (last or 0) + 1


@transaction.atomic
def loan_apply(
    *,
    book: Book,
    product: LoanProduct,
    principal,
    term_months: int,
    purpose: str,
    applied_date: datetime.date,
    member: Member | None = None,
    group: SelfHelpGroup | None = None,
    actor=None,
) -> Loan:
    """Record a loan application on a product's terms, within its limits."""
    book = _lock_book(book)
    principal = clean_amount(principal)
    _today_or_past(applied_date, "applied_date")
    if applied_date < book.opening_date:
        raise ValidationError({"applied_date": _("The date is before the books opened.")})
    if product.book_id != book.pk or not product.is_active:
        raise ValidationError({"product": _("Choose a loan product these books offer.")})
    _check_borrower(book, member, group)
    if not 1 <= int(term_months) <= product.max_term_months:
        raise ValidationError(
            {
                "term_months": _("The term is 1 to %(months)s months for this product.")
                % {"months": product.max_term_months}
            }
        )
    if principal != whole_rupiah(principal):
        raise ValidationError({"principal": _("Loans are lent in whole rupiah.")})
    if product.max_savings_multiple:
        savings = party_savings(book, member=member, group=group)
        limit = whole_rupiah(savings * product.max_savings_multiple)
        if principal > limit:
            raise ValidationError(
                {
                    "principal": _(
                        "The most this borrower may borrow is %(limit)s (%(multiple)s times "
                        "savings of %(savings)s)."
                    )
                    % {
                        "limit": rupiah(limit),
                        "multiple": f"{product.max_savings_multiple.normalize():f}",
                        "savings": rupiah(savings),
                    }
                }
            )
    if Loan.objects.filter(
        book=book,
        status__in=Loan.OPEN_STATUSES,
        **({"member": member} if member else {"borrower_group": group}),
    ).exists():
        raise ValidationError(_("This borrower already has a loan applied for or outstanding."))
    purpose = " ".join((purpose or "").split())
    if not purpose:
        raise ValidationError({"purpose": _("Write what the loan is for.")})
    loan = Loan(
        book=book,
        number=_next_loan_number(book),
        product=product,
        member=member,
        borrower_group=group,
        purpose=purpose[:200],
        principal=principal,
        interest_method=product.interest_method,
        monthly_rate=product.monthly_rate,
        term_months=int(term_months),
        admin_fee=whole_rupiah(principal * product.admin_fee_percent / 100),
        applied_date=applied_date,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    row_clean(loan)
    loan.save()
    return loan


def loan_check_date_order(loan: Loan, on_date: datetime.date, field: str) -> None:
    """A loan's entries go in date order: a repayment, write-off or new schedule dated before
    the loan's latest entry would be worked out against a position that leaves the later
    entries out (and could take the balance below zero)."""
    last = loan.lines.aggregate(last=Max("entry_date"))["last"]
    if last is not None and on_date < last:
        raise ValidationError(
            {
                field: _(
                    "Loan %(ref)s has an entry dated %(date)s; choose that date or a later one."
                )
                % {"ref": loan.reference, "date": last.strftime("%d-%m-%Y")}
            }
        )


def _locked_loan(loan: Loan) -> Loan:
    """The loan row, locked, after its book's lock (always book first, then loan)."""
    return (
        Loan.objects.select_for_update(of=("self",))
        .select_related("book", "member", "product")
        .get(pk=loan.pk)
    )


@transaction.atomic
def loan_approve(
    *,
    loan: Loan,
    decided_date: datetime.date,
    approved_by_member: Member | None = None,
    note: str = "",
    actor=None,
) -> Loan:
    """The decision to lend. In a KSM the chair approves (recorded by name); in a cooperative
    or BUMDes the manager who records it."""
    _lock_book(loan.book)
    loan = _locked_loan(loan)
    if loan.status != Loan.Status.APPLIED:
        raise ValidationError(_("Only a loan applied for can be approved."))
    _today_or_past(decided_date, "decided_date")
    if decided_date < loan.applied_date:
        raise ValidationError(
            {"decided_date": _("The decision cannot come before the application.")}
        )
    if loan.book.group_id:
        is_chair = Membership.objects.active().filter(
            group_id=loan.book.group_id,
            member=approved_by_member,
            role=Membership.Role.CHAIR,
        )
        if approved_by_member is None or not is_chair.exists():
            raise ValidationError({"approved_by_member": _("The KSM's chair approves loans.")})
        if approved_by_member.pk == loan.member_id:
            raise ValidationError(
                {
                    "approved_by_member": _(
                        "The chair cannot approve their own loan; the group decides."
                    )
                }
            )
    loan.status = Loan.Status.APPROVED
    loan.decided_date = decided_date
    loan.approved_by_member = approved_by_member
    loan.decision_note = (note or "").strip()[:200]
    row_clean(loan)
    loan.save()
    return loan


@transaction.atomic
def loan_reject(*, loan: Loan, decided_date: datetime.date, note: str, actor=None) -> Loan:
    _lock_book(loan.book)
    loan = _locked_loan(loan)
    if loan.status not in (Loan.Status.APPLIED, Loan.Status.APPROVED):
        raise ValidationError(_("Only a loan not yet disbursed can be rejected."))
    _today_or_past(decided_date, "decided_date")
    note = " ".join((note or "").split())
    if not note:
        raise ValidationError({"note": _("Write why the loan is rejected.")})
    loan.status = Loan.Status.REJECTED
    loan.decided_date = max(decided_date, loan.applied_date)
    loan.decision_note = note[:200]
    row_clean(loan)
    loan.save()
    return loan
