"""Loans, from application to payoff or write-off, and the group's own borrowings.

Every money movement is one balanced entry through `journal_post`, with the loan on its lines;
this module registers with the journal the rules that keep each loan's running totals (and
its status after a reversal), so the journal itself knows nothing of loans. A repayment is
split fine → interest → principal by `finance.schedule.allocate` against the loan's position,
worked out under the book's row lock so two repayments of one loan cannot both take the same
instalment.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import CooperativeMembership, Member, Membership, SelfHelpGroup

from ..models import (
    ZERO,
    Book,
    EntryKind,
    JournalEntry,
    Loan,
    LoanProduct,
    LoanSchedule,
    MemberBalance,
    loan_deltas,
)
from ..models.books import GroupBalance
from ..money import rupiah
from ..schedule import add_months, allocate, build_schedule, prepaid_principal, whole_rupiah
from ..selectors.balances import account_balance_now
from ..selectors.loans import loan_position
from . import journal_rules
from .posting import (
    Line,
    Posted,
    _lock_book,
    account_for,
    accounts_for,
    clean_amount,
    entry_reverse,
    journal_post,
)
from .prepayment import loan_prepayment_replan, prepayment_after_reversal, prepayment_reversal_check

SAVINGS_ROLES = ("savings_principal", "savings_mandatory", "savings_voluntary")
SOURCES = ("cash", "bank")


def _source(source: str) -> str:
    if source not in SOURCES:
        raise ValidationError({"source": _("Choose cash or bank.")})
    return source


def _today_or_past(value: datetime.date, field: str) -> None:
    if value > timezone.localdate():
        raise ValidationError({field: _("This date is in the future.")})


# --- Products ---------------------------------------------------------------------------------


@transaction.atomic
def loan_product_save(*, book: Book, product: LoanProduct | None = None, **fields) -> LoanProduct:
    """Create a loan product for a book, or change one (loans already made keep their terms)."""
    product = product or LoanProduct(book=book)
    if product.book_id != book.pk:
        raise ValidationError(_("This loan product belongs to other books."))
    for name, value in fields.items():
        setattr(product, name, value)
    product.full_clean()
    product.save()
    return product


# --- Application and decision ------------------------------------------------------------------


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
    loan.full_clean()
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
    loan.full_clean()
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
    loan.full_clean()
    loan.save()
    return loan


# --- Disbursement -----------------------------------------------------------------------------


def account_balance(book: Book, role: str) -> Decimal:
    """A book's balance on the account of this role, in its normal direction."""
    return account_balance_now(account_for(book, role))


def _schedule_create(
    loan: Loan,
    *,
    version: int,
    start_date: datetime.date,
    principal: Decimal,
    monthly_rate: Decimal,
    term_months: int,
    first_due_date: datetime.date,
    extra_interest: Decimal = ZERO,
    reason: str = "",
    actor=None,
) -> LoanSchedule:
    schedule = LoanSchedule.objects.create(
        loan=loan,
        version=version,
        start_date=start_date,
        principal=principal,
        interest_method=loan.interest_method,
        monthly_rate=monthly_rate,
        term_months=term_months,
        principal_paid_before=loan.principal_paid if version > 1 else ZERO,
        interest_paid_before=loan.interest_paid if version > 1 else ZERO,
        reason=reason[:200],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    schedule.instalments_add(
        build_schedule(
            principal=principal,
            monthly_rate=monthly_rate,
            term_months=term_months,
            method=loan.interest_method,
            first_due_date=first_due_date,
            extra_interest_first=extra_interest,
        )
    )
    return schedule


# A first instalment further off than this is a typo (2107 for 2017), not a grace period.
FIRST_DUE_WITHIN_MONTHS = 12


def _first_due_within_reach(first_due_date: datetime.date, start: datetime.date) -> None:
    latest = add_months(start, FIRST_DUE_WITHIN_MONTHS)
    if first_due_date > latest:
        raise ValidationError(
            {
                "first_due_date": _(
                    "The first instalment falls due within %(months)s months, on "
                    "%(date)s at the latest."
                )
                % {"months": FIRST_DUE_WITHIN_MONTHS, "date": latest.strftime("%d-%m-%Y")}
            }
        )


@transaction.atomic
def loan_disburse(
    *,
    loan: Loan,
    disbursed_date: datetime.date,
    source: str = "cash",
    first_due_date: datetime.date | None = None,
    actor=None,
    token: str | None = None,
) -> Posted:
    """Pay an approved loan out: the borrower receives the loan less the admin fee. The schedule
    is fixed now. A cooperative's or BUMDes's loan to a KSM that keeps its books here is
    recorded in the KSM's books too, as its borrowing."""
    book = _lock_book(loan.book)
    if token:
        repeat = JournalEntry.objects.filter(token=token, book=book).first()
        if repeat is not None:
            return Posted(entry=repeat, created=False)
    loan = _locked_loan(loan)
    if loan.status != Loan.Status.APPROVED:
        raise ValidationError(_("Only an approved loan can be disbursed."))
    if disbursed_date < loan.applied_date:
        raise ValidationError(
            {"disbursed_date": _("A loan is disbursed on or after its application.")}
        )
    first_due_date = first_due_date or add_months(disbursed_date, 1)
    if first_due_date <= disbursed_date:
        raise ValidationError(
            {"first_due_date": _("The first instalment falls due after the disbursement.")}
        )
    _first_due_within_reach(first_due_date, disbursed_date)
    source = _source(source)
    paid_out = loan.principal - loan.admin_fee
    available = account_balance(book, source)
    if paid_out > available:
        raise ValidationError(
            {
                "source": _("There is only %(available)s in %(where)s; the loan needs %(needed)s.")
                % {
                    "available": rupiah(available),
                    "where": _("cash") if source == "cash" else _("the bank"),
                    "needed": rupiah(paid_out),
                }
            }
        )
    receivable, money = accounts_for(book, "loans_receivable", source)
    party = {"member": loan.member} if loan.member_id else {"group": loan.borrower_group}
    lines = [
        Line(account=receivable, debit=loan.principal, loan=loan, **party),
        Line(account=money, credit=paid_out, loan=loan),
    ]
    if loan.admin_fee:
        (fee_income,) = accounts_for(book, "income_admin")
        lines.append(Line(account=fee_income, credit=loan.admin_fee, loan=loan))
    posted = journal_post(
        book=book,
        entry_date=disbursed_date,
        description=_("Loan %(ref)s disbursed to %(party)s")
        % {"ref": loan.reference, "party": loan.party_name},
        lines=lines,
        kind=EntryKind.LOAN_DISBURSEMENT,
        actor=actor,
        token=token,
    )
    loan.refresh_from_db()
    loan.status = Loan.Status.ACTIVE
    loan.disbursed_date = disbursed_date
    loan.full_clean()
    loan.save()
    _schedule_create(
        loan,
        version=1,
        start_date=disbursed_date,
        principal=loan.principal,
        monthly_rate=loan.monthly_rate,
        term_months=loan.term_months,
        first_due_date=first_due_date,
        actor=actor,
    )
    if loan.borrower_group_id:
        _mirror_as_borrowing(loan, first_due_date, actor)
    return posted


def _mirror_as_borrowing(loan: Loan, first_due_date: datetime.date, actor) -> None:
    """The borrowing KSM's side of a cooperative's or BUMDes's loan, in the KSM's books (when
    they are kept here and open on that date)."""
    borrower_book = Book.objects.filter(group_id=loan.borrower_group_id).first()
    if borrower_book is None:
        return
    borrower_book = _lock_book(borrower_book)
    if loan.disbursed_date < borrower_book.opening_date or (
        borrower_book.closed_through and loan.disbursed_date <= borrower_book.closed_through
    ):
        return
    lender = loan.book.owner
    mirror = Loan(
        book=borrower_book,
        number=_next_loan_number(borrower_book),
        direction=Loan.Direction.PAYABLE,
        lender_kind=Loan.LenderKind.COOPERATIVE
        if loan.book.cooperative_id
        else Loan.LenderKind.BUMDES,
        lender_name=str(lender)[:120],
        counterpart=loan,
        purpose=loan.purpose,
        principal=loan.principal,
        interest_method=loan.interest_method,
        monthly_rate=loan.monthly_rate,
        term_months=loan.term_months,
        admin_fee=loan.admin_fee,
        status=Loan.Status.ACTIVE,
        applied_date=loan.applied_date,
        decided_date=loan.decided_date,
        disbursed_date=loan.disbursed_date,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    mirror.full_clean()
    mirror.save()
    Loan.objects.filter(pk=loan.pk).update(counterpart=mirror)
    borrowings, cash = accounts_for(borrower_book, "borrowings", "cash")
    lines = [
        Line(account=cash, debit=loan.principal - loan.admin_fee, loan=mirror),
        Line(account=borrowings, credit=loan.principal, loan=mirror),
    ]
    if loan.admin_fee:
        (fee,) = accounts_for(borrower_book, "expense_admin")
        lines.insert(1, Line(account=fee, debit=loan.admin_fee, loan=mirror))
    journal_post(
        book=borrower_book,
        entry_date=loan.disbursed_date,
        description=_("Borrowed from %(lender)s (%(ref)s)")
        % {"lender": lender, "ref": loan.reference},
        lines=lines,
        kind=EntryKind.BORROWING_RECEIVED,
        actor=actor,
    )
    _schedule_create(
        mirror,
        version=1,
        start_date=loan.disbursed_date,
        principal=mirror.principal,
        monthly_rate=mirror.monthly_rate,
        term_months=mirror.term_months,
        first_due_date=first_due_date,
        actor=actor,
    )


@transaction.atomic
def borrowing_record(
    *,
    book: Book,
    lender_kind: str,
    lender_name: str,
    principal,
    monthly_rate,
    interest_method: str,
    term_months: int,
    received_date: datetime.date,
    purpose: str,
    source: str = "cash",
    first_due_date: datetime.date | None = None,
    actor=None,
    token: str | None = None,
) -> Posted:
    """Money the group borrowed from outside the portal (a bank, a lender not kept here)."""
    book = _lock_book(book)
    if token:
        repeat = JournalEntry.objects.filter(token=token, book=book).first()
        if repeat is not None:
            return Posted(entry=repeat, created=False)
    principal = clean_amount(principal)
    source = _source(source)
    lender_name = " ".join((lender_name or "").split())
    if not lender_name:
        raise ValidationError({"lender_name": _("Write who lent the money.")})
    first_due_date = first_due_date or add_months(received_date, 1)
    if first_due_date <= received_date:
        raise ValidationError(
            {"first_due_date": _("The first instalment falls due after the money arrives.")}
        )
    _first_due_within_reach(first_due_date, received_date)
    loan = Loan(
        book=book,
        number=_next_loan_number(book),
        direction=Loan.Direction.PAYABLE,
        lender_kind=lender_kind,
        lender_name=lender_name[:120],
        purpose=" ".join((purpose or "").split())[:200] or _("Working capital"),
        principal=principal,
        interest_method=interest_method,
        monthly_rate=monthly_rate,
        term_months=term_months,
        status=Loan.Status.ACTIVE,
        applied_date=received_date,
        decided_date=received_date,
        disbursed_date=received_date,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    loan.full_clean()
    loan.save()
    money, borrowings = accounts_for(book, source, "borrowings")
    posted = journal_post(
        book=book,
        entry_date=received_date,
        description=_("Borrowed from %(lender)s") % {"lender": lender_name},
        lines=[
            Line(account=money, debit=principal, loan=loan),
            Line(account=borrowings, credit=principal, loan=loan),
        ],
        kind=EntryKind.BORROWING_RECEIVED,
        actor=actor,
        token=token,
    )
    _schedule_create(
        loan,
        version=1,
        start_date=received_date,
        principal=principal,
        monthly_rate=loan.monthly_rate,
        term_months=loan.term_months,
        first_due_date=first_due_date,
        actor=actor,
    )
    return posted


# --- Repayment --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Allocation:
    fine: Decimal
    interest: Decimal
    principal: Decimal
    prepaid: Decimal = ZERO  # of the principal, what is beyond the instalments payable now

    @property
    def total(self) -> Decimal:
        return self.fine + self.interest + self.principal


def repayment_allocate(
    loan: Loan, amount: Decimal, on_date: datetime.date, *, fine=None
) -> Allocation:
    """Split a repayment fine → interest → principal against the loan's position on the date.
    `fine` overrides the fine due (a waived or reduced fine, as the meeting decides). Raises a
    clear error for more than the loan owes. Call under the book's lock when posting."""
    if loan.status != Loan.Status.ACTIVE:
        raise ValidationError(_("Loan %(ref)s is not outstanding.") % {"ref": loan.reference})
    loan_check_date_order(loan, on_date, "entry_date")
    pos = loan_position(loan, on_date)
    fines_due = pos.fines_due if fine is None else Decimal(fine)
    if fines_due < 0:
        raise ValidationError({"fine": _("A fine cannot be negative.")})
    fine_part, interest, principal, excess = allocate(amount, fines_due=fines_due, pos=pos)
    if excess > 0:
        raise ValidationError(
            {
                "amount": _("Loan %(ref)s owes only %(owed)s today (principal %(balance)s).")
                % {
                    "ref": loan.reference,
                    "owed": rupiah(fines_due + pos.interest_current + loan.balance),
                    "balance": rupiah(loan.balance),
                }
            }
        )
    return Allocation(
        fine=fine_part,
        interest=interest,
        principal=principal,
        prepaid=prepaid_principal(pos, principal),
    )


def loan_after_repayment(
    loan: Loan, allocation: Allocation, entry: JournalEntry, on_date: datetime.date, actor=None
) -> None:
    """After a repayment is posted: a loan with nothing left owed is paid off; a
    declining-balance loan prepaid in part is replanned on its new balance."""
    loan_close_if_paid(loan, on_date)
    if allocation.prepaid > 0:
        loan_prepayment_replan(loan=loan, entry=entry, actor=actor)


def repayment_lines(loan: Loan, allocation: Allocation, money_account) -> list[Line]:
    """The lines of a repayment, without the money side's total (the caller adds the cash line,
    so a meeting line can pay savings and an instalment in one entry)."""
    book = loan.book
    lines = []
    if loan.is_receivable:
        party = {"member": loan.member} if loan.member_id else {"group": loan.borrower_group}
        if allocation.principal:
            (receivable,) = accounts_for(book, "loans_receivable")
            lines.append(Line(account=receivable, credit=allocation.principal, loan=loan, **party))
        if allocation.interest:
            (income,) = accounts_for(book, "income_interest")
            lines.append(Line(account=income, credit=allocation.interest, loan=loan))
        if allocation.fine:
            (fines,) = accounts_for(book, "income_fines")
            lines.append(Line(account=fines, credit=allocation.fine, loan=loan))
    else:
        if allocation.principal:
            (borrowings,) = accounts_for(book, "borrowings")
            lines.append(Line(account=borrowings, debit=allocation.principal, loan=loan))
        if allocation.interest:
            (interest,) = accounts_for(book, "expense_interest")
            lines.append(Line(account=interest, debit=allocation.interest, loan=loan))
        if allocation.fine:
            (fines,) = accounts_for(book, "expense_other")
            lines.append(Line(account=fines, debit=allocation.fine, loan=loan))
    return lines


def loan_close_if_paid(loan: Loan, on_date: datetime.date) -> None:
    """After a posting: a loan with nothing left owed is paid off."""
    loan.refresh_from_db()
    if loan.status == Loan.Status.ACTIVE and loan.balance == 0:
        loan.status = Loan.Status.PAID
        loan.closed_date = on_date
        loan.save(update_fields=["status", "closed_date"])


@transaction.atomic
def loan_repay(
    *,
    loan: Loan,
    amount,
    paid_date: datetime.date,
    fine=None,
    source: str = "cash",
    receipt_ref: str = "",
    actor=None,
    token: str | None = None,
) -> Posted:
    """A repayment of a loan lent (money in) or borrowed (money out), split fine → interest →
    principal. Partial, early and final payments alike; the last one pays the loan off."""
    book = _lock_book(loan.book)
    if token:
        repeat = JournalEntry.objects.filter(token=token, book=book).first()
        if repeat is not None:
            return Posted(entry=repeat, created=False)
    loan = _locked_loan(loan)
    amount = clean_amount(amount)
    source = _source(source)
    allocation = repayment_allocate(loan, amount, paid_date, fine=fine)
    (money,) = accounts_for(book, source)
    lines = repayment_lines(loan, allocation, money)
    if loan.is_receivable:
        lines.insert(0, Line(account=money, debit=amount))
        kind = EntryKind.LOAN_REPAYMENT
        description = _("Instalment of loan %(ref)s, %(party)s")
    else:
        available = account_balance(book, source)
        if amount > available:
            raise ValidationError(
                {
                    "amount": _("There is only %(available)s to pay with.")
                    % {"available": rupiah(available)}
                }
            )
        lines.append(Line(account=money, credit=amount))
        kind = EntryKind.BORROWING_REPAYMENT
        description = _("Repayment of borrowing %(ref)s to %(party)s")
    posted = journal_post(
        book=book,
        entry_date=paid_date,
        description=description % {"ref": loan.reference, "party": loan.party_name},
        lines=lines,
        kind=kind,
        actor=actor,
        receipt_ref=receipt_ref,
        token=token,
    )
    loan_after_repayment(loan, allocation, posted.entry, paid_date, actor)
    return posted


# --- Rescheduling, provision, write-off -------------------------------------------------------


@transaction.atomic
def loan_reschedule(
    *,
    loan: Loan,
    rescheduled_date: datetime.date,
    term_months: int,
    reason: str,
    monthly_rate=None,
    first_due_date: datetime.date | None = None,
    actor=None,
) -> LoanSchedule:
    """Plan the principal still owed afresh over a new term (the group's decision for a member
    in difficulty). Interest fallen due and unpaid falls due with the first new instalment;
    fines are kept. Nothing is posted: the books do not change, the plan does."""
    _lock_book(loan.book)
    loan = _locked_loan(loan)
    if loan.status != Loan.Status.ACTIVE or loan.balance <= 0:
        raise ValidationError(_("Only an outstanding loan can be rescheduled."))
    _today_or_past(rescheduled_date, "rescheduled_date")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Write why the loan is rescheduled.")})
    if not 1 <= int(term_months) <= 120:
        raise ValidationError({"term_months": _("The term is between 1 and 120 months.")})
    rate = loan.monthly_rate if monthly_rate in (None, "") else Decimal(monthly_rate)
    if not 0 <= rate <= 10:
        raise ValidationError({"monthly_rate": _("Interest is between 0% and 10% a month.")})
    loan_check_date_order(loan, rescheduled_date, "rescheduled_date")
    current = loan.schedules.order_by("-version").first()
    if rescheduled_date < current.start_date:
        raise ValidationError(
            {
                "rescheduled_date": _(
                    "The current schedule starts on %(date)s; choose that date or a later one."
                )
                % {"date": current.start_date.strftime("%d-%m-%Y")}
            }
        )
    pos = loan_position(loan, rescheduled_date)
    first_due_date = first_due_date or add_months(rescheduled_date, 1)
    if first_due_date <= rescheduled_date:
        raise ValidationError({"first_due_date": _("The first instalment falls due after today.")})
    _first_due_within_reach(first_due_date, rescheduled_date)
    return _schedule_create(
        loan,
        version=current.version + 1,
        start_date=rescheduled_date,
        principal=loan.balance,
        monthly_rate=rate,
        term_months=int(term_months),
        first_due_date=first_due_date,
        extra_interest=pos.interest_due,
        reason=reason,
        actor=actor,
    )


@transaction.atomic
def loan_provision(
    *, book: Book, amount, entry_date: datetime.date, description: str = "", actor=None, token=None
) -> Posted:
    """Set money aside against loans that may not be repaid (the loan-loss reserve)."""
    amount = clean_amount(amount)
    expense, allowance = accounts_for(book, "expense_loan_loss", "loan_loss_allowance")
    return journal_post(
        book=book,
        entry_date=entry_date,
        description=description or _("Loan-loss reserve"),
        lines=[Line(account=expense, debit=amount), Line(account=allowance, credit=amount)],
        kind=EntryKind.LOAN_PROVISION,
        actor=actor,
        token=token,
    )


@transaction.atomic
def loan_write_off(
    *, loan: Loan, entry_date: datetime.date, reason: str, actor=None, token: str | None = None
) -> Posted:
    """Give up on the principal still owed: charged to the loan-loss reserve as far as it goes,
    the rest to the year's loan-loss expense. The member's card shows it written off."""
    book = _lock_book(loan.book)
    if token:
        repeat = JournalEntry.objects.filter(token=token, book=book).first()
        if repeat is not None:
            return Posted(entry=repeat, created=False)
    loan = _locked_loan(loan)
    if not loan.is_receivable or loan.status != Loan.Status.ACTIVE or loan.balance <= 0:
        raise ValidationError(_("Only an outstanding loan lent by these books can be written off."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Write why the loan is written off.")})
    loan_check_date_order(loan, entry_date, "entry_date")
    receivable, allowance, expense = accounts_for(
        book, "loans_receivable", "loan_loss_allowance", "expense_loan_loss"
    )
    reserve = max(account_balance(book, "loan_loss_allowance"), ZERO)
    from_reserve = min(reserve, loan.balance)
    party = {"member": loan.member} if loan.member_id else {"group": loan.borrower_group}
    lines = [Line(account=receivable, credit=loan.balance, loan=loan, **party)]
    if from_reserve:
        lines.append(Line(account=allowance, debit=from_reserve, loan=loan))
    if loan.balance - from_reserve:
        lines.append(Line(account=expense, debit=loan.balance - from_reserve, loan=loan))
    posted = journal_post(
        book=book,
        entry_date=entry_date,
        description=_("Loan %(ref)s written off: %(reason)s")
        % {"ref": loan.reference, "reason": reason},
        lines=lines,
        kind=EntryKind.LOAN_WRITE_OFF,
        actor=actor,
        token=token,
    )
    Loan.objects.filter(pk=loan.pk).update(status=Loan.Status.WRITTEN_OFF, closed_date=entry_date)
    return posted


# --- Reversals of loan entries (called by entry_reverse) ---------------------------------------


def _live_lines(loan: Loan, *, besides: JournalEntry | None = None):
    """The loan's lines in entries neither reversed nor reversals (nor `besides`)."""
    lines = loan.lines.exclude(entry__reversal_of__isnull=False)
    lines = lines.exclude(entry__reversed_by__isnull=False)
    return lines.exclude(entry=besides) if besides is not None else lines


# Entries that bring a loan into the books: the disbursement, the money borrowed, and the
# opening balances (a loan from before the books).
LOAN_STARTS = (EntryKind.LOAN_DISBURSEMENT, EntryKind.BORROWING_RECEIVED, EntryKind.OPENING)


def loan_reversal_check(loan: Loan, entry: JournalEntry) -> None:
    """A disbursement (or the opening entry that brought a loan in) is reversed only while
    nothing else was posted for the loan (nor, for a loan to a KSM, for the KSM's side of
    it)."""
    if entry.kind == EntryKind.OPENING:
        if _live_lines(loan, besides=entry).exists():
            raise ValidationError(
                _("Loan %(ref)s has repayments; reverse them before the opening balances.")
                % {"ref": loan.reference}
            )
        return
    if entry.kind in (EntryKind.LOAN_DISBURSEMENT, EntryKind.BORROWING_RECEIVED):
        mirror = loan.counterpart if loan.counterpart_id else None
        mirror_busy = (
            mirror is not None
            and _live_lines(mirror).exclude(entry__kind=EntryKind.BORROWING_RECEIVED).exists()
        )
        if _live_lines(loan, besides=entry).exists() or mirror_busy:
            raise ValidationError(
                _("Loan %(ref)s has repayments; reverse them before the disbursement.")
                % {"ref": loan.reference}
            )


def loan_status_after_reversal(loan: Loan, entry: JournalEntry) -> None:
    """After a loan entry is reversed, the loan's status follows its restored totals."""
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    if entry.kind in LOAN_STARTS:
        mirror = loan.counterpart if loan.counterpart_id else None
        if mirror is not None and mirror.status == Loan.Status.ACTIVE:
            received = (
                JournalEntry.objects.filter(
                    lines__loan=mirror, kind=EntryKind.BORROWING_RECEIVED, reversed_by__isnull=True
                )
                .distinct()
                .first()
            )
            if received is not None:
                entry_reverse(
                    entry=received, entry_date=timezone.localdate(), reason=entry.description
                )
        loan.status = Loan.Status.REJECTED
        loan.disbursed_date = None
        loan.closed_date = None
        if entry.kind == EntryKind.OPENING:
            note = _("Opening balances reversed (%(ref)s).")
        else:
            note = _("Disbursement reversed (%(ref)s).")
        loan.decision_note = note % {"ref": entry.reference}
    elif loan.status in (Loan.Status.PAID, Loan.Status.WRITTEN_OFF) and loan.balance > 0:
        loan.status = Loan.Status.ACTIVE
        loan.closed_date = None
    loan.full_clean()
    loan.save()


# --- The rules the journal runs for loans -----------------------------------------------------


def _loans_of(lines) -> dict[int, Loan]:
    return {line.loan.pk: line.loan for line in lines if line.loan is not None}


def _loan_lines_check(book: Book, lines) -> None:
    if any(loan.book_id != book.pk for loan in _loans_of(lines).values()):
        raise ValidationError(_("A loan of other books cannot be used here."))


def _loan_totals_add(book: Book, entry: JournalEntry, lines) -> None:
    """Each loan's running totals move with its lines, by the rules verify_books reads."""
    for loan in _loans_of(lines).values():
        own = [line for line in lines if line.loan is not None and line.loan.pk == loan.pk]
        deltas = loan_deltas(loan.direction, own)
        deltas = {field: value for field, value in deltas.items() if value}
        if deltas:
            Loan.objects.filter(pk=loan.pk).update(
                **{field: F(field) + value for field, value in deltas.items()}
            )


def _loan_reversal_check(entry: JournalEntry, lines) -> None:
    for loan in _loans_of(lines).values():
        loan_reversal_check(loan, entry)
        prepayment_reversal_check(loan, entry)


def _loan_after_reversal(entry: JournalEntry, lines) -> None:
    for loan in _loans_of(lines).values():
        loan_status_after_reversal(loan, entry)
        prepayment_after_reversal(loan, entry)


journal_rules.line_rule_register(
    journal_rules.LineRule("loans", check=_loan_lines_check, apply=_loan_totals_add)
)
journal_rules.reversal_rule_register(
    journal_rules.ReversalRule("loans", check=_loan_reversal_check, after=_loan_after_reversal)
)
