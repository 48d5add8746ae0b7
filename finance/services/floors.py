"""No impossible balance on any date: after an entry's lines and totals are written, under the
book's lock, Kas, each bank account (down to minus its overdraft limit) and each saver's savings
of each type stay at or above their floor at the end of the entry's date and of every later
date. Only what the entry lowers is read: one indexed read of the account's days (or the saver's
lines) from the entry's date on, against the kept total. The journal (posting.py) calls it."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from ..charts import SAVINGS_ROLES
from ..models import (
    FLOORED_ROLES,
    ZERO,
    Account,
    AccountDay,
    AccountMonth,
    Book,
    GroupBalance,
    JournalLine,
    MemberBalance,
)
from ..money import rupiah
from ..sql import date as sql_date
from ..sql import money as sql_money
from .lines import Line

BELOW_ZERO = "balance_below_zero"  # the code of a refusal that would overdraw on some date


def _lowest(total: Decimal, later_days: list[tuple], sign: int):
    """The lowest end-of-day balance over the given days (date, debit less credit), newest
    first, in the account's normal direction, with its date (the earliest, on a tie); `total`
    is the balance after the newest day. Each day's balance is the total less the days after
    it, so only the days from the entry's date on are read."""
    lowest = lowest_date = None
    after = ZERO
    for day, net in later_days:
        balance = (total - after) * sign
        if lowest is None or balance <= lowest:
            lowest, lowest_date = balance, sql_date(day)
        after += sql_money(net)
    return lowest, lowest_date


def _total_and_days(cursor, account_id: int, since: datetime.date | None) -> tuple:
    """A cash or bank account's balance now (its monthly totals) and its days from `since` on
    (all days without it), newest first, in one round trip."""
    days_filter = "" if since is None else " AND date >= %s"
    cursor.execute(
        f"SELECT NULL, SUM(debit) - SUM(credit) FROM {AccountMonth._meta.db_table} "
        f"WHERE account_id = %s UNION ALL SELECT date, debit - credit "
        f"FROM {AccountDay._meta.db_table} WHERE account_id = %s{days_filter}",
        [account_id, account_id] + ([] if since is None else [since]),
    )
    rows = cursor.fetchall()
    total = sql_money(next(net for day, net in rows if day is None))
    days = sorted(((day, net) for day, net in rows if day is not None), reverse=True)
    return total, days


def account_lowest_balance(account: Account) -> Decimal | None:
    """The lowest end-of-day balance a cash or bank account has had (None before any entry);
    call under the book's lock when a decision depends on it."""
    with connection.cursor() as cursor:
        total, days = _total_and_days(cursor, account.pk, None)
    return _lowest(total, days, account.sign)[0]


def _refuse(account: Account, name: str, day, balance: Decimal, floor: Decimal) -> None:
    values = {
        "account": name,
        "date": day.strftime("%d-%m-%Y"),
        "balance": rupiah(balance),
        "short": rupiah(floor - balance),
        "limit": rupiah(-floor),
    }
    if floor < 0:
        message = _(
            "The %(account)s balance on %(date)s would be %(balance)s, beyond the overdraft "
            "limit of %(limit)s: %(short)s short."
        )
    else:
        message = _("The %(account)s balance on %(date)s would be %(balance)s: %(short)s short.")
    raise ValidationError({"amount": ValidationError(message % values, code=BELOW_ZERO)})


@dataclass(frozen=True)
class _Floor:
    """A balance the entry lowers that must stay at or above its floor: a cash or bank
    account's (member and group None), or a saver's savings of one type."""

    account: Account
    member_id: int | None = None
    group_id: int | None = None


def lowered_floors(lines: list[Line]) -> list[_Floor]:
    """What the entry lowers among Kas, the bank accounts and the savers' savings; a saver's
    savings first (when a withdrawal fails both, the member's balance is the news)."""
    lowered: dict[_Floor, Decimal] = {}
    for line in lines:
        role = line.account.role
        if role in FLOORED_ROLES:
            key = _Floor(line.account)
        elif role in SAVINGS_ROLES and (line.member is not None or line.group is not None):
            key = _Floor(
                line.account,
                line.member.pk if line.member is not None else None,
                line.group.pk if line.group is not None else None,
            )
        else:
            continue
        lowered[key] = lowered.get(key, ZERO) + (line.debit - line.credit) * line.account.sign
    return sorted(
        (floor for floor, change in lowered.items() if change < 0),
        key=lambda f: (
            f.member_id is None and f.group_id is None,
            f.account.pk,
            f.member_id or 0,
            f.group_id or 0,
        ),
    )


def floors_sql(floors: list[_Floor], entry_date: datetime.date) -> tuple[list[str], list]:
    """SELECTs of (floor index, day, net, NULL) rows: each floor's kept total (day NULL) and its
    days from the entry's date on. One indexed read each, to be joined with UNION ALL."""
    parts, params = [], []
    for index, floor in enumerate(floors):
        if floor.member_id is None and floor.group_id is None:
            parts += [
                f"SELECT {index}, CAST(NULL AS date), SUM(debit) - SUM(credit), NULL "
                f"FROM {AccountMonth._meta.db_table} WHERE account_id = %s",
                f"SELECT {index}, date, debit - credit, NULL FROM {AccountDay._meta.db_table} "
                "WHERE account_id = %s AND date >= %s",
            ]
            params += [floor.account.pk, floor.account.pk, entry_date]
            continue
        saver, table, column, line_column = (
            (floor.member_id, MemberBalance._meta.db_table, "member_id", "member_id")
            if floor.member_id is not None
            else (floor.group_id, GroupBalance._meta.db_table, "group_id", "party_group_id")
        )
        parts += [
            f"SELECT {index}, CAST(NULL AS date), debit - credit, NULL FROM {table} "
            f"WHERE account_id = %s AND {column} = %s",
            f"SELECT {index}, entry_date, SUM(debit) - SUM(credit), NULL "
            f"FROM {JournalLine._meta.db_table} WHERE {line_column} = %s AND account_id = %s "
            "AND entry_date >= %s GROUP BY entry_date",
        ]
        params += [floor.account.pk, saver, saver, floor.account.pk, entry_date]
    return parts, params


def floors_refuse(
    floors: list[_Floor],
    rows: list[tuple],
    entry_date: datetime.date,
    lines: list[Line],
    *,
    own_lines_read: bool,
) -> None:
    """Refuse the entry when a lowered balance falls below its floor at the end of the entry's
    date or of any later date. `own_lines_read`: whether the savers' day rows include the
    entry's own lines (not when they were read in the statement that wrote them)."""
    totals: dict[int, Decimal] = {}
    days: dict[int, dict] = {}
    for index, day, net, _number in rows:
        if day is None:
            totals[index] = sql_money(net)
        else:
            days.setdefault(index, {})[sql_date(day)] = sql_money(net)
    for index, floor in enumerate(floors):
        account = floor.account
        saver = floor.member_id is not None or floor.group_id is not None
        these = days.get(index, {})
        if saver and not own_lines_read:
            own = sum(
                (
                    line.debit - line.credit
                    for line in lines
                    if line.account.pk == account.pk
                    and (line.member.pk if line.member is not None else None) == floor.member_id
                    and (line.group.pk if line.group is not None else None) == floor.group_id
                ),
                ZERO,
            )
            these[entry_date] = these.get(entry_date, ZERO) + own
        lowest, day = _lowest(
            totals.get(index, ZERO), sorted(these.items(), reverse=True), account.sign
        )
        floor_amount = ZERO if saver else -account.overdraft_limit
        if lowest is not None and lowest < floor_amount:
            name = (
                _saver_account_name(account, floor.member_id, floor.group_id, lines)
                if saver
                else account.name
            )
            _refuse(account, name, day, lowest, floor_amount)


def floors_check(book: Book, entry_date: datetime.date, lines: list[Line]) -> None:
    """After the entry's lines and totals are written, under the book's lock: Kas, each bank
    account (down to minus its overdraft limit) and each member's (or member KSM's) savings
    of each type stay at or above zero at the end of the entry's date and of every later
    date. Only what the entry lowers is read, in one query: one indexed read of the account's
    days (or the saver's lines) from the entry's date on, against the kept total."""
    floors = lowered_floors(lines)
    if not floors:
        return
    parts, params = floors_sql(floors, entry_date)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    floors_refuse(floors, rows, entry_date, lines, own_lines_read=True)


def _saver_account_name(account: Account, member_id, group_id, lines: list[Line]) -> str:
    for line in lines:
        if line.member is not None and line.member.pk == member_id:
            return f"{account.name} {line.member.full_name}"
        if line.group is not None and line.group.pk == group_id:
            return f"{account.name} {line.group.name}"
    return account.name
