"""Ledgers: the cash book, an account's general ledger, members' passbooks and savings."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from ..charts import SAVINGS_ROLES
from ..models import (
    ZERO,
    Account,
    AccountDay,
    AccountMonth,
    Book,
    JournalLine,
    MemberBalance,
)
from ..models.books import FLOORED_ROLES, GroupBalance
from ..sql import money
from ..sql import rows as sql_rows
from .balances import month_end

# --- Ledgers: the cash book, an account's ledger, a member's passbook ------------------------

LEDGER_PAGE_SIZE = 100
LEDGER_ORDER = ("entry_date", "entry_id", "id")


__all__ = [
    "Ledger",
    "LedgerLines",
    "LedgerPage",
    "LedgerRow",
    "MemberSavingsRow",
    "Passbook",
    "book_members",
    "cash_account",
    "ledger",
    "member_ksm_savings_totals",
    "member_ledger",
    "members_savings",
    "passbook",
    "savings_accounts",
]


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


def _before(key) -> Q:
    """Lines that come before the line `key` = (entry_date, entry_id, id) in LEDGER_ORDER."""
    day, entry_id, line_id = key
    return (
        Q(entry_date__lt=day)
        | Q(entry_date=day, entry_id__lt=entry_id)
        | Q(entry_date=day, entry_id=entry_id, id__lt=line_id)
    )


def _net(lines) -> Decimal:
    row = lines.order_by().aggregate(net=Sum(F("debit") - F("credit")))
    return row["net"] or ZERO


def _next_month_start(day: datetime.date) -> datetime.date:
    return month_end(day) + datetime.timedelta(days=1)


def kept_sums(
    account: Account,
    date_from: datetime.date | None,
    date_to: datetime.date,
    *,
    before_line: tuple | None = None,
) -> tuple[Decimal, Decimal]:
    """(debits, credits) of the account from date_from (None: the start) through date_to, in
    one query over the kept totals: AccountMonth for whole months, AccountDay (cash and bank)
    or the account's own lines for the days of a partial month at either end. `before_line`
    = (entry_date, entry_id, id) adds the lines of that day that come before that line.
    The cost follows the range's months and edge days, never the book."""
    month_table, day_table = AccountMonth._meta.db_table, AccountDay._meta.db_table
    line_table = JournalLine._meta.db_table
    if account.role in FLOORED_ROLES:
        daily = (
            f"SELECT debit, credit FROM {day_table} "
            "WHERE account_id = %s AND date >= %s AND date <= %s"
        )
    else:
        daily = (
            f"SELECT debit, credit FROM {line_table} "
            "WHERE account_id = %s AND entry_date >= %s AND entry_date <= %s"
        )
    parts, params = [], []
    first_full = (
        date_from if date_from is None or date_from.day == 1 else _next_month_start(date_from)
    )
    last_full = date_to.replace(day=1)
    if date_to != month_end(date_to):
        last_full = (last_full - datetime.timedelta(days=1)).replace(day=1)
    if first_full is None or first_full <= last_full:
        if first_full is None:
            parts.append(
                f"SELECT debit, credit FROM {month_table} WHERE account_id = %s AND month <= %s"
            )
            params += [account.pk, last_full]
        else:
            parts.append(
                f"SELECT debit, credit FROM {month_table} "
                "WHERE account_id = %s AND month >= %s AND month <= %s"
            )
            params += [account.pk, first_full, last_full]
            if date_from < first_full:
                parts.append(daily)
                params += [account.pk, date_from, first_full - datetime.timedelta(days=1)]
        after = month_end(last_full) + datetime.timedelta(days=1)
        if after <= date_to:
            parts.append(daily)
            params += [account.pk, after, date_to]
    elif date_from <= date_to:
        parts.append(daily)
        params += [account.pk, date_from, date_to]
    if before_line is not None:
        day, entry_id, line_id = before_line
        parts.append(
            f"SELECT debit, credit FROM {line_table} WHERE account_id = %s AND entry_date = %s "
            "AND (entry_id < %s OR (entry_id = %s AND id < %s))"
        )
        params += [account.pk, day, entry_id, entry_id, line_id]
    if not parts:
        return ZERO, ZERO
    found = sql_rows(
        "SELECT SUM(debit), SUM(credit) FROM (" + " UNION ALL ".join(parts) + ") AS kept",
        params,
    )[0]
    return money(found[0]), money(found[1])


def account_net_before(account: Account, key) -> Decimal:
    """Debits less credits of every line of the account before the line `key` =
    (entry_date, entry_id, id): the kept totals up to the day before and the day's own lines
    before it, one query wherever the line lies, so the last page of a year costs what the
    first does."""
    day = key[0]
    debit, credit = kept_sums(account, None, day - datetime.timedelta(days=1), before_line=key)
    return debit - credit


class LedgerLines:
    """The lines of a ledger range, oldest first, each with its running balance.

    Sliced by Django's Paginator, a page is read without touching the lines before it: the
    page's lines come from the (account, entry_date, entry) index with their entries, walked
    from the nearer end of the range (the last page reads backwards from the end), and the
    balance brought forward from `net_before` (the kept totals for an account, the member's
    own lines for a passbook). Iterating reads the whole range in order (exports).
    """

    def __init__(self, lines, *, count: int, opening_net: Decimal, sign: int, net_before):
        self._lines = lines
        self._count = count
        self._opening_net = opening_net
        self._sign = sign
        self._net_before = net_before

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def _values(self, queryset):
        return queryset.values_list(
            "id",
            "entry_id",
            "entry_date",
            "debit",
            "credit",
            "entry__year",
            "entry__number",
            "entry__description",
            "entry__receipt_ref",
        )

    def _rows(self, values, net: Decimal) -> list[LedgerRow]:
        rows = []
        for line, entry, day, debit, credit, year, number, description, receipt in values:
            net += debit - credit
            rows.append(
                LedgerRow(
                    line_id=line,
                    entry_id=entry,
                    entry_date=day,
                    reference=f"{year}/{number:05d}",
                    description=description,
                    receipt_ref=receipt,
                    debit=debit,
                    credit=credit,
                    balance=net * self._sign,
                    change=(debit - credit) * self._sign,
                )
            )
        return rows

    def __getitem__(self, key):
        if not isinstance(key, slice):
            raise TypeError("LedgerLines are read a page (a slice) at a time")
        start, stop = key.start or 0, min(key.stop or self._count, self._count)
        if stop <= start:
            return []
        if start > self._count - stop:  # nearer the end: walk the index backwards
            backwards = self._lines.order_by(*(f"-{name}" for name in LEDGER_ORDER))
            values = list(self._values(backwards)[self._count - stop : self._count - start])
            values.reverse()
        else:
            values = list(self._values(self._lines.order_by(*LEDGER_ORDER))[start:stop])
        if not values:
            return []
        if start == 0:
            return self._rows(values, self._opening_net)
        line, entry, day = values[0][:3]
        return self._rows(values, self._net_before((day, entry, line)))

    def __iter__(self):
        if not self._count:
            return iter(())
        return self._iterate()

    def _iterate(self):
        net = self._opening_net
        queryset = self._values(self._lines.order_by(*LEDGER_ORDER))
        batch = []
        for values in queryset.iterator(chunk_size=2000):
            batch.append(values)
            if len(batch) == 2000:
                rows = self._rows(batch, net)
                net = rows[-1].balance * self._sign
                yield from rows
                batch = []
        if batch:
            yield from self._rows(batch, net)


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


def ledger(account: Account, *, date_from: datetime.date, date_to: datetime.date) -> Ledger:
    """An account's lines from date_from through date_to with the balance brought forward.
    The opening balance and the range's totals come from the kept totals (`kept_sums`), the
    count from the account's date index: the cost follows the range, not the book."""
    debit, credit = kept_sums(account, None, date_from - datetime.timedelta(days=1))
    total_debit, total_credit = kept_sums(account, date_from, date_to)
    lines = JournalLine.objects.filter(
        account=account, entry_date__gte=date_from, entry_date__lte=date_to
    )
    opening_net = debit - credit
    return Ledger(
        account=account,
        date_from=date_from,
        date_to=date_to,
        opening=opening_net * account.sign,
        total_debit=total_debit,
        total_credit=total_credit,
        lines=LedgerLines(
            lines,
            count=lines.count(),
            opening_net=opening_net,
            sign=account.sign,
            net_before=lambda key: account_net_before(account, key),
        ),
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
            lines.filter(in_range),
            count=row["count"],
            opening_net=opening_net,
            sign=account.sign,
            # A member's lines are few: the balance before a page is their sum.
            net_before=lambda key: _net(
                JournalLine.objects.filter(account=account, member=member).filter(_before(key))
            ),
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


# Who a savings line names, in the kept balances and in the lines: a member, or (in a
# cooperative's or BUMDes's books) a member KSM.
_PARTIES = {
    "member": (MemberBalance, "member_id", "member_id"),
    "group": (GroupBalance, "group_id", "party_group_id"),
}


def saver_sums(
    book: Book, accounts: list[Account], as_of, member_ids=None, *, party: str = "member"
) -> dict:
    """{(member or member KSM id, account id): debits less credits} through `as_of` (None:
    everything).

    From the kept balances (MemberBalance, GroupBalance), less the lines after the date, or,
    for a date nearer the book's opening than today, the lines up to it: one grouped query
    either way, over the lines of the shorter side of the date, never the whole book per row.
    """
    model, kept_field, line_field = _PARTIES[party]
    today = timezone.localdate()
    kept = model.objects.filter(book=book, account__in=accounts)
    lines = JournalLine.objects.filter(
        book=book, account__in=accounts, **{f"{line_field}__isnull": False}
    )
    if member_ids is not None:
        kept = kept.filter(**{f"{kept_field}__in": member_ids})
        lines = lines.filter(**{f"{line_field}__in": member_ids})
    sums: dict[tuple[int, int], Decimal] = {}

    def add(rows, sign=1):
        for row in rows:
            key = (row["party"], row["account_id"])
            net = (row["debit"] or ZERO) - (row["credit"] or ZERO)
            sums[key] = sums.get(key, ZERO) + net * sign

    def grouped(queryset):
        return (
            queryset.order_by()
            .values("account_id", party=F(line_field))
            .annotate(debit=Sum("debit"), credit=Sum("credit"))
        )

    def balances():
        return kept.values("account_id", "debit", "credit", party=F(kept_field))

    if as_of is None or as_of >= today:
        add(balances())
    elif (as_of - book.opening_date) < (today - as_of):
        add(grouped(lines.filter(entry_date__lte=as_of)))
    else:
        add(balances())
        add(grouped(lines.filter(entry_date__gt=as_of)), sign=-1)
    return sums


def member_ksm_savings_totals(
    book: Book, accounts: list[Account], *, as_of: datetime.date | None = None, group_ids=None
) -> list[Decimal]:
    """What the book's member KSM (those of `group_ids` when given) hold per savings account
    on the date (a cooperative's or BUMDes's books; none in a KSM's): one grouped query."""
    if book.group_id:
        return [ZERO for _account in accounts]
    sums: dict[int, Decimal] = {}
    found = saver_sums(book, accounts, as_of, group_ids, party="group")
    for (_group, account_id), net in found.items():
        sums[account_id] = sums.get(account_id, ZERO) + net
    return [sums.get(account.pk, ZERO) * account.sign for account in accounts]


def members_savings(
    book: Book,
    members,
    accounts: list[Account],
    *,
    as_of: datetime.date | None = None,
    total_ids=None,
) -> tuple[list[MemberSavingsRow], list[Decimal]]:
    """Each member's balance per savings account on the date (today when none), one query
    for the page, and the totals per account (one grouped query) of the whole book, or of
    the members of `total_ids` when given."""
    ids = [member.pk for member in members]
    found = saver_sums(book, accounts, as_of, member_ids=ids) if ids else {}
    rows = [
        MemberSavingsRow(
            member,
            [found.get((member.pk, account.pk), ZERO) * account.sign for account in accounts],
        )
        for member in members
    ]
    sums: dict[int, Decimal] = {}
    for (_member, account_id), net in saver_sums(book, accounts, as_of, total_ids).items():
        sums[account_id] = sums.get(account_id, ZERO) + net
    totals = [sums.get(account.pk, ZERO) * account.sign for account in accounts]
    return rows, totals
