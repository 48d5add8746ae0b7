"""The treasurer's plain-language transactions, each one balanced journal entry."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from groups.models import Member, SelfHelpGroup

from ..models import ZERO, Book, BusinessUnit, EntryKind, GroupBalance
from ..money import rupiah
from ..selectors.savings import pokok_due
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


def _saver(member: Member | None, group: SelfHelpGroup | None) -> dict:
    """Who saves: a member in a KSM's books, a member KSM in a cooperative's books."""
    if (member is None) == (group is None):
        raise ValidationError({"member": _("Choose whose savings these are.")})
    return {"member": member} if member is not None else {"group": group}


def _saver_name(member: Member | None, group: SelfHelpGroup | None) -> str:
    return member.full_name if member is not None else group.name


def group_balance(book: Book, group: SelfHelpGroup, account) -> Decimal:
    """A member KSM's maintained balance on one sub-ledger account of these books."""
    row = (
        GroupBalance.objects.filter(account=account, group=group)
        .values_list("debit", "credit")
        .first()
    )
    if row is None:
        return ZERO
    return (row[0] - row[1]) * account.sign


def _unit(book: Book, unit: BusinessUnit | None, field: str) -> BusinessUnit | None:
    if unit is not None and (unit.book_id != book.pk or not unit.is_active):
        raise ValidationError({field: _("Choose a business unit of this BUMDes.")})
    return unit


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
    unit: BusinessUnit | None = None,
) -> Posted:
    """Money came in: business income, other income (bank interest) or a grant. In a BUMDes's
    books income may belong to a business unit: it is then credited to the unit's income
    account (a grant is capital, never a unit's income)."""
    if source not in CASH_IN_SOURCES:
        raise ValidationError({"source": _("Choose where the money came from.")})
    amount = clean_amount(amount)
    cash, income = accounts_for(book, "cash", source)
    if _unit(book, unit, "unit") is not None:
        if source == "grant":
            raise ValidationError(
                {"unit": _("A grant is the BUMDes's capital, not a unit's income.")}
            )
        income = unit.income_account
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
    unit: BusinessUnit | None = None,
) -> Posted:
    """Money went out for an expense of the given category. In a BUMDes's books a cost of a
    business unit is debited to the unit's expense account, the category kept as the memo."""
    if category not in CASH_OUT_CATEGORIES:
        raise ValidationError({"category": _("Choose what the money was spent on.")})
    amount = clean_amount(amount)
    expense, cash = accounts_for(book, category, "cash")
    memo = ""
    if _unit(book, unit, "unit") is not None:
        memo = expense.name
        expense = unit.expense_account
    return journal_post(
        lines=[
            Line(account=expense, debit=amount, memo=memo),
            Line(account=cash, credit=amount),
        ],
        kind=EntryKind.CASH_OUT,
        **_common(book, entry_date, description, receipt_ref, actor, token),
    )


@transaction.atomic
def savings_deposit(
    *,
    book: Book,
    savings_type: str,
    amount,
    entry_date: datetime.date,
    member: Member | None = None,
    group: SelfHelpGroup | None = None,
    description: str = "",
    receipt_ref: str = "",
    actor=None,
    token: str | None = None,
) -> Posted:
    """A member pays in savings: pokok (once per membership), wajib (monthly) or sukarela
    (voluntary). In a cooperative's books the saver is a member KSM (`group`).

    Pokok is checked under the book's row lock: a saver who holds pokok already is refused,
    unless the group's pokok rose since, when only the difference is accepted."""
    saver = _saver(member, group)
    if savings_type not in SAVINGS_TYPES:
        raise ValidationError({"savings_type": _("Choose the kind of savings.")})
    amount = clean_amount(amount)
    if savings_type == "savings_principal":
        book = _lock_book(book)
    cash, account = accounts_for(book, "cash", savings_type)
    name = _saver_name(member, group)
    repeat = token is not None and book.entries.filter(token=token).exists()
    if savings_type == "savings_principal" and not repeat:
        _check_pokok(book, account, entry_date, amount, name, member=member, group=group)
    description = description or _("%(account)s deposit, %(member)s") % {
        "account": account.name,
        "member": name,
    }
    return journal_post(
        lines=[
            Line(account=cash, debit=amount),
            Line(account=account, credit=amount, **saver),
        ],
        kind=EntryKind.SAVINGS_DEPOSIT,
        **_common(book, entry_date, description, receipt_ref, actor, token),
    )


def _check_pokok(book, account, entry_date, amount, name, *, member, group) -> None:
    due = pokok_due(book, account, entry_date, member=member, group=group)
    if due.due is None:
        return
    if due.due <= 0:
        raise ValidationError(
            {
                "amount": _(
                    "%(member)s has paid simpanan pokok already (%(held)s); it is paid once "
                    "per membership."
                )
                % {"member": name, "held": rupiah(due.held)}
            }
        )
    if amount > due.due:
        raise ValidationError(
            {
                "amount": _(
                    "%(member)s owes only %(due)s of simpanan pokok: the group's pokok is "
                    "%(rule)s and %(held)s is paid."
                )
                % {
                    "member": name,
                    "due": rupiah(due.due),
                    "rule": rupiah(due.rule),
                    "held": rupiah(due.held),
                }
            }
        )


@transaction.atomic
def savings_withdraw(
    *,
    book: Book,
    amount,
    entry_date: datetime.date,
    member: Member | None = None,
    group: SelfHelpGroup | None = None,
    description: str = "",
    receipt_ref: str = "",
    actor=None,
    token: str | None = None,
) -> Posted:
    """A member (in a cooperative's books, a member KSM) takes voluntary savings out; never
    more than their balance. The book's row lock is taken before the balance is read, so two
    withdrawals cannot both pass."""
    saver = _saver(member, group)
    amount = clean_amount(amount)
    book = _lock_book(book)
    account, cash = accounts_for(book, "savings_voluntary", "cash")
    if member is not None:
        balance: Decimal = member_balance(book, member, account)
    else:
        balance = group_balance(book, group, account)
    name = _saver_name(member, group)
    repeat = token is not None and book.entries.filter(token=token).exists()
    if not repeat and amount > balance:  # a resubmitted form finds its entry instead
        raise ValidationError(
            {
                "amount": _("%(member)s has only %(balance)s in voluntary savings.")
                % {"member": name, "balance": rupiah(balance)}
            }
        )
    description = description or _("Voluntary savings withdrawal, %(member)s") % {"member": name}
    return journal_post(
        lines=[
            Line(account=account, debit=amount, **saver),
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
