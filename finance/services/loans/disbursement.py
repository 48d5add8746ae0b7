"""Disbursement: the loan's money paid out and its schedule fixed (mirrored as a borrowing
in the lender's member's books when both are kept here), and borrowings recorded by hand."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ksm_portal.services_base import row_clean

from ...models import ZERO, Book, EntryKind, JournalEntry, Loan, LoanSchedule
from ...money import rupiah
from ...schedule import add_months, build_schedule
from ...selectors.balances import account_balance_now
from ..posting import (
    Line,
    Posted,
    _lock_book,
    account_for,
    accounts_for,
    clean_amount,
    journal_post,
)
from .applications import _locked_loan, _next_loan_number
from .helpers import _source


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
    row_clean(loan)
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
    row_clean(mirror)
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
    row_clean(loan)
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
