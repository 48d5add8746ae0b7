"""The treasurer's plain-language transactions, each one balanced journal entry."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from groups.models import Member

from ..models import Book, EntryKind
from ..money import rupiah
from .posting import (
    Line,
    Posted,
    _lock_book,
    accounts_for,
    clean_amount,
    journal_post,
    member_balance,
)

CASH_IN_SOURCES = ("income_business", "income_other", "grant")
CASH_OUT_CATEGORIES = (
    "expense_admin",
    "expense_meeting",
    "expense_honorarium",
    "expense_interest",
    "expense_other",
)
SAVINGS_TYPES = ("savings_principal", "savings_mandatory", "savings_voluntary")


def _common(book, entry_date, description, receipt_ref, actor, token):
    return {
        "book": book,
        "entry_date": entry_date,
        "description": description,
        "receipt_ref": receipt_ref,
        "actor": actor,
        "token": token,
    }


def cash_receive(
    *,
    book: Book,
    source: str,
    amount,
    entry_date: datetime.date,
    description: str,
    receipt_ref: str = "",
    actor=None,
    token: str | None = None,
) -> Posted:
    """Money came in: business income, other income (bank interest) or a grant."""
    if source not in CASH_IN_SOURCES:
        raise ValidationError({"source": _("Choose where the money came from.")})
    amount = clean_amount(amount)
    cash, income = accounts_for(book, "cash", source)
    return journal_post(
        lines=[
            Line(account=cash, debit=amount),
            Line(account=income, credit=amount),
        ],
        kind=EntryKind.CASH_IN,
        **_common(book, entry_date, description, receipt_ref, actor, token),
    )


def cash_pay(
    *,
    book: Book,
    category: str,
    amount,
    entry_date: datetime.date,
    description: str,
    receipt_ref: str = "",
    actor=None,
    token: str | None = None,
) -> Posted:
    """Money went out for an expense of the given category."""
    if category not in CASH_OUT_CATEGORIES:
        raise ValidationError({"category": _("Choose what the money was spent on.")})
    amount = clean_amount(amount)
    expense, cash = accounts_for(book, category, "cash")
    return journal_post(
        lines=[
            Line(account=expense, debit=amount),
            Line(account=cash, credit=amount),
        ],
        kind=EntryKind.CASH_OUT,
        **_common(book, entry_date, description, receipt_ref, actor, token),
    )


def savings_deposit(
    *,
    book: Book,
    member: Member,
    savings_type: str,
    amount,
    entry_date: datetime.date,
    description: str = "",
    receipt_ref: str = "",
    actor=None,
    token: str | None = None,
) -> Posted:
    """A member pays in savings: pokok (once), wajib (monthly) or sukarela (voluntary)."""
    if savings_type not in SAVINGS_TYPES:
        raise ValidationError({"savings_type": _("Choose the kind of savings.")})
    amount = clean_amount(amount)
    cash, account = accounts_for(book, "cash", savings_type)
    description = description or _("%(account)s deposit, %(member)s") % {
        "account": account.name,
        "member": member.full_name,
    }
    return journal_post(
        lines=[
            Line(account=cash, debit=amount),
            Line(account=account, credit=amount, member=member),
        ],
        kind=EntryKind.SAVINGS_DEPOSIT,
        **_common(book, entry_date, description, receipt_ref, actor, token),
    )


@transaction.atomic
def savings_withdraw(
    *,
    book: Book,
    member: Member,
    amount,
    entry_date: datetime.date,
    description: str = "",
    receipt_ref: str = "",
    actor=None,
    token: str | None = None,
) -> Posted:
    """A member takes voluntary savings out; never more than their balance. The book's row
    lock is taken before the balance is read, so two withdrawals cannot both pass."""
    amount = clean_amount(amount)
    book = _lock_book(book)
    account, cash = accounts_for(book, "savings_voluntary", "cash")
    balance: Decimal = member_balance(book, member, account)
    repeat = token is not None and book.entries.filter(token=token).exists()
    if not repeat and amount > balance:  # a resubmitted form finds its entry instead
        raise ValidationError(
            {
                "amount": _("%(member)s has only %(balance)s in voluntary savings.")
                % {"member": member.full_name, "balance": rupiah(balance)}
            }
        )
    description = description or _("Voluntary savings withdrawal, %(member)s") % {
        "member": member.full_name
    }
    return journal_post(
        lines=[
            Line(account=account, debit=amount, member=member),
            Line(account=cash, credit=amount),
        ],
        kind=EntryKind.SAVINGS_WITHDRAWAL,
        **_common(book, entry_date, description, receipt_ref, actor, token),
    )


def bank_transfer(
    *,
    book: Book,
    direction: str,
    amount,
    entry_date: datetime.date,
    description: str,
    receipt_ref: str = "",
    actor=None,
    token: str | None = None,
) -> Posted:
    """Cash paid into the bank ("to_bank") or drawn from it ("from_bank")."""
    if direction not in ("to_bank", "from_bank"):
        raise ValidationError({"direction": _("Choose into or out of the bank.")})
    amount = clean_amount(amount)
    cash, bank = accounts_for(book, "cash", "bank")
    debit, credit = (bank, cash) if direction == "to_bank" else (cash, bank)
    return journal_post(
        lines=[Line(account=debit, debit=amount), Line(account=credit, credit=amount)],
        kind=EntryKind.BANK_TRANSFER,
        **_common(book, entry_date, description, receipt_ref, actor, token),
    )
