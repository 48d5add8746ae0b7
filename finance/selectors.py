"""Reads over the books. Balances come from the monthly totals the posting service keeps
(AccountMonth), topped up with the journal lines of a partial month at either end of a
range, so a report's cost grows with the months and accounts, not with the book's lines."""

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, Sum, Window
from django.db.models.expressions import RowRange
from django.utils import timezone
from django.utils.translation import gettext as _

from .charts import SAVINGS_ROLES
from .models import (
    ZERO,
    Account,
    AccountMonth,
    AccountType,
    Book,
    EntryKind,
    JournalEntry,
    JournalLine,
    MemberBalance,
)


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


# --- Ledgers: the cash book, an account's ledger, a member's passbook ------------------------

LEDGER_PAGE_SIZE = 100
LEDGER_ORDER = ("entry_date", "entry_id", "id")


@dataclass
class LedgerRow:
    line_id: int
    entry_id: int
    entry_date: datetime.date
    reference: str
    description: str
    receipt_ref: str
    debit: Decimal
    credit: Decimal
    balance: Decimal  # running, in the account's normal direction
    change: Decimal  # what the line adds to the balance (negative when it takes away)
    url: str = ""  # the entry's page, set by the view

    @property
    def amount(self) -> Decimal:
        return self.debit - self.credit


class LedgerLines:
    """The lines of a ledger range, oldest first, each with its running balance.

    Sliced by Django's Paginator: a slice is one query whose running sum is a window
    function over the range's lines, so page 40 costs what page 1 does and its balances
    continue from the lines before it. Iterating reads the whole range in one query (exports).
    """

    def __init__(self, lines, *, count: int, opening_net: Decimal, sign: int):
        self._count = count
        self._opening_net = opening_net
        self._sign = sign
        self._queryset = (
            lines.annotate(
                running=Window(
                    Sum(F("debit") - F("credit")),
                    order_by=[F(name).asc() for name in LEDGER_ORDER],
                    frame=RowRange(start=None, end=0),
                )
            )
            .order_by(*LEDGER_ORDER)
            .values_list(
                "id",
                "entry_id",
                "entry_date",
                "entry__year",
                "entry__number",
                "entry__description",
                "entry__receipt_ref",
                "debit",
                "credit",
                "running",
            )
        )

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def _row(self, values) -> LedgerRow:
        line, entry, day, year, number, description, receipt, debit, credit, running = values
        return LedgerRow(
            line_id=line,
            entry_id=entry,
            entry_date=day,
            reference=f"{year}/{number:05d}",
            description=description,
            receipt_ref=receipt,
            debit=debit,
            credit=credit,
            balance=(self._opening_net + (running or ZERO)) * self._sign,
            change=(debit - credit) * self._sign,
        )

    def __getitem__(self, key):
        if not isinstance(key, slice):
            raise TypeError("LedgerLines are read a page (a slice) at a time")
        start, stop = key.start or 0, min(key.stop or self._count, self._count)
        if stop <= start:
            return []
        return [self._row(values) for values in self._queryset[start:stop]]

    def __iter__(self):
        if not self._count:
            return iter(())
        return (self._row(values) for values in self._queryset.iterator(chunk_size=2000))


@dataclass
class Ledger:
    """One account (or one member's share of it) over a date range."""

    account: Account
    date_from: datetime.date
    date_to: datetime.date
    opening: Decimal  # in the account's normal direction
    total_debit: Decimal
    total_credit: Decimal
    lines: LedgerLines
    member: object = None

    @property
    def count(self) -> int:
        return len(self.lines)

    @property
    def closing(self) -> Decimal:
        return self.opening + (self.total_debit - self.total_credit) * self.account.sign

    def page(self, number) -> "LedgerPage":
        page = Paginator(self.lines, LEDGER_PAGE_SIZE).get_page(number)
        rows = list(page.object_list)
        if rows:
            first = rows[0]
            brought_forward = first.balance - first.change
            carried_forward = rows[-1].balance
        else:
            brought_forward = carried_forward = self.opening
        return LedgerPage(
            page,
            rows,
            brought_forward,
            carried_forward,
            is_first=not page.has_previous(),
            is_last=not page.has_next(),
        )


@dataclass
class LedgerPage:
    page: Page
    rows: list[LedgerRow]
    brought_forward: Decimal  # the balance before the page's first line
    carried_forward: Decimal  # the balance after its last line
    is_first: bool  # the page starts at the range's opening balance
    is_last: bool  # the page ends at the range's closing balance


def _range_totals(lines) -> tuple[int, Decimal, Decimal]:
    row = lines.order_by().aggregate(count=Count("id"), debit=Sum("debit"), credit=Sum("credit"))
    return row["count"], row["debit"] or ZERO, row["credit"] or ZERO


def ledger(account: Account, *, date_from: datetime.date, date_to: datetime.date) -> Ledger:
    """An account's lines from date_from through date_to with the balance brought forward.
    The opening balance comes from the monthly totals (plus the lines of a partial first
    month); the range totals are one aggregate: the cost follows the range, not the book."""
    day_before = date_from - datetime.timedelta(days=1)
    debit, credit = account_totals(account.book, date_to=day_before, accounts=[account.pk]).get(
        account.pk, (ZERO, ZERO)
    )
    lines = JournalLine.objects.filter(
        account=account, entry_date__gte=date_from, entry_date__lte=date_to
    )
    count, total_debit, total_credit = _range_totals(lines)
    opening_net = debit - credit
    return Ledger(
        account=account,
        date_from=date_from,
        date_to=date_to,
        opening=opening_net * account.sign,
        total_debit=total_debit,
        total_credit=total_credit,
        lines=LedgerLines(lines, count=count, opening_net=opening_net, sign=account.sign),
    )


def cash_account(book: Book) -> Account | None:
    return book.accounts.filter(role="cash").first()


def member_ledger(
    account: Account, member, *, date_from: datetime.date, date_to: datetime.date
) -> Ledger:
    """One member's share of a sub-ledger account (a savings type): one aggregate gives the
    balance before the range and the range's totals, over the member's own lines."""
    lines = JournalLine.objects.filter(account=account, member=member, entry_date__lte=date_to)
    in_range = Q(entry_date__gte=date_from)
    row = lines.order_by().aggregate(
        before=Sum(F("debit") - F("credit"), filter=~in_range),
        count=Count("id", filter=in_range),
        debit=Sum("debit", filter=in_range),
        credit=Sum("credit", filter=in_range),
    )
    opening_net = row["before"] or ZERO
    return Ledger(
        account=account,
        date_from=date_from,
        date_to=date_to,
        opening=opening_net * account.sign,
        total_debit=row["debit"] or ZERO,
        total_credit=row["credit"] or ZERO,
        lines=LedgerLines(
            lines.filter(in_range), count=row["count"], opening_net=opening_net, sign=account.sign
        ),
        member=member,
    )


def savings_accounts(book: Book) -> list[Account]:
    """The book's savings accounts in the order treasurers know: pokok, wajib, sukarela."""
    by_role = {a.role: a for a in book.accounts.filter(role__in=SAVINGS_ROLES)}
    return [by_role[role] for role in SAVINGS_ROLES if role in by_role]


@dataclass
class Passbook:
    member: object
    date_from: datetime.date
    date_to: datetime.date
    ledgers: list[Ledger]

    @property
    def total(self) -> Decimal:
        return sum((item.closing for item in self.ledgers), ZERO)

    def pages(self, number) -> tuple[Page, list[tuple[Ledger, LedgerPage]]]:
        """The same page number of every savings type, and a pager for the longest."""
        longest = max((item.count for item in self.ledgers), default=0)
        pager = Paginator(range(longest), LEDGER_PAGE_SIZE).get_page(number)
        sections = []
        for item in self.ledgers:
            if pager.number <= max(1, -(-item.count // LEDGER_PAGE_SIZE)):
                sections.append((item, item.page(pager.number)))
            else:  # this type's lines all came on earlier pages
                sections.append(
                    (item, LedgerPage(pager, [], item.closing, item.closing, False, True))
                )
        return pager, sections


def passbook(book: Book, member, *, date_from: datetime.date, date_to: datetime.date) -> Passbook:
    return Passbook(
        member=member,
        date_from=date_from,
        date_to=date_to,
        ledgers=[
            member_ledger(account, member, date_from=date_from, date_to=date_to)
            for account in savings_accounts(book)
        ],
    )


def book_members(book: Book):
    """The members a book's sub-ledgers may name: the KSM's members (current and former),
    or for a BUMDes or cooperative book the members it holds balances for."""
    from groups.models import Member

    if book.group_id:
        members = Member.objects.filter(memberships__group_id=book.group_id)
    else:
        members = Member.objects.filter(balances__book=book)
    return members.distinct().order_by("full_name", "id")


@dataclass
class MemberSavingsRow:
    member: object
    balances: list[Decimal]  # in the order of the savings accounts

    @property
    def total(self) -> Decimal:
        return sum(self.balances, ZERO)


def members_savings(
    book: Book, members, accounts: list[Account]
) -> tuple[list[MemberSavingsRow], list[Decimal]]:
    """Each member's balance per savings account (maintained balances, one query for the
    page), and the whole book's totals per account (one grouped query)."""
    ids = [member.pk for member in members]
    found = {
        (row["member_id"], row["account_id"]): row["debit"] - row["credit"]
        for row in MemberBalance.objects.filter(
            book=book, member_id__in=ids, account__in=accounts
        ).values("member_id", "account_id", "debit", "credit")
    }
    rows = [
        MemberSavingsRow(
            member,
            [found.get((member.pk, account.pk), ZERO) * account.sign for account in accounts],
        )
        for member in members
    ]
    sums = {
        row["account_id"]: (row["debit"] or ZERO) - (row["credit"] or ZERO)
        for row in MemberBalance.objects.filter(book=book, account__in=accounts)
        .order_by()
        .values("account_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    }
    totals = [sums.get(account.pk, ZERO) * account.sign for account in accounts]
    return rows, totals


# --- Trial balance -----------------------------------------------------------------------------


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


@dataclass
class IncomeStatement:
    period: Period
    income: StatementSection
    expenses: StatementSection

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


def _shown(account: Account, *values: Decimal) -> bool:
    return account.is_active or any(values)


def balance_sheet(book: Book, period: Period) -> BalanceSheet:
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
        if not _shown(account, current, previous):
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
    if surplus_row is None:
        equity.append(StatementRow(_("Surplus of the current year"), surplus_now, surplus_then))
    if earlier_now or earlier_then:
        equity.append(
            StatementRow(_("Surplus of earlier years not yet closed"), earlier_now, earlier_then)
        )
    return BalanceSheet(period, sections["assets"], sections["liabilities"], sections["equity"])


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


def income_statement(book: Book, period: Period) -> IncomeStatement:
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
        if not _shown(account, current, previous):
            continue
        section = income if account.type == AccountType.INCOME else expenses
        section.rows.append(StatementRow(str(account.name), current, previous, account=account))
    return IncomeStatement(period, income, expenses)
