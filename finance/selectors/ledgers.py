"""Ledgers: the cash book, an account's general ledger, members' passbooks and savings."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, Sum, Window
from django.db.models.expressions import RowRange
from django.utils import timezone

from ..charts import SAVINGS_ROLES
from ..models import (
    ZERO,
    Account,
    Book,
    JournalLine,
    MemberBalance,
)
from ..models.books import GroupBalance
from .balances import account_totals

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
    book: Book, accounts: list[Account], *, as_of: datetime.date | None = None
) -> list[Decimal]:
    """What the book's member KSM hold per savings account on the date (a cooperative's or
    BUMDes's books; none in a KSM's): one grouped query."""
    if book.group_id:
        return [ZERO for _account in accounts]
    sums: dict[int, Decimal] = {}
    for (_group, account_id), net in saver_sums(book, accounts, as_of, party="group").items():
        sums[account_id] = sums.get(account_id, ZERO) + net
    return [sums.get(account.pk, ZERO) * account.sign for account in accounts]


def members_savings(
    book: Book, members, accounts: list[Account], *, as_of: datetime.date | None = None
) -> tuple[list[MemberSavingsRow], list[Decimal]]:
    """Each member's balance per savings account on the date (today when none), one query
    for the page, and the whole book's totals per account (one grouped query)."""
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
    for (_member, account_id), net in saver_sums(book, accounts, as_of).items():
        sums[account_id] = sums.get(account_id, ZERO) + net
    totals = [sums.get(account.pk, ZERO) * account.sign for account in accounts]
    return rows, totals
