"""The trial balance and the SAK EMKM statements (posisi keuangan, laba rugi)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    ZERO,
    Account,
    AccountMonth,
    AccountType,
    Book,
    EntryKind,
    JournalEntry,
    JournalLine,
)
from .balances import _add, balances, month_end

# --- Trial balance -----------------------------------------------------------------------------


__all__ = [
    "BalanceSheet",
    "IncomeStatement",
    "Period",
    "StatementRow",
    "StatementSection",
    "TrialBalance",
    "TrialBalanceRow",
    "balance_sheet",
    "income_statement",
    "trial_balance",
]


@dataclass
class TrialBalanceRow:
    account: Account
    debit: Decimal  # the balance when it is a debit balance, else zero
    credit: Decimal


@dataclass
class TrialBalance:
    as_of: datetime.date
    rows: list[TrialBalanceRow]

    @property
    def total_debit(self) -> Decimal:
        return sum((row.debit for row in self.rows), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((row.credit for row in self.rows), ZERO)

    @property
    def balanced(self) -> bool:
        return self.total_debit == self.total_credit


def trial_balance(book: Book, *, as_of: datetime.date) -> TrialBalance:
    """Every posting account's balance as of a date, on the debit or the credit side."""
    rows = []
    for item in balances(book, date_to=as_of):
        net = item.debit - item.credit
        rows.append(TrialBalanceRow(item.account, max(net, ZERO), max(-net, ZERO)))
    return TrialBalance(as_of=as_of, rows=rows)


# --- Statements (SAK EMKM) ---------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A month or a year of a book, to today at most; `previous` is the one before it
    (the previous month or year, whole)."""

    kind: str  # "month" or "year"
    start: datetime.date
    end: datetime.date

    @classmethod
    def of(cls, kind: str, year: int, month: int = 1, today: datetime.date | None = None):
        today = today or timezone.localdate()
        if kind == "month":
            start = datetime.date(year, month, 1)
            natural_end = month_end(start)
        else:
            start = datetime.date(year, 1, 1)
            natural_end = datetime.date(year, 12, 31)
        return cls(kind, start, min(natural_end, max(today, start)))

    @property
    def natural_end(self) -> datetime.date:
        if self.kind == "month":
            return month_end(self.start)
        return self.start.replace(month=12, day=31)

    @property
    def is_partial(self) -> bool:
        return self.end < self.natural_end

    @property
    def previous(self) -> "Period":
        if self.kind == "month":
            end = self.start - datetime.timedelta(days=1)
            return Period("month", end.replace(day=1), end)
        start = self.start.replace(year=self.start.year - 1)
        return Period("year", start, start.replace(month=12, day=31))


@dataclass
class StatementRow:
    label: str
    current: Decimal
    previous: Decimal
    account: Account | None = None
    contra: bool = False


@dataclass
class StatementSection:
    key: str  # assets, liabilities, equity, income, expenses
    rows: list[StatementRow]

    @property
    def current(self) -> Decimal:
        return sum((row.current for row in self.rows), ZERO)

    @property
    def previous(self) -> Decimal:
        return sum((row.previous for row in self.rows), ZERO)


@dataclass
class BalanceSheet:
    period: Period
    assets: StatementSection
    liabilities: StatementSection
    equity: StatementSection
    book_opened: datetime.date = datetime.date.min

    @property
    def as_of(self) -> datetime.date:
        return self.period.end

    @property
    def previous_as_of(self) -> datetime.date:
        return self.period.previous.end

    @property
    def liabilities_and_equity(self) -> tuple[Decimal, Decimal]:
        return (
            self.liabilities.current + self.equity.current,
            self.liabilities.previous + self.equity.previous,
        )

    @property
    def balanced(self) -> bool:
        return (self.assets.current, self.assets.previous) == self.liabilities_and_equity

    @property
    def comparative(self) -> bool:
        """Whether the previous period's column is worth showing: not before the books
        opened, and not a column of zeros."""
        return self.period.previous.end >= self.book_opened and any(
            row.previous
            for section in (self.assets, self.liabilities, self.equity)
            for row in section.rows
        )


@dataclass
class IncomeStatement:
    period: Period
    income: StatementSection
    expenses: StatementSection
    book_opened: datetime.date = datetime.date.min

    @property
    def comparative(self) -> bool:
        """Whether the previous period's column is worth showing (see BalanceSheet)."""
        return self.period.previous.end >= self.book_opened and any(
            row.previous for section in (self.income, self.expenses) for row in section.rows
        )

    @property
    def surplus(self) -> tuple[Decimal, Decimal]:
        return (
            self.income.current - self.expenses.current,
            self.income.previous - self.expenses.previous,
        )


PROFIT_AND_LOSS = (AccountType.INCOME, AccountType.EXPENSE)


def _net(totals: dict, account: Account) -> Decimal:
    """Debits less credits."""
    debit, credit = totals.get(account.pk, (ZERO, ZERO))
    return debit - credit


def _merge(*parts: dict) -> dict:
    merged: dict[int, list[Decimal]] = {}
    for part in parts:
        for account_id, (debit, credit) in part.items():
            _add(merged, account_id, debit, credit)
    return merged


def _posting_accounts(book: Book) -> list[Account]:
    return list(book.accounts.filter(is_header=False).order_by("code"))


def _totals_of_ranges(
    book: Book, ranges: list[tuple[datetime.date | None, datetime.date]]
) -> list[dict[int, tuple[Decimal, Decimal]]]:
    """account_totals for several date ranges at once: one query over the monthly totals
    with a filtered sum per range, and one over the lines of the partial months at the
    ranges' ends (none when every range is whole months)."""
    month_filters: list[Q | None] = []
    edge_filters: list[Q | None] = []
    for start, end in ranges:
        edges = []
        if start is not None and start.day != 1:
            edge_end = min(month_end(start), end)
            edges.append(Q(entry_date__gte=start, entry_date__lte=edge_end))
            start = edge_end + datetime.timedelta(days=1)
        months = None
        if start is None or start <= end:
            last_month = end.replace(day=1)
            if end != month_end(end):
                edges.append(
                    Q(entry_date__gte=max(last_month, start or last_month), entry_date__lte=end)
                )
                last_month = (last_month - datetime.timedelta(days=1)).replace(day=1)
            if start is None or start <= last_month:
                months = Q(month__lte=last_month)
                if start is not None:
                    months &= Q(month__gte=start)
        month_filters.append(months)
        edge_filters.append(_any(edges))
    results: list[dict] = [{} for _ in ranges]
    for model, filters in ((AccountMonth, month_filters), (JournalLine, edge_filters)):
        used = {index: f for index, f in enumerate(filters) if f is not None}
        if not used:
            continue
        sums = {}
        for index, condition in used.items():
            sums[f"d{index}"] = Sum("debit", filter=condition)
            sums[f"c{index}"] = Sum("credit", filter=condition)
        rows = (
            model.objects.filter(_any(list(used.values())), book=book)
            .order_by()
            .values("account_id")
            .annotate(**sums)
        )
        for row in rows:
            for index in used:
                debit, credit = row[f"d{index}"], row[f"c{index}"]
                if debit is not None or credit is not None:
                    _add(results[index], row["account_id"], debit, credit)
    return [{key: (value[0], value[1]) for key, value in part.items()} for part in results]


def _any(conditions: list[Q]) -> Q | None:
    combined = None
    for condition in conditions:
        combined = condition if combined is None else combined | condition
    return combined


def _position(accounts: list[Account], earlier: dict, this_year: dict):
    """Totals through a date from those before its year and those of its year to date, and
    the surplus not yet closed: this year's and earlier years'."""
    pnl = [a for a in accounts if a.type in PROFIT_AND_LOSS]
    return (
        _merge(earlier, this_year),
        -sum((_net(this_year, a) for a in pnl), ZERO),
        -sum((_net(earlier, a) for a in pnl), ZERO),
    )


def _year_split(as_of: datetime.date):
    year_start = as_of.replace(month=1, day=1)
    return [(None, year_start - datetime.timedelta(days=1)), (year_start, as_of)]


def _shown(account: Account, show_zero: bool, *values: Decimal) -> bool:
    """A line with an amount always; an active account's zero line only when asked for."""
    return any(values) or (show_zero and account.is_active)


def balance_sheet(book: Book, period: Period, *, show_zero: bool = False) -> BalanceSheet:
    """Laporan posisi keuangan at the period's end, beside the previous period's end.
    Income and expenses not yet closed into equity appear as the current-year surplus (on
    the SHU Tahun Berjalan line), so assets equal liabilities plus equity to the rupiah."""
    accounts = _posting_accounts(book)
    parts = _totals_of_ranges(book, _year_split(period.end) + _year_split(period.previous.end))
    now, surplus_now, earlier_now = _position(accounts, *parts[:2])
    then, surplus_then, earlier_then = _position(accounts, *parts[2:])
    sections = {key: StatementSection(key, []) for key in ("assets", "liabilities", "equity")}
    surplus_row = None
    for account in accounts:
        if account.type in PROFIT_AND_LOSS:
            continue
        sign = 1 if account.type == AccountType.ASSET else -1
        current, previous = _net(now, account) * sign, _net(then, account) * sign
        if account.role == "current_surplus":
            current, previous = current + surplus_now, previous + surplus_then
        if not _shown(account, show_zero, current, previous):
            continue
        row = StatementRow(
            str(account.name),
            current,
            previous,
            account=account,
            contra=account.type == AccountType.ASSET and account.sign < 0,
        )
        key = {
            AccountType.ASSET: "assets",
            AccountType.LIABILITY: "liabilities",
            AccountType.EQUITY: "equity",
        }[account.type]
        sections[key].rows.append(row)
        if account.role == "current_surplus":
            surplus_row = row
    equity = sections["equity"].rows
    if surplus_row is None and (show_zero or surplus_now or surplus_then):
        equity.append(StatementRow(_("Surplus of the current year"), surplus_now, surplus_then))
    if earlier_now or earlier_then:
        equity.append(
            StatementRow(_("Surplus of earlier years not yet closed"), earlier_now, earlier_then)
        )
    return BalanceSheet(
        period,
        sections["assets"],
        sections["liabilities"],
        sections["equity"],
        book_opened=book.opening_date,
    )


def _closing_lines(book: Book, first: datetime.date, last: datetime.date) -> list[dict]:
    """The lines of year-end closing entries in a date range: few, found through the
    entries' (book, kind, date) index."""
    entries = JournalEntry.objects.filter(
        book=book, kind=EntryKind.YEAR_END, entry_date__gte=first, entry_date__lte=last
    ).values("id")
    return list(
        JournalLine.objects.filter(entry_id__in=entries)
        .order_by()
        .values("account_id", "entry_date", "debit", "credit")
    )


def _without_closing(totals: dict, period: Period, closing: list[dict]) -> dict:
    """A period's totals without its year-end closing entries: the statement shows the
    income and expenses the close moved into equity."""
    totals = {key: list(value) for key, value in totals.items()}
    for line in closing:
        if period.start <= line["entry_date"] <= period.end:
            _add(totals, line["account_id"], -line["debit"], -line["credit"])
    return totals


def income_statement(book: Book, period: Period, *, show_zero: bool = False) -> IncomeStatement:
    """Laporan laba rugi of a period beside the previous period."""
    accounts = [a for a in _posting_accounts(book) if a.type in PROFIT_AND_LOSS]
    closing = _closing_lines(book, period.previous.start, period.end)
    parts = _totals_of_ranges(
        book, [(period.start, period.end), (period.previous.start, period.previous.end)]
    )
    now = _without_closing(parts[0], period, closing)
    then = _without_closing(parts[1], period.previous, closing)
    income = StatementSection("income", [])
    expenses = StatementSection("expenses", [])
    for account in accounts:
        sign = -1 if account.type == AccountType.INCOME else 1
        current, previous = _net(now, account) * sign, _net(then, account) * sign
        if not _shown(account, show_zero, current, previous):
            continue
        section = income if account.type == AccountType.INCOME else expenses
        section.rows.append(StatementRow(str(account.name), current, previous, account=account))
    return IncomeStatement(period, income, expenses, book_opened=book.opening_date)
