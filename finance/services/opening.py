"""Opening balances: the cut-off wizard for a reactivated KSM that already had money, savings
and loans before its books were kept here.

Everything is posted as one balanced entry (kind "opening") at the cut-off date, while the
book has no other entry, and only once. What the group owns (cash, bank, loans to members,
other assets) less what it owes and its members' savings is its accumulated surplus: that
difference is the balancing line on SHU Ditahan (role retained_surplus), a credit when
positive and a debit when the group starts with a deficit.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import Member

from ..charts import MEMBER_LEDGER_ROLES, SAVINGS_ROLES
from ..models import ZERO, Account, AccountType, Book, EntryKind, JournalEntry
from .posting import Line, Posted, _lock_book, account_for, clean_amount, journal_post

# Other balances are balance-sheet accounts; the member ledgers have their own rows and the
# retained surplus is the balancing figure.
OTHER_TYPES = (AccountType.ASSET, AccountType.LIABILITY, AccountType.EQUITY)
NOT_OTHER_ROLES = (*MEMBER_LEDGER_ROLES, "cash", "bank", "retained_surplus")
SIDES = ("debit", "credit")


def other_accounts(book: Book):
    """The accounts the "other balances" rows may use."""
    return (
        book.accounts.filter(type__in=OTHER_TYPES, is_header=False, is_active=True)
        .exclude(role__in=NOT_OTHER_ROLES)
        .order_by("code")
    )


def _amount(value, key: str, label: str) -> Decimal:
    """Blank or zero: nothing to post. Otherwise a positive rupiah amount, or an error that
    names the row."""
    if value is None or str(value).strip() == "":
        return ZERO
    try:
        if Decimal(str(value).strip()) == 0:
            return ZERO
    except (InvalidOperation, ValueError):
        pass
    try:
        return clean_amount(value)
    except ValidationError as error:
        messages = error.message_dict.get("amount", error.messages)
        if key == NON_FIELD_ERRORS:
            messages = [f"{label}: {message}" for message in messages]
        raise ValidationError({key: messages}) from None


def _check_other_account(book: Book, account: Account) -> None:
    if (
        account.book_id != book.pk
        or account.is_header
        or not account.is_active
        or account.type not in OTHER_TYPES
        or account.role in NOT_OTHER_ROLES
    ):
        raise ValidationError(
            _("%(account)s cannot take an opening balance in the other balances rows.")
            % {"account": account}
        )


@transaction.atomic
def opening_balances_post(
    *,
    book: Book,
    cutoff_date: datetime.date,
    cash=ZERO,
    bank=ZERO,
    member_savings: list[tuple[Member, str, Decimal]] = (),
    member_loans: list[tuple[Member, Decimal]] = (),
    other: list[tuple[Account, str | None, Decimal]] = (),
    actor=None,
    token: str | None = None,
) -> Posted:
    """Post the opening balances as one entry balanced against SHU Ditahan.

    member_savings: (member, savings role, amount); member_loans: (member, amount
    outstanding); other: (account, "debit" | "credit" | None for the account's normal side,
    amount). Blank or zero amounts are skipped. A resubmitted form (same token) returns the
    entry already posted."""
    book = _lock_book(book)
    if token:
        existing = JournalEntry.objects.filter(token=token).first()
        if existing is not None:
            if existing.book_id != book.pk:
                raise ValidationError(_("This form does not belong to these books."))
            return Posted(entry=existing, created=False)
    if book.entries.filter(kind=EntryKind.OPENING).exists():
        raise ValidationError(_("The opening balances of these books have already been posted."))
    if book.entries.exists():
        raise ValidationError(
            _(
                "Opening balances can only be posted to books with no entries yet; these "
                "books already have entries."
            )
        )
    if cutoff_date < book.opening_date:
        raise ValidationError(
            {
                "cutoff_date": _("The books opened on %(date)s; the cut-off cannot be earlier.")
                % {"date": book.opening_date.strftime("%d-%m-%Y")}
            }
        )
    if cutoff_date > timezone.localdate():
        raise ValidationError({"cutoff_date": _("This date is in the future.")})

    memo = _("Opening balance")
    debits: list[Line] = []
    credits: list[Line] = []
    for role, value in (("cash", cash), ("bank", bank)):
        amount = _amount(value, role, role)
        if amount:
            debits.append(Line(account=account_for(book, role), debit=amount, memo=memo))
    if member_loans:
        loans = account_for(book, "loans_receivable")
        for member, value in member_loans:
            amount = _amount(value, NON_FIELD_ERRORS, f"{member.full_name}, {loans.name}")
            if amount:
                debits.append(Line(account=loans, debit=amount, member=member, memo=memo))
    savings_accounts: dict[str, Account] = {}
    for member, role, value in member_savings:
        if role not in SAVINGS_ROLES:
            raise ValidationError(_("Choose the kind of savings."))
        if role not in savings_accounts:
            savings_accounts[role] = account_for(book, role)
        account = savings_accounts[role]
        amount = _amount(value, NON_FIELD_ERRORS, f"{member.full_name}, {account.name}")
        if amount:
            credits.append(Line(account=account, credit=amount, member=member, memo=memo))
    for account, side, value in other:
        _check_other_account(book, account)
        amount = _amount(value, NON_FIELD_ERRORS, str(account))
        side = side or account.normal_balance
        if side not in SIDES:
            raise ValidationError(_("Choose debit or credit."))
        if not amount:
            continue
        if side == "debit":
            debits.append(Line(account=account, debit=amount, memo=memo))
        else:
            credits.append(Line(account=account, credit=amount, memo=memo))
    if not debits and not credits:
        raise ValidationError(_("Enter at least one opening balance."))

    lines = debits + credits
    difference = sum((line.debit for line in debits), ZERO) - sum(
        (line.credit for line in credits), ZERO
    )
    if difference:
        retained = account_for(book, "retained_surplus")
        if difference > 0:
            lines.append(Line(account=retained, credit=difference, memo=memo))
        else:
            lines.append(Line(account=retained, debit=-difference, memo=memo))
    try:
        return journal_post(
            book=book,
            entry_date=cutoff_date,
            description=_("Opening balances at %(date)s")
            % {"date": cutoff_date.strftime("%d-%m-%Y")},
            lines=lines,
            kind=EntryKind.OPENING,
            actor=actor,
            token=token,
        )
    except ValidationError as error:
        if hasattr(error, "error_dict") and "entry_date" in error.error_dict:
            raise ValidationError({"cutoff_date": error.error_dict["entry_date"]}) from None
        raise


@dataclass
class OpeningRow:
    account: Account
    debit: Decimal
    credit: Decimal
    members: int  # how many lines name a member


@dataclass
class OpeningSummary:
    entry: JournalEntry
    rows: list[OpeningRow]  # by account code, the balancing SHU Ditahan line included
    total: Decimal  # debits = credits
    balancing: Decimal  # on SHU Ditahan: positive a credit (surplus), negative a debit

    @property
    def balancing_account(self) -> Account | None:
        return next((r.account for r in self.rows if r.account.role == "retained_surplus"), None)


def opening_summary(book: Book) -> OpeningSummary | None:
    """The posted opening entry, totalled per account in the database (a read for the
    wizard's result page)."""
    entry = book.entries.filter(kind=EntryKind.OPENING).order_by("id").first()
    if entry is None:
        return None
    totals = (
        entry.lines.order_by()
        .values("account_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"), members=Count("member"))
    )
    by_id = {row["account_id"]: row for row in totals}
    accounts = Account.objects.filter(pk__in=by_id).order_by("code")
    rows = [
        OpeningRow(
            account=account,
            debit=by_id[account.pk]["debit"],
            credit=by_id[account.pk]["credit"],
            members=by_id[account.pk]["members"],
        )
        for account in accounts
    ]
    balancing = sum(
        (row.credit - row.debit for row in rows if row.account.role == "retained_surplus"), ZERO
    )
    return OpeningSummary(
        entry=entry,
        rows=rows,
        total=sum((row.debit for row in rows), ZERO),
        balancing=balancing,
    )
