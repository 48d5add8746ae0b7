"""Check that every book's invariants hold, whatever wrote to the tables.

The services keep these rules on every posting (and PostgreSQL's triggers and composite keys
keep some of them against any writer); this command is the auditor's independent check, for
SQLite, for data loaded past the services, and for the maintained totals:

- every entry has at least two lines and balances; each book's trial balance nets to zero;
- entry numbers run 1..N per book and year with no gap or duplicate, N being the number the
  book's sequence last handed out; each entry's year is its date's, and no entry is dated
  before its book opened;
- no entry dated in a closed month was posted while that month was closed (closing and
  reopening are read from the period's history, so an entry posted while the month was
  reopened passes);
- every line uses an account of its own book, carries its entry's book and date, and names a
  member when its account is a member sub-ledger;
- the maintained totals (AccountMonth per account and month, AccountDay per cash or bank
  account and day, MemberBalance per account and member, GroupBalance per account and member
  KSM, each loan's principal outstanding, interest, fines and write-off, read by the rules the
  loans module keeps them by) equal the sums of the lines;
- no running balance is impossible on any date: Kas, each bank account (beyond its overdraft
  limit) and each member's or member KSM's savings of each type never end a day below zero;
- each book's loans receivable (debits less credits of all its lines) equal the principal
  outstanding of the loans it lent: a line on loans receivable that carries no loan (a loan
  with no record, so missing from the loan card, the portfolio and the meeting sheet) shows.

It works at scale: books are read in chunks, every check is one aggregate query per chunk
(GROUP BY in the database), and only violations come back to Python.
"""

import datetime
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db.models import F, Sum
from django.db.models.functions import ExtractYear

from finance.charts import MEMBER_LEDGER_ROLES, SAVINGS_ROLES
from finance.models import (
    FLOORED_ROLES,
    LOAN_TOTAL_FIELDS,
    LOAN_TOTALS,
    Account,
    AccountDay,
    AccountMonth,
    Book,
    BookYear,
    FiscalPeriod,
    GroupBalance,
    JournalEntry,
    JournalLine,
    Loan,
    MemberBalance,
)
from finance.money import rupiah as _rupiah
from finance.sql import chunks as _chunks
from finance.sql import date as _date
from finance.sql import in_ as _in
from finance.sql import money as _money
from finance.sql import month_of as _month_of
from finance.sql import next_month as _next_month
from finance.sql import rows as _rows

CHUNK = 500  # books per round of queries
CENT_HALF = "0.005"  # sums on SQLite are floats: anything under half a cent is rounding
SHOWN = 10  # missing numbers listed per book and year

ENTRY = JournalEntry._meta.db_table
LINE = JournalLine._meta.db_table
ACCOUNT = Account._meta.db_table
ACCOUNT_MONTH = AccountMonth._meta.db_table
ACCOUNT_DAY = AccountDay._meta.db_table
LOAN = Loan._meta.db_table
MEMBER_BALANCE = MemberBalance._meta.db_table
GROUP_BALANCE = GroupBalance._meta.db_table
BOOK_YEAR = BookYear._meta.db_table


def rupiah(value) -> str:
    """An amount in this command's plain-text report: an ordinary space after Rp (a terminal
    or a grep reads it; a page's no-break space is for browsers)."""
    return _rupiah(value, plain=True)


@dataclass(frozen=True)
class Violation:
    book_id: int
    where: str  # an entry reference, an account, a year ...
    problem: str


def reference(year, number) -> str:
    return f"{year}/{number:05d}"


class BookChecker:
    """Runs every check over one chunk of books and collects what it finds."""

    def __init__(self, book_ids: list[int]):
        self.ids = book_ids
        self.violations: list[Violation] = []
        self.entries = 0
        self.lines = 0
        self._account_names: dict[int, str] = {}

    def run(self) -> list[Violation]:
        if not self.ids:
            return self.violations  # no books, nothing to check (and no "IN ()" to send)
        self.check_entries_balance()
        self.check_trial_balance()
        self.check_numbers()
        self.check_dates()
        self.check_closed_periods()
        self.check_line_accounts()
        self.check_lines_match_entries()
        self.check_member_lines()
        self.check_account_months()
        self.check_account_days()
        self.check_running_balances()
        self.check_member_balances()
        self.check_group_balances()
        self.check_loans()
        self.check_loans_receivable()
        return self.violations

    def add(self, book_id, where, problem):
        self.violations.append(Violation(book_id, where, problem))

    def account_name(self, account_id) -> str:
        if account_id not in self._account_names:
            account = Account.objects.filter(pk=account_id).values_list("code", "name").first()
            self._account_names[account_id] = (
                f"account {account[0]} {account[1]}" if account else f"account #{account_id}"
            )
        return self._account_names[account_id]

    # --- entries ---------------------------------------------------------------------------

    def check_entries_balance(self):
        rows = _rows(
            f"""
            SELECT e.book_id, e.year, e.number, COUNT(l.id),
                   COALESCE(SUM(l.debit), 0), COALESCE(SUM(l.credit), 0)
            FROM {ENTRY} e LEFT JOIN {LINE} l ON l.entry_id = e.id
            WHERE e.book_id IN {_in(self.ids)}
            GROUP BY e.book_id, e.id, e.year, e.number
            HAVING COUNT(l.id) < 2
                OR ABS(COALESCE(SUM(l.debit), 0) - COALESCE(SUM(l.credit), 0)) >= {CENT_HALF}
            ORDER BY e.book_id, e.year, e.number
            """,
            self.ids,
        )
        for book_id, year, number, count, debit, credit in rows:
            where = reference(year, number)
            if count < 2:
                self.add(book_id, where, f"has {count} line(s); an entry needs at least two")
            debit, credit = _money(debit), _money(credit)
            if debit != credit:
                self.add(
                    book_id,
                    where,
                    f"does not balance: debits {rupiah(debit)}, credits {rupiah(credit)}",
                )

    def check_trial_balance(self):
        rows = _rows(
            f"""
            SELECT book_id, COUNT(*), SUM(debit), SUM(credit) FROM {LINE}
            WHERE book_id IN {_in(self.ids)} GROUP BY book_id
            """,
            self.ids,
        )
        for book_id, count, debit, credit in rows:
            self.lines += count
            debit, credit = _money(debit), _money(credit)
            if debit != credit:
                self.add(
                    book_id,
                    "trial balance",
                    f"does not net to zero: debits {rupiah(debit)}, credits {rupiah(credit)}",
                )

    def check_numbers(self):
        rows = _rows(
            f"""
            SELECT book_id, year, COUNT(*), COUNT(DISTINCT number), MIN(number), MAX(number)
            FROM {ENTRY} WHERE book_id IN {_in(self.ids)}
            GROUP BY book_id, year ORDER BY book_id, year
            """,
            self.ids,
        )
        allocated = {
            (book_id, year): last
            for book_id, year, last in _rows(
                f"SELECT book_id, year, last_number FROM {BOOK_YEAR} "
                f"WHERE book_id IN {_in(self.ids)}",
                self.ids,
            )
        }
        for book_id, year, count, distinct, lowest, highest in rows:
            self.entries += count
            if count != distinct:
                self._report_duplicates(book_id, year)
            if lowest != 1 or highest != distinct:
                self._report_gaps(book_id, year, lowest, highest, distinct)
            last = allocated.pop((book_id, year), None)
            if last is None:
                self.add(book_id, str(year), "has entries but no number sequence")
            elif last != highest:
                self.add(
                    book_id,
                    str(year),
                    f"the sequence handed out numbers through {reference(year, last)} but the "
                    f"last entry is {reference(year, highest)}",
                )
        for (book_id, year), last in allocated.items():
            if last:
                self.add(
                    book_id,
                    str(year),
                    f"the sequence handed out numbers through {reference(year, last)} but the "
                    "year has no entries",
                )

    def _report_duplicates(self, book_id, year):
        rows = _rows(
            f"""
            SELECT number, COUNT(*) FROM {ENTRY} WHERE book_id = %s AND year = %s
            GROUP BY number HAVING COUNT(*) > 1 ORDER BY number
            """,
            [book_id, year],
        )
        for number, count in rows[:SHOWN]:
            self.add(book_id, reference(year, number), f"number is used by {count} entries")

    def _report_gaps(self, book_id, year, lowest, highest, distinct):
        missing = list(range(1, min(lowest, SHOWN + 1)))
        if len(missing) < SHOWN:
            # Numbers that are not followed by the next one: each starts a gap.
            starts = _rows(
                f"""
                SELECT e.number FROM {ENTRY} e
                WHERE e.book_id = %s AND e.year = %s AND e.number < %s AND NOT EXISTS (
                    SELECT 1 FROM {ENTRY} n
                    WHERE n.book_id = e.book_id AND n.year = e.year AND n.number = e.number + 1
                ) ORDER BY e.number
                """,
                [book_id, year, highest],
            )
            for (start,) in starts[:SHOWN]:
                missing.append(start + 1)
        shown = ", ".join(reference(year, number) for number in missing[:SHOWN])
        count = highest - distinct
        self.add(
            book_id,
            str(year),
            f"entry numbers are not gap-free: {count} missing between 1 and {highest} "
            f"(missing: {shown}{', ...' if count > SHOWN else ''})",
        )

    def check_dates(self):
        """Each entry is numbered in its date's year and dated on or after the books opened."""
        entries = JournalEntry.objects.filter(book_id__in=self.ids).order_by(
            "book_id", "year", "number"
        )
        for book_id, year, number, entry_date in entries.exclude(
            year=ExtractYear("entry_date")
        ).values_list("book_id", "year", "number", "entry_date"):
            self.add(
                book_id,
                reference(year, number),
                f"is numbered in {year} but dated {entry_date:%Y-%m-%d}",
            )
        for book_id, year, number, entry_date, opened in entries.filter(
            entry_date__lt=F("book__opening_date")
        ).values_list("book_id", "year", "number", "entry_date", "book__opening_date"):
            self.add(
                book_id,
                reference(year, number),
                f"is dated {entry_date:%Y-%m-%d}, before the books opened on {opened:%Y-%m-%d}",
            )

    # --- closed periods --------------------------------------------------------------------

    def check_closed_periods(self):
        """An entry dated in a month may be posted only while the month was open. One query
        finds the entries posted after their month's first close (normally none, or the few
        corrections made while it was reopened); for those, the closed spans are rebuilt from
        the period's history and its current row, so however a reopen is recorded
        (reopened_at, clearing closed_at, deleting the period) it counts."""
        periods, history = FiscalPeriod._meta.db_table, FiscalPeriod.history.model._meta.db_table
        candidates = [
            entry_id
            for (entry_id,) in _rows(
                f"""
                SELECT e.id FROM {ENTRY} e JOIN (
                    SELECT book_id, month, MIN(closed_at) AS first_close FROM (
                        SELECT book_id, month, closed_at FROM {periods}
                        WHERE book_id IN {_in(self.ids)} AND closed_at IS NOT NULL
                        UNION ALL
                        SELECT book_id, month, closed_at FROM {history}
                        WHERE book_id IN {_in(self.ids)} AND closed_at IS NOT NULL
                    ) closes GROUP BY book_id, month
                ) c ON c.book_id = e.book_id AND e.entry_date >= c.month
                    AND e.entry_date < {_next_month("c.month")} AND e.posted_at > c.first_close
                """,
                [*self.ids, *self.ids],
            )
        ]
        if not candidates:
            return
        entries = list(
            JournalEntry.objects.filter(pk__in=candidates)
            .order_by("book_id", "year", "number")
            .values_list("book_id", "year", "number", "entry_date", "posted_at")
        )
        books = {entry[0] for entry in entries}
        months = {entry[3].replace(day=1) for entry in entries}
        spans = {
            key: self._closed_spans(events)
            for key, events in self._period_history(books, months).items()
        }
        for book_id, year, number, entry_date, posted_at in entries:
            month = entry_date.replace(day=1)
            for closed, reopened in spans.get((book_id, month), ()):
                if closed < posted_at and (reopened is None or posted_at < reopened):
                    self.add(
                        book_id,
                        reference(year, number),
                        f"is dated {entry_date:%Y-%m-%d} but was posted at "
                        f"{posted_at:%Y-%m-%d %H:%M:%S}, after {month:%m-%Y} was closed at "
                        f"{closed:%Y-%m-%d %H:%M:%S}",
                    )
                    break

    def _period_history(self, books, months) -> dict[tuple[int, datetime.date], set]:
        """Every close and reopen of the given books' months, as (moment, what) events."""
        events: dict[tuple[int, datetime.date], set] = defaultdict(set)
        history = FiscalPeriod.history.filter(book_id__in=books, month__in=months).order_by(
            "book_id", "month", "history_date", "history_id"
        )
        previous = {}
        for row in history.values(
            "book_id", "month", "closed_at", "reopened_at", "history_date", "history_type"
        ):
            key = (row["book_id"], row["month"])
            self._period_events(events[key], row["closed_at"], row["reopened_at"])
            if row["history_type"] == "-" or (previous.get(key) and row["closed_at"] is None):
                events[key].add((row["history_date"], "reopen"))
            previous[key] = row["closed_at"] is not None and row["history_type"] != "-"
        current = FiscalPeriod.objects.filter(book_id__in=books, month__in=months)
        for book_id, month, closed_at, reopened_at in current.values_list(
            "book_id", "month", "closed_at", "reopened_at"
        ):
            self._period_events(events[(book_id, month)], closed_at, reopened_at)
        return events

    @staticmethod
    def _period_events(events: set, closed_at, reopened_at):
        if closed_at is not None:
            events.add((closed_at, "close"))
        if reopened_at is not None:
            events.add((reopened_at, "reopen"))

    @staticmethod
    def _closed_spans(events: set) -> list[tuple[datetime.datetime, datetime.datetime | None]]:
        spans, closed_since = [], None
        for moment, what in sorted(events):
            if what == "close" and closed_since is None:
                closed_since = moment
            elif what == "reopen" and closed_since is not None and moment > closed_since:
                spans.append((closed_since, moment))
                closed_since = None
        if closed_since is not None:
            spans.append((closed_since, None))
        return spans

    # --- lines -----------------------------------------------------------------------------

    def check_line_accounts(self):
        rows = _rows(
            f"""
            SELECT l.book_id, e.year, e.number, a.code, a.book_id
            FROM {LINE} l JOIN {ACCOUNT} a ON a.id = l.account_id
            LEFT JOIN {ENTRY} e ON e.id = l.entry_id
            WHERE l.book_id IN {_in(self.ids)} AND a.book_id <> l.book_id
            ORDER BY l.book_id, e.year, e.number
            """,
            self.ids,
        )
        for book_id, year, number, code, other_book in rows:
            self.add(
                book_id,
                reference(year, number),
                f"has a line on account {code} of another book (book {other_book})",
            )

    def check_lines_match_entries(self):
        columns = "l.id, l.book_id, l.entry_date, e.book_id, e.entry_date, e.year, e.number"
        mismatch = "(l.book_id <> e.book_id OR l.entry_date <> e.entry_date)"
        rows = _rows(
            f"""
            SELECT {columns} FROM {LINE} l JOIN {ENTRY} e ON e.id = l.entry_id
            WHERE l.book_id IN {_in(self.ids)} AND {mismatch}
            """,
            self.ids,
        )
        rows += _rows(
            f"""
            SELECT {columns} FROM {ENTRY} e JOIN {LINE} l ON l.entry_id = e.id
            WHERE e.book_id IN {_in(self.ids)} AND l.book_id NOT IN {_in(self.ids)}
                AND {mismatch}
            """,
            [*self.ids, *self.ids],
        )
        for _id, line_book, line_date, entry_book, entry_date, year, number in sorted(
            rows, key=lambda row: (row[3], row[5], row[6], row[0])
        ):
            line_date, entry_date = _date(line_date), _date(entry_date)
            if line_book != entry_book:
                self.add(
                    entry_book,
                    reference(year, number),
                    f"has a line recorded in book {line_book}, not the entry's book",
                )
            if line_date != entry_date:
                self.add(
                    entry_book,
                    reference(year, number),
                    f"has a line dated {line_date:%Y-%m-%d}; the entry is dated "
                    f"{entry_date:%Y-%m-%d}",
                )

    def check_member_lines(self):
        roles = list(MEMBER_LEDGER_ROLES)
        rows = _rows(
            f"""
            SELECT l.book_id, e.year, e.number, a.code
            FROM {LINE} l JOIN {ACCOUNT} a ON a.id = l.account_id
            JOIN {ENTRY} e ON e.id = l.entry_id
            WHERE l.book_id IN {_in(self.ids)} AND l.member_id IS NULL
                AND l.party_group_id IS NULL AND a.role IN {_in(roles)}
            ORDER BY l.book_id, e.year, e.number
            """,
            [*self.ids, *roles],
        )
        for book_id, year, number, code in rows:
            self.add(
                book_id,
                reference(year, number),
                f"has a line on member account {code} that names no member",
            )

    # --- maintained totals -----------------------------------------------------------------

    def _compare_totals(
        self,
        table: str,
        keys: tuple[str, ...],
        line_filter: str,
        kept: tuple[str, ...] = (),
        params=(),
    ):
        """Lines against a totals table in one pass: lines count in, kept totals count out,
        and whatever does not cancel is a difference."""
        line_keys = ", ".join(
            _month_of("l.entry_date") + " AS month" if key == "month" else f"l.{key}"
            for key in keys
        )
        kept_keys = ", ".join(f"t.{key}" for key in (kept or keys))
        group = ", ".join(keys)
        zero = "CAST(0 AS NUMERIC)"
        rows = _rows(
            f"""
            SELECT book_id, {group}, SUM(line_debit), SUM(line_credit),
                   SUM(kept_debit), SUM(kept_credit)
            FROM (
                SELECT l.book_id, {line_keys}, l.debit AS line_debit, l.credit AS line_credit,
                       {zero} AS kept_debit, {zero} AS kept_credit
                FROM {LINE} l WHERE l.book_id IN {_in(self.ids)} {line_filter}
                UNION ALL
                SELECT t.book_id, {kept_keys}, {zero}, {zero}, t.debit, t.credit
                FROM {table} t WHERE t.book_id IN {_in(self.ids)}
            ) totals
            GROUP BY book_id, {group}
            HAVING ABS(SUM(line_debit) - SUM(kept_debit)) >= {CENT_HALF}
                OR ABS(SUM(line_credit) - SUM(kept_credit)) >= {CENT_HALF}
            ORDER BY book_id, {group}
            """,
            [*self.ids, *params, *self.ids],
        )
        return rows

    def check_account_months(self):
        for book_id, account_id, month, ld, lc, kd, kc in self._compare_totals(
            ACCOUNT_MONTH, ("account_id", "month"), ""
        ):
            self.add(
                book_id,
                f"{self.account_name(account_id)}, {_date(month):%m-%Y}",
                "the kept monthly totals "
                f"(debit {rupiah(_money(kd))}, credit {rupiah(_money(kc))}) differ from its "
                f"lines (debit {rupiah(_money(ld))}, credit {rupiah(_money(lc))})",
            )

    def check_member_balances(self):
        for book_id, account_id, member_id, ld, lc, kd, kc in self._compare_totals(
            MEMBER_BALANCE, ("account_id", "member_id"), "AND l.member_id IS NOT NULL"
        ):
            self.add(
                book_id,
                f"{self.account_name(account_id)}, member #{member_id}",
                "the kept member balance "
                f"(debit {rupiah(_money(kd))}, credit {rupiah(_money(kc))}) differs from the "
                f"member's lines (debit {rupiah(_money(ld))}, credit {rupiah(_money(lc))})",
            )

    def check_group_balances(self):
        for book_id, account_id, group_id, ld, lc, kd, kc in self._compare_totals(
            GROUP_BALANCE,
            ("account_id", "party_group_id"),
            "AND l.party_group_id IS NOT NULL",
            kept=("account_id", "group_id"),
        ):
            self.add(
                book_id,
                f"{self.account_name(account_id)}, member KSM #{group_id}",
                "the kept balance "
                f"(debit {rupiah(_money(kd))}, credit {rupiah(_money(kc))}) differs from the "
                f"KSM's lines (debit {rupiah(_money(ld))}, credit {rupiah(_money(lc))})",
            )

    def check_account_days(self):
        roles = list(FLOORED_ROLES)
        line_filter = f"AND l.account_id IN (SELECT id FROM {ACCOUNT} WHERE role IN {_in(roles)})"
        for book_id, account_id, day, ld, lc, kd, kc in self._compare_totals(
            ACCOUNT_DAY,
            ("account_id", "entry_date"),
            line_filter,
            kept=("account_id", "date"),
            params=roles,
        ):
            self.add(
                book_id,
                f"{self.account_name(account_id)}, {_date(day):%d-%m-%Y}",
                "the kept daily totals "
                f"(debit {rupiah(_money(kd))}, credit {rupiah(_money(kc))}) differ from its "
                f"lines (debit {rupiah(_money(ld))}, credit {rupiah(_money(lc))})",
            )

    def check_running_balances(self):
        """Each cash and bank account's, and each saver's savings by type, end-of-day running
        balance from its lines (a window over the days), reported once per account (and
        saver): the lowest day below the floor, and how many days are."""
        floored, savings = list(FLOORED_ROLES), list(SAVINGS_ROLES)
        rows = _rows(
            f"""
            SELECT book_id, account_id, member_id, party_group_id, day, running, floor, days
            FROM (
                SELECT r.*, ROW_NUMBER() OVER (
                           PARTITION BY account_id, member_id, party_group_id
                           ORDER BY running, day) AS lowest,
                       COUNT(*) OVER (PARTITION BY account_id, member_id, party_group_id) AS days
                FROM (
                    SELECT d.book_id, d.account_id, d.member_id, d.party_group_id, d.day,
                           d.sign * SUM(d.net) OVER (
                               PARTITION BY d.account_id, d.member_id, d.party_group_id
                               ORDER BY d.day ROWS UNBOUNDED PRECEDING) AS running,
                           d.floor
                    FROM (
                        SELECT l.book_id, l.account_id,
                               CASE WHEN a.role IN {_in(savings)} THEN l.member_id END
                                   AS member_id,
                               CASE WHEN a.role IN {_in(savings)} THEN l.party_group_id END
                                   AS party_group_id,
                               l.entry_date AS day, SUM(l.debit) - SUM(l.credit) AS net,
                               CASE WHEN a.normal_balance = 'debit' THEN 1 ELSE -1 END AS sign,
                               CASE WHEN a.role IN {_in(floored)} THEN -a.overdraft_limit
                                    ELSE 0 END AS floor
                        FROM {LINE} l JOIN {ACCOUNT} a ON a.id = l.account_id
                        WHERE l.book_id IN {_in(self.ids)}
                            AND (a.role IN {_in(floored)} OR (a.role IN {_in(savings)}
                                AND (l.member_id IS NOT NULL OR l.party_group_id IS NOT NULL)))
                        GROUP BY l.book_id, l.account_id, 3, 4, l.entry_date, a.normal_balance,
                                 a.role, a.overdraft_limit
                    ) d
                ) r
                WHERE running < floor - {CENT_HALF}
            ) n
            WHERE lowest = 1
            ORDER BY book_id, account_id, member_id, party_group_id
            """,
            [*savings, *savings, *floored, *self.ids, *floored, *savings],
        )
        for book_id, account_id, member_id, group_id, day, running, floor, days in rows:
            where = self.account_name(account_id)
            if member_id is not None:
                where += f", member #{member_id}"
            if group_id is not None:
                where += f", member KSM #{group_id}"
            floor = _money(floor)
            limit = f" (overdraft limit {rupiah(-floor)})" if floor else ""
            self.add(
                book_id,
                where,
                f"runs below zero{limit} on {days} day(s); lowest "
                f"{rupiah(_money(running))} on {_date(day):%d-%m-%Y}",
            )

    def check_loans(self):
        """Each loan's running totals against its lines, read by the rules the loans module
        keeps them by (LOAN_TOTALS), in one aggregate query; a loan line in another book than
        its loan's; and no balance below zero."""
        sums, params = [], []
        for field in LOAN_TOTAL_FIELDS:
            cases = []
            for direction, rules in LOAN_TOTALS.items():
                for role, (name, sign) in rules.items():
                    if name == field:
                        cases.append(
                            f"WHEN n.direction = %s AND a.role = %s "
                            f"THEN (l.debit - l.credit) * {int(sign)}"
                        )
                        params += [str(direction), role]
            case = f"CASE {' '.join(cases)} ELSE 0 END" if cases else "0"
            sums.append(f"COALESCE(SUM({case}), 0) AS {field}")
        kept = ", ".join(f"n.{field}" for field in LOAN_TOTAL_FIELDS)
        found = ", ".join(f"COALESCE(s.{field}, 0)" for field in LOAN_TOTAL_FIELDS)
        differs = " OR ".join(
            f"ABS(n.{field} - COALESCE(s.{field}, 0)) >= {CENT_HALF}" for field in LOAN_TOTAL_FIELDS
        )
        rows = _rows(
            f"""
            SELECT n.book_id, n.number, {kept}, {found}, COALESCE(s.elsewhere, 0)
            FROM {LOAN} n LEFT JOIN (
                SELECT l.loan_id, {", ".join(sums)},
                       SUM(CASE WHEN l.book_id <> n.book_id THEN 1 ELSE 0 END) AS elsewhere
                FROM {LINE} l JOIN {ACCOUNT} a ON a.id = l.account_id
                JOIN {LOAN} n ON n.id = l.loan_id
                WHERE l.loan_id IS NOT NULL AND n.book_id IN {_in(self.ids)}
                GROUP BY l.loan_id
            ) s ON s.loan_id = n.id
            WHERE n.book_id IN {_in(self.ids)}
                AND ({differs} OR n.balance < 0 OR COALESCE(s.elsewhere, 0) > 0)
            ORDER BY n.book_id, n.number
            """,
            [*params, *self.ids, *self.ids],
        )
        count = len(LOAN_TOTAL_FIELDS)
        for book_id, number, *values in rows:
            reference = f"PJ-{number:04d}"
            kept_values = [_money(value) for value in values[:count]]
            line_values = [_money(value) for value in values[count : 2 * count]]
            if values[2 * count]:
                self.add(book_id, reference, "has lines in another book")
            for field, kept_value, line_value in zip(
                LOAN_TOTAL_FIELDS, kept_values, line_values, strict=True
            ):
                if kept_value != line_value:
                    self.add(
                        book_id,
                        reference,
                        f"keeps {field} {rupiah(kept_value)}; its lines give {rupiah(line_value)}",
                    )
            if kept_values[0] < 0:
                self.add(book_id, reference, "is repaid beyond what was lent")

    def check_loans_receivable(self):
        """The loans receivable account against the book's loans lent: together with each
        loan's own check above, this finds the lines that carry no loan record."""
        accounts = {}
        for book_id, account_id, debit, credit, bare in _rows(
            f"""
            SELECT l.book_id, MIN(a.id), SUM(l.debit), SUM(l.credit),
                   SUM(CASE WHEN l.loan_id IS NULL THEN 1 ELSE 0 END)
            FROM {LINE} l JOIN {ACCOUNT} a ON a.id = l.account_id
            WHERE l.book_id IN {_in(self.ids)} AND a.role = %s
            GROUP BY l.book_id
            """,
            [*self.ids, "loans_receivable"],
        ):
            accounts[book_id] = (_money(debit) - _money(credit), bare, account_id)
        lent = {
            book_id: _money(total)
            for book_id, total in Loan.objects.filter(
                book_id__in=self.ids, direction=Loan.Direction.RECEIVABLE
            )
            .values("book_id")
            .annotate(total=Sum("balance"))
            .values_list("book_id", "total")
            .order_by()
        }
        for book_id in sorted(accounts.keys() | lent.keys()):
            balance, bare, account_id = accounts.get(book_id, (Decimal("0.00"), 0, None))
            outstanding = lent.get(book_id, Decimal("0.00"))
            if balance == outstanding:
                continue
            where = self.account_name(account_id) if account_id else "loans receivable"
            problem = (
                f"stands at {rupiah(balance)} but the loans lent have {rupiah(outstanding)} "
                "of principal outstanding"
            )
            if bare:
                problem += f"; {bare} line(s) on it carry no loan"
            self.add(book_id, where, problem)


class Command(BaseCommand):
    help = (
        "Check every book's invariants: balanced entries, trial balance, gap-free numbers, "
        "closed periods, accounts of the line's own book, the maintained totals and loan "
        "records, and no cash, bank or savings balance below zero on any date. Exits "
        "non-zero with one line per violation."
    )

    def add_arguments(self, parser):
        parser.add_argument("--book", type=int, help="Check only the book with this id.")

    def handle(self, *args, **options):
        started = time.monotonic()
        books = Book.objects.order_by("pk")
        if options["book"] is not None:
            books = books.filter(pk=options["book"])
            if not books.exists():
                raise CommandError(f"There is no book with id {options['book']}.")
        book_count = entries = lines = 0
        violations: list[Violation] = []
        for chunk in _chunks(books.values_list("pk", flat=True).iterator(chunk_size=CHUNK), CHUNK):
            checker = BookChecker(chunk)
            violations += checker.run()
            book_count += len(chunk)
            entries += checker.entries
            lines += checker.lines
        seconds = time.monotonic() - started
        if not violations:
            self.stdout.write(
                f"verify_books: {book_count} book(s), {entries} entries, {lines} lines: "
                f"every invariant holds ({seconds:.1f} s)."
            )
            return
        names = {
            book.pk: str(book)
            for book in Book.objects.filter(pk__in={v.book_id for v in violations}).select_related(
                "group", "bumdes", "cooperative"
            )
        }
        for violation in violations:
            self.stdout.write(
                f"book {violation.book_id} ({names.get(violation.book_id, '?')}): "
                f"{violation.where}: {violation.problem}"
            )
        raise CommandError(
            f"verify_books: {len(violations)} violation(s) in "
            f"{len({v.book_id for v in violations})} of {book_count} book(s).",
            returncode=1,
        )
