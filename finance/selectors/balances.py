"""Account balances from the maintained monthly totals, and a book's summary."""

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from ..models import (
    ZERO,
    Account,
    AccountMonth,
    AccountType,
    Book,
    JournalLine,
    MemberBalance,
)

__all__ = [
    "AccountBalance",
    "BookSummary",
    "account_balance_now",
    "account_totals",
    "balances",
    "book_summary",
    "member_savings",
    "month_end",
]


def account_balance_now(account: Account) -> Decimal:
    """An account's balance over everything posted, in its normal direction, from the monthly
    totals (what the cash box holds, what a payable still owes)."""
    totals = AccountMonth.objects.filter(account=account).aggregate(
        debit=Sum("debit"), credit=Sum("credit")
    )
    return ((totals["debit"] or ZERO) - (totals["credit"] or ZERO)) * account.sign


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _add(totals: dict, account_id: int, debit, credit) -> None:
    current = totals.setdefault(account_id, [ZERO, ZERO])
    current[0] += debit or ZERO
    current[1] += credit or ZERO


def _line_totals(
    book: Book, date_from: datetime.date, date_to: datetime.date, totals: dict, accounts=None
):
    lines = JournalLine.objects.filter(
        book=book, entry_date__gte=date_from, entry_date__lte=date_to
    )
    if accounts is not None:
        lines = lines.filter(account_id__in=accounts)
    rows = lines.order_by().values("account_id").annotate(debit=Sum("debit"), credit=Sum("credit"))
    for row in rows:
        _add(totals, row["account_id"], row["debit"], row["credit"])


def _month_totals(
    book: Book, first: datetime.date | None, last: datetime.date, totals: dict, accounts=None
):
    months = AccountMonth.objects.filter(book=book, month__lte=last)
    if accounts is not None:
        months = months.filter(account_id__in=accounts)
    if first is not None:
        months = months.filter(month__gte=first)
    rows = months.order_by().values("account_id").annotate(debit=Sum("debit"), credit=Sum("credit"))
    for row in rows:
        _add(totals, row["account_id"], row["debit"], row["credit"])


def account_totals(
    book: Book,
    *,
    date_to: datetime.date,
    date_from: datetime.date | None = None,
    accounts: list[int] | None = None,
) -> dict[int, tuple[Decimal, Decimal]]:
    """{account id: (debits, credits)} of the entries dated from date_from (or the start)
    through date_to; only the given account ids when `accounts` is set."""
    totals: dict[int, list[Decimal]] = {}
    start = date_from
    if start is not None and start.day != 1:
        edge_end = min(month_end(start), date_to)
        _line_totals(book, start, edge_end, totals, accounts)
        start = edge_end + datetime.timedelta(days=1)
    if start is None or start <= date_to:
        last_full_month = date_to.replace(day=1)
        if date_to != month_end(date_to):
            _line_totals(
                book, max(last_full_month, start or last_full_month), date_to, totals, accounts
            )
            last_full_month = (last_full_month - datetime.timedelta(days=1)).replace(day=1)
        if start is None or start <= last_full_month:
            _month_totals(book, start, last_full_month, totals, accounts)
    return {key: (value[0], value[1]) for key, value in totals.items()}


@dataclass
class AccountBalance:
    account: Account
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        """In the account's normal direction."""
        return (self.debit - self.credit) * self.account.sign


def balances(
    book: Book, *, date_to: datetime.date, date_from: datetime.date | None = None
) -> list[AccountBalance]:
    totals = account_totals(book, date_to=date_to, date_from=date_from)
    return [
        AccountBalance(account, *totals.get(account.pk, (ZERO, ZERO)))
        for account in book.accounts.filter(is_header=False).order_by("code")
    ]


@dataclass
class BookSummary:
    cash: Decimal
    bank: Decimal
    savings: dict  # account name -> balance
    surplus_this_year: Decimal
    as_of: datetime.date


def book_summary(book: Book) -> BookSummary:
    today = timezone.localdate()
    by_role = {b.account.role: b for b in balances(book, date_to=today)}
    year = balances(book, date_from=today.replace(month=1, day=1), date_to=today)
    surplus = sum(
        (
            b.credit - b.debit
            for b in year
            if b.account.type in (AccountType.INCOME, AccountType.EXPENSE)
        ),
        ZERO,
    )
    savings = {
        b.account.name: b.balance
        for role, b in by_role.items()
        if role in ("savings_principal", "savings_mandatory", "savings_voluntary")
    }
    return BookSummary(
        cash=by_role["cash"].balance if "cash" in by_role else ZERO,
        bank=by_role["bank"].balance if "bank" in by_role else ZERO,
        savings=savings,
        surplus_this_year=surplus,
        as_of=today,
    )


def member_savings(book: Book, member) -> list[tuple[Account, Decimal]]:
    """A member's balance on each savings account of the book (maintained balances)."""
    rows = MemberBalance.objects.filter(book=book, member=member).select_related("account")
    return [(row.account, row.balance) for row in rows.order_by("account__code")]
