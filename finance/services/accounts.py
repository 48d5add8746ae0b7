"""Editing a book's chart of accounts.

Staff and the facilitators who may change the book's owner (the village's facilitators for a
KSM or BUMDes) add accounts, rename and renumber them, and deactivate those no longer used.
Nothing is ever deleted: posted lines point at their accounts. Accounts with a role (cash,
savings by type, the surplus accounts, ...) feed the treasurer forms and the year-end close,
so they may be renamed and renumbered but stay active and keep their type.
"""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from ksm_portal.services_base import validated_save

from ..models import ZERO, Account, AccountMonth, AccountType, Book, NormalBalance
from ..money import rupiah
from .floors import account_lowest_balance
from .periods import owner_editable_by
from .posting import _lock_book

ACCOUNT_FIELDS = (
    "code",
    "name",
    "type",
    "normal_balance",
    "parent",
    "is_header",
    "is_active",
    "overdraft_limit",
)
CODE_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]*$")
NORMAL_FOR_TYPE = {
    AccountType.ASSET: NormalBalance.DEBIT,
    AccountType.EXPENSE: NormalBalance.DEBIT,
    AccountType.LIABILITY: NormalBalance.CREDIT,
    AccountType.EQUITY: NormalBalance.CREDIT,
    AccountType.INCOME: NormalBalance.CREDIT,
}


def chart_editable_by(user, book: Book) -> bool:
    """Staff and the facilitators of the owner's village (the owner's `editable_by`);
    treasurers read the chart."""
    return owner_editable_by(user, book)


def _check_permission(actor, book: Book) -> None:
    if actor is not None and not chart_editable_by(actor, book):
        raise PermissionDenied(_("You may not change the chart of accounts of these books."))


def _has_lines(account: Account) -> bool:
    return account.pk is not None and account.lines.exists()


def _balance(account: Account):
    totals = AccountMonth.objects.filter(account=account).aggregate(
        debit=Sum("debit"), credit=Sum("credit")
    )
    return (totals["debit"] or ZERO) - (totals["credit"] or ZERO)


def _clean(account: Account, *, type_changed: bool) -> None:
    account.code = (account.code or "").strip()
    account.name = " ".join((account.name or "").split())
    if not CODE_PATTERN.match(account.code):
        raise ValidationError({"code": _("Use digits, letters and dots for the code, e.g. 5.07.")})
    if not account.name:
        raise ValidationError({"name": _("Give the account a name.")})
    taken = Account.objects.filter(book_id=account.book_id, code=account.code)
    if taken.exclude(pk=account.pk).exists():
        raise ValidationError({"code": _("This book already has an account with this code.")})
    parent = account.parent
    if parent is not None:
        if parent.book_id != account.book_id or not parent.is_header:
            raise ValidationError({"parent": _("Choose a heading of this chart.")})
        if parent.type != account.type:
            raise ValidationError(
                {"parent": _("The heading must be of the same type as the account.")}
            )
        seen = parent
        while seen is not None:
            if account.pk is not None and seen.pk == account.pk:
                raise ValidationError({"parent": _("An account cannot be under itself.")})
            seen = seen.parent
    if type_changed and account.pk is not None:
        if account.role:
            raise ValidationError(
                _("The type of %(account)s is fixed: the forms rely on it.") % {"account": account}
            )
        if _has_lines(account):
            raise ValidationError(
                _("%(account)s has entries; its type and normal balance can no longer change.")
                % {"account": account}
            )
        if not account.is_header and account.children.exists():
            raise ValidationError(
                _("%(account)s has accounts under it; it stays a heading.") % {"account": account}
            )


def _check_deactivation(account: Account) -> None:
    if account.role:
        raise ValidationError(
            _("%(account)s is used by the forms and stays active; you may rename it.")
            % {"account": account}
        )
    if account.is_header and account.children.filter(is_active=True).exists():
        raise ValidationError(
            _("Deactivate the accounts under %(account)s first.") % {"account": account}
        )
    if _balance(account):
        raise ValidationError(
            _("%(account)s still has a balance; move it to another account first.")
            % {"account": account}
        )


def _check_overdraft(account: Account) -> None:
    """An overdraft is a bank facility; lowering it is refused while the account's balance
    (on any date) relies on it, which the next posting would otherwise find."""
    limit = account.overdraft_limit
    if limit is None or limit < 0:
        raise ValidationError({"overdraft_limit": _("The overdraft limit cannot be negative.")})
    if limit and account.role != "bank":
        raise ValidationError(
            {"overdraft_limit": _("Only the bank account can have an overdraft limit.")}
        )
    _lock_book(account.book)
    lowest = account_lowest_balance(account)
    if lowest is not None and lowest < -limit:
        raise ValidationError(
            {
                "overdraft_limit": _(
                    "The balance of %(account)s went down to %(balance)s; the limit cannot be "
                    "less than %(needed)s."
                )
                % {"account": account, "balance": rupiah(lowest), "needed": rupiah(-lowest)}
            }
        )


def _save(account: Account, actor) -> Account:
    if getattr(actor, "is_authenticated", False):
        account._history_user = actor
    return validated_save(account)


@transaction.atomic
def account_create(
    *,
    book: Book,
    code: str,
    name: str,
    type: str,
    normal_balance: str | None = None,
    parent: Account | None = None,
    is_header: bool = False,
    actor=None,
) -> Account:
    """Add an account to the chart; the normal balance follows the type unless given."""
    _check_permission(actor, book)
    if type not in AccountType.values:
        raise ValidationError({"type": _("Choose the type of account.")})
    account = Account(
        book=book,
        code=code,
        name=name,
        type=type,
        normal_balance=normal_balance or NORMAL_FOR_TYPE[type],
        parent=parent,
        is_header=is_header,
    )
    _clean(account, type_changed=False)
    return _save(account, actor)


@transaction.atomic
def account_update(*, account: Account, actor=None, **fields) -> Account:
    """Rename, renumber, move under another heading, deactivate or reactivate an account.
    Its type and normal balance change only while it has no entries and no role."""
    unknown = set(fields) - set(ACCOUNT_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    account = Account.objects.select_for_update().get(pk=account.pk)
    _check_permission(actor, account.book)
    was_active = account.is_active
    before = (account.type, account.normal_balance, account.is_header)
    for key, value in fields.items():
        setattr(account, key, value)
    if "type" in fields and "normal_balance" not in fields:
        account.normal_balance = NORMAL_FOR_TYPE.get(account.type, account.normal_balance)
    if account.type not in AccountType.values:
        raise ValidationError({"type": _("Choose the type of account.")})
    _clean(
        account,
        type_changed=before != (account.type, account.normal_balance, account.is_header),
    )
    if was_active and not account.is_active:
        _check_deactivation(account)
    if "overdraft_limit" in fields:
        _check_overdraft(account)
    if account.is_active and account.parent is not None and not account.parent.is_active:
        raise ValidationError({"parent": _("The heading is inactive; reactivate it first.")})
    return _save(account, actor)


def account_deactivate(*, account: Account, actor=None) -> Account:
    return account_update(account=account, actor=actor, is_active=False)
