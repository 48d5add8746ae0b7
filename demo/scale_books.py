"""The books of generate_scale's synthetic KSM: a year of monthly meetings, savings, loans, cash
and bank, written in bulk exactly as the posting services would have left them.

Each KSM's year is simulated in date order, the way its treasurer would have recorded it:

- the books open on the first day of the month of the first of `months` monthly meetings (on
  the KSM's meeting day; the last one on or before today);
- at each meeting, a member who joined pays simpanan pokok once (a savings deposit), then every
  member present has one meeting entry, as the meeting sheet posts it: wajib (with a catch-up of
  months missed, sometimes), sukarela in or out (a quarter of the members save), the loan's
  instalments fallen due (interest and principal, as `repayment_allocate` splits them) and now
  and then a meeting fine. The officers are always present; the others with the KSM's rate;
- loans are applied for, approved by the chair and disbursed at a meeting (from cash, or the
  bank when the box is short), on a loan product of the book (flat interest, a 1% admin fee, no
  late fines), with their schedule; about one borrower in eight falls behind;
- the meeting's refreshments are paid, cash above the box's float goes to the bank; between
  meetings come stationery, business income, officers' honoraria and the bank's interest;
- reactivated KSM often start with a grant (the revolving fund), paid into the bank.

What the posting service keeps is derived from the lines as they are written: entry numbers run
1..N per book and year in date order (BookYear.last_number is N), every line carries its entry's
book and date, AccountMonth, MemberBalance and each loan's running totals are the sums of its
lines, and paid-off loans are closed on the day of their last instalment. Cash and the bank
never go below zero and no member withdraws more than their balance. A Meeting row per meeting
records attendance and the cash before and after, like the meeting sheet (without its lines).

One KSM per run can get a big book: several years of the same (`big_book_months` meetings) plus
the sales and purchases of a village shop posted one by one, until the book has `big_book_lines`
lines: 200,000 over five years is about 40,000 a year, the busy book of bench/ledger.py.
"""

import calendar
import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from finance.charts import KSM_CHART
from finance.models import (
    FLOORED_ROLES,
    LOAN_TOTALS,
    Account,
    AccountDay,
    AccountMonth,
    Book,
    BookYear,
    EntryKind,
    GroupBalance,
    Instalment,
    JournalEntry,
    JournalLine,
    Loan,
    LoanProduct,
    LoanSchedule,
    Meeting,
    MemberBalance,
)
from finance.schedule import add_months, build_schedule

BIG_BOOK_KSM_NAME = "KSM Toko Sintetis"

# Money is simulated in whole rupiah (ints); every amount the services compute (interest,
# admin fee, instalments) comes out whole on these terms.
WAJIB_AMOUNTS = (5_000, 10_000, 10_000, 10_000, 15_000, 20_000, 25_000)
POKOK_AMOUNTS = (25_000, 50_000, 50_000, 100_000)
SUKARELA_BASES = (10_000, 20_000, 25_000, 50_000, 100_000)
MONTHLY_RATES = ("1.5", "2.0", "2.0", "2.5")
TERMS = (6, 10, 10, 12)
ADMIN_FEE_PERCENT = 1
LOAN_PURPOSES = (
    "Modal warung",
    "Modal dagang sayur",
    "Beli bibit dan pupuk",
    "Ternak kambing",
    "Modal usaha jahit",
    "Biaya sekolah anak",
    "Perbaikan rumah",
    "Modal usaha kue",
)
OFFICERS = 3  # the first members of each KSM: chair, secretary, treasurer (always present)


@dataclass
class GroupSeed:
    """What the books need of a generated KSM."""

    id: int
    start: int  # ordinal of the day it formed or was reactivated
    reactivated: bool
    meeting_day: int
    members: list = field(default_factory=list)  # (member id, joined ordinal, full name)


class Labels:
    """Descriptions as the services write them, in the portal's language, looked up once."""

    def __init__(self):
        with translation.override(settings.LANGUAGE_CODE):
            self.meeting = _("Monthly meeting %(date)s, %(member)s")
            self.deposit = _("%(account)s deposit, %(member)s")
            self.disbursed = _("Loan %(ref)s disbursed to %(party)s")
            self.fine = _("Meeting fine")
        pokok = next(row[1] for row in KSM_CHART if row[4] == "savings_principal")
        self.pokok = self.deposit.replace("%(account)s", pokok)


class _Entry:
    __slots__ = ("day", "description", "kind", "lines", "meeting", "seq")

    def __init__(self, day, seq, kind, description, lines, meeting=None):
        self.day, self.seq, self.kind = day, seq, kind
        self.description, self.lines, self.meeting = description, lines, meeting


class _Loan:
    __slots__ = ("disbursed", "id", "instalments", "member", "next", "number", "paid_on")

    def __init__(self, loan_id, number, member, disbursed, instalments):
        self.id, self.number, self.member = loan_id, number, member
        self.disbursed, self.instalments = disbursed, instalments
        self.next = 0  # the first instalment not yet paid
        self.paid_on = None


class BookMaker:
    """Adds the books of one KSM at a time to a generate_scale Loader."""

    def __init__(self, loader, *, months: int, today: datetime.date, now: datetime.datetime):
        self.loader = loader
        self.months = months
        self.today = today
        self.today_ordinal = today.toordinal()
        self.now = now
        self.labels = Labels()
        self.roles = {row[4]: index for index, row in enumerate(KSM_CHART) if row[4]}
        self.tz = timezone.get_current_timezone()
        self._dates: dict[int, datetime.date] = {}
        self._posted: dict[int, datetime.datetime] = {}
        self.entries = self.lines = 0
        self.book_ids: list[int] = []
        # Who posted the entries and recorded the meetings (None: the system), and the prefix
        # of the meetings' tokens: the demo's continued books set both per book.
        self.posted_by: int | None = None
        self.token_prefix = "sintetis"

    def earliest_opening(self, months: int | None = None) -> datetime.date:
        """The first day books of `months` meetings may open: their KSM started before it."""
        return add_months(self.today.replace(day=1), -(months or self.months))

    def meeting_dates(self, meeting_day: int, months: int) -> list[datetime.date]:
        last = self.today.replace(day=meeting_day)
        if meeting_day > self.today.day:
            last = add_months(last, -1)
        return [add_months(last, -back) for back in range(months - 1, -1, -1)]

    def _date(self, day: int) -> datetime.date:
        found = self._dates.get(day)
        if found is None:
            found = self._dates[day] = datetime.date.fromordinal(day)
        return found

    def _posted_at(self, day: int) -> datetime.datetime:
        """Posted in the evening of the entry's date, as a treasurer does after the meeting."""
        found = self._posted.get(day)
        if found is None:
            date = self._date(day)
            found = datetime.datetime(date.year, date.month, date.day, 19, 30, tzinfo=self.tz)
            self._posted[day] = found
        return found

    # --- one book ---------------------------------------------------------------------------

    def book(
        self, rng: random.Random, group: GroupSeed, *, big_book_lines: int = 0, months: int = 0
    ) -> None:
        """The books of one KSM: `months` meetings (the maker's by default), and the shop's
        entries up to `big_book_lines` lines when that is set."""
        loader, roles = self.loader, self.roles
        meetings = self.meeting_dates(group.meeting_day, months or self.months)
        opening = meetings[0].replace(day=1)
        book_id = loader.new_id(Book)
        self.book_ids.append(book_id)
        loader.add(Book, (book_id, group.id, None, None, opening, None, self.now))
        account_ids = self._chart(book_id)
        acc = {role: account_ids[index] for role, index in roles.items()}
        product_id = loader.new_id(LoanProduct)
        rate = rng.choice(MONTHLY_RATES)
        loader.add(
            LoanProduct,
            (
                product_id,
                book_id,
                "Pinjaman Anggota",
                "flat",
                rate,
                12,
                ADMIN_FEE_PERCENT,
                "none",
                0,
                0,
                0,
                True,
                self.now,
            ),
        )
        sim = _Year(self, rng, group, acc, meetings, opening, rate)
        sim.run()
        if big_book_lines:
            sim.shop(big_book_lines)
        self._write(book_id, group, acc, product_id, rate, sim)

    def _chart(self, book_id: int) -> list[int]:
        """The KSM chart as book_open makes it: headings first, then the accounts."""
        loader = self.loader
        ids = [0] * len(KSM_CHART)
        by_code = {}
        for headers in (True, False):
            for index, (code, name, type_, normal, role, parent, header) in enumerate(KSM_CHART):
                if header != headers:
                    continue
                account_id = ids[index] = loader.new_id(Account)
                by_code[code] = account_id
                loader.add(
                    Account,
                    (
                        account_id,
                        book_id,
                        code,
                        name,
                        type_,
                        normal,
                        by_code.get(parent),
                        role,
                        True,
                        header,
                        0,
                    ),
                )
        return ids

    def _write(self, book_id, group, acc, product_id, rate, sim: "_Year") -> None:
        """Number the entries in date order and write them with everything derived."""
        loader = self.loader
        add = loader.add
        new_entry_id = loader.new_id
        sim.entries.sort(key=lambda entry: (entry.day, entry.seq))
        role_of = {account_id: role for role, account_id in acc.items()}
        loan_rules = LOAN_TOTALS[Loan.Direction.RECEIVABLE]
        loan_totals: dict[int, dict[str, int]] = {}
        months: dict[tuple[int, datetime.date], list[int]] = {}
        floored = {acc[role] for role in FLOORED_ROLES if role in acc}
        days: dict[tuple[int, datetime.date], list[int]] = {}
        members: dict[tuple[int, int], list[int]] = {}
        groups: dict[tuple[int, int], list[int]] = {}
        numbers: dict[int, int] = dict(sim.numbers_from)  # year: the last number taken
        cash_id = acc["cash"]
        cash = 0
        meeting_cash: dict[int, list[int]] = {}  # meeting day: [cash before, in, out]
        month_of: dict[int, datetime.date] = {}
        lines_written = 0
        for entry in sim.entries:
            day = entry.day
            date = self._date(day)
            year = date.year
            number = numbers[year] = numbers.get(year, 0) + 1
            entry_id = new_entry_id(JournalEntry)
            add(
                JournalEntry,
                (
                    entry_id,
                    book_id,
                    year,
                    number,
                    date,
                    entry.description,
                    "",
                    entry.kind,
                    self.posted_by,
                    self._posted_at(day),
                    None,
                    None,
                ),
            )
            if entry.meeting is not None and entry.meeting not in meeting_cash:
                meeting_cash[entry.meeting] = [cash, 0, 0]
            month = month_of.get(day)
            if month is None:
                month = month_of[day] = date.replace(day=1)
            for account_id, member_id, loan_id, debit, credit, memo, *party in entry.lines:
                party_id = party[0] if party else None  # a member KSM of a cooperative
                add(
                    JournalLine,
                    (
                        entry_id,
                        book_id,
                        date,
                        account_id,
                        member_id,
                        party_id,
                        loan_id,
                        debit,
                        credit,
                        memo,
                    ),
                )
                totals = months.get((account_id, month))
                if totals is None:
                    months[(account_id, month)] = [debit, credit]
                else:
                    totals[0] += debit
                    totals[1] += credit
                if account_id in floored:
                    totals = days.setdefault((account_id, date), [0, 0])
                    totals[0] += debit
                    totals[1] += credit
                if member_id is not None:
                    totals = members.get((account_id, member_id))
                    if totals is None:
                        members[(account_id, member_id)] = [debit, credit]
                    else:
                        totals[0] += debit
                        totals[1] += credit
                if party_id is not None:
                    totals = groups.setdefault((account_id, party_id), [0, 0])
                    totals[0] += debit
                    totals[1] += credit
                if loan_id is not None:
                    rule = loan_rules.get(role_of[account_id])
                    if rule is not None:
                        kept = loan_totals.setdefault(loan_id, {})
                        name, sign = rule
                        kept[name] = kept.get(name, 0) + (debit - credit) * sign
                if account_id == cash_id:
                    cash += debit - credit
                    if entry.meeting is not None:
                        meeting_cash[entry.meeting][1 if debit else 2] += debit or credit
            lines_written += len(entry.lines)
        self.entries += len(sim.entries)
        self.lines += lines_written
        for year, last in numbers.items():
            if last != sim.numbers_from.get(year):
                add(BookYear, (book_id, year, last))
        for (account_id, month), (debit, credit) in months.items():
            add(AccountMonth, (account_id, book_id, month, debit, credit))
        for (account_id, date), (debit, credit) in days.items():
            add(AccountDay, (account_id, book_id, date, debit, credit))
        for (account_id, member_id), (debit, credit) in members.items():
            add(MemberBalance, (account_id, member_id, book_id, debit, credit))
        for (account_id, party_id), (debit, credit) in groups.items():
            add(GroupBalance, (account_id, party_id, book_id, debit, credit))
        self._loans(book_id, group, product_id, rate, sim, loan_totals)
        self._meetings(book_id, group, sim, meeting_cash)

    def _loans(self, book_id, group, product_id, rate, sim: "_Year", loan_totals) -> None:
        add, new_id = self.loader.add, self.loader.new_id
        chair = group.members[0][0]
        for loan in sim.loans:
            totals = loan_totals[loan.id]
            balance = totals.get("balance", 0)
            principal = sum(row[1] for row in loan.instalments)
            term = len(loan.instalments)
            disbursed = self._date(loan.disbursed)
            paid = balance == 0
            add(
                Loan,
                (
                    loan.id,
                    book_id,
                    loan.number,
                    Loan.Direction.RECEIVABLE,
                    product_id,
                    loan.member,
                    None,
                    "",
                    "",
                    None,
                    sim.rng.choice(LOAN_PURPOSES),
                    principal,
                    "flat",
                    rate,
                    term,
                    principal * ADMIN_FEE_PERCENT // 100,
                    Loan.Status.PAID if paid else Loan.Status.ACTIVE,
                    disbursed,
                    disbursed,
                    chair,
                    "",
                    disbursed,
                    self._date(loan.paid_on) if paid else None,
                    balance,
                    totals.get("interest_paid", 0),
                    totals.get("fines_paid", 0),
                    totals.get("written_off", 0),
                    self._posted_at(loan.disbursed),
                    None,
                ),
            )
            schedule_id = new_id(LoanSchedule)
            add(
                LoanSchedule,
                (
                    schedule_id,
                    loan.id,
                    1,
                    disbursed,
                    principal,
                    "flat",
                    rate,
                    term,
                    0,
                    0,
                    0,
                    None,
                    "",
                    self._posted_at(loan.disbursed),
                    None,
                ),
            )
            for number, (due, part, interest) in enumerate(loan.instalments, start=1):
                add(Instalment, (schedule_id, number, self._date(due), part, interest))

    def _meetings(self, book_id, group, sim: "_Year", meeting_cash) -> None:
        add = self.loader.add
        for day, expected, present in sim.meetings:
            before, money_in, money_out = meeting_cash.get(day, (0, 0, 0))
            add(
                Meeting,
                (
                    group.id,
                    book_id,
                    self._date(day),
                    f"{self.token_prefix}-{book_id}-{day}",
                    expected,
                    present,
                    money_in,
                    money_out,
                    before,
                    before + money_in - money_out,
                    "",
                    self.posted_by,
                    self._posted_at(day),
                ),
            )


class _Year:
    """One KSM's year, simulated in date order; its entries are numbered afterwards."""

    def __init__(self, maker: BookMaker, rng, group: GroupSeed, acc, meetings, opening, rate):
        self.maker, self.rng, self.group, self.acc = maker, rng, group, acc
        self.meeting_days = [date.toordinal() for date in meetings]
        self.opening = opening.toordinal()
        self.rate = rate
        self.entries: list[_Entry] = []
        self.loans: list[_Loan] = []
        self.meetings: list[tuple[int, int, int]] = []  # (day, members expected, present)
        self.seq = 0
        self.cash = self.bank = 0
        # Where the books stand when the simulation starts: empty for a new book; the demo's
        # continued books start from the pilot's balances (demo/alive.py).
        self.numbers_from: dict[int, int] = {}  # year: the last entry number already taken
        self.pokok_paid: set[int] = set()
        self.voluntary: dict[int, int] = {}  # member: sukarela held
        self.loan_numbers_from = 0
        self.grant_at_opening = True
        labels = maker.labels
        self.meeting_label, self.pokok_label = labels.meeting, labels.pokok
        self.disbursed_label, self.fine_label = labels.disbursed, labels.fine
        # The KSM's habits.
        self.attendance = rng.uniform(0.72, 0.97)
        self.wajib = rng.choice(WAJIB_AMOUNTS)
        self.pokok = rng.choice(POKOK_AMOUNTS)
        self.banked = rng.random() < 0.6
        self.float = rng.randint(10, 30) * 100_000  # cash kept in the box
        self.apply_rate = rng.uniform(0.04, 0.1)
        self.trades = rng.random() < 0.35
        members = group.members
        self.savers = {m[0]: rng.choice(SUKARELA_BASES) for m in members if rng.random() < 0.25}
        self.struggling = {m[0] for m in members if rng.random() < 0.12}
        self.struggling_pays = 0.5  # how often one who struggles pays an instalment due

    def _add(self, day, kind, description, lines, meeting=None) -> None:
        self.seq += 1
        self.entries.append(_Entry(day, self.seq, kind, description, lines, meeting))

    def run(self) -> None:
        rng, acc, members = self.rng, self.acc, self.group.members
        cash_id = acc["cash"]
        if self.grant_at_opening and self.group.reactivated and rng.random() < 0.5:
            grant = rng.randint(10, 50) * 500_000
            self._add(
                self.opening,
                EntryKind.CASH_IN,
                "Hibah dana bergulir",
                [(cash_id, None, None, grant, 0, ""), (acc["grant"], None, None, 0, grant, "")],
            )
            self.cash += grant
            if self.banked:
                self._to_bank(self.opening, grant)
        pokok_paid = self.pokok_paid
        owed: dict[int, int] = {}  # wajib months missed
        voluntary = self.voluntary
        open_loans: dict[int, _Loan] = {}
        chair = members[0][0]
        days = self.meeting_days
        today = self.maker.today_ordinal
        for index, day in enumerate(days):
            date = self.maker._date(day)
            stamp = date.strftime("%d-%m-%Y")
            here = [m for m in members if m[1] <= day]
            # The officers (founders, first in the list) always come.
            present = [
                m
                for position, m in enumerate(here)
                if position < OFFICERS or rng.random() < self.attendance
            ]
            present_ids = {m[0] for m in present}
            self.meetings.append((day, len(here), len(present)))
            # Simpanan pokok, once, before the sheet.
            for member_id, _joined, name in present:
                if member_id not in pokok_paid:
                    pokok_paid.add(member_id)
                    self._add(
                        day,
                        EntryKind.SAVINGS_DEPOSIT,
                        self.pokok_label % {"member": name},
                        [
                            (cash_id, None, None, self.pokok, 0, ""),
                            (acc["savings_principal"], member_id, None, 0, self.pokok, ""),
                        ],
                    )
                    self.cash += self.pokok
            for member_id, _joined, _name in here:
                if member_id not in present_ids:
                    owed[member_id] = owed.get(member_id, 0) + 1
            # The meeting sheet: one entry per present member with money.
            for member_id, _joined, name in present:
                self._meeting_line(day, stamp, member_id, name, owed, voluntary, open_loans)
            # New loans, approved by the chair and paid out after the collection.
            for member_id, _joined, name in present:
                if member_id == chair or member_id in open_loans or rng.random() >= self.apply_rate:
                    continue
                loan = self._disburse(day, member_id, name)
                if loan is not None:
                    open_loans[member_id] = loan
            # Refreshments, then cash above the float to the bank.
            self._pay(day, "expense_meeting", rng.randint(5, 15) * 10_000, "Konsumsi rapat bulanan")
            if self.banked and self.cash > self.float + 500_000:
                self._to_bank(day, (self.cash - self.float) // 100_000 * 100_000)
            # Between this meeting and the next.
            until = days[index + 1] - 1 if index + 1 < len(days) else today
            if until > day:
                self._between(day + 1, until, index)

    def _meeting_line(self, day, stamp, member_id, name, owed, voluntary, open_loans) -> None:
        rng, acc = self.rng, self.acc
        months = 1
        if owed.get(member_id) and rng.random() < 0.5:
            months += owed.pop(member_id)
        mandatory = self.wajib * months
        saving_in = saving_out = 0
        base = self.savers.get(member_id)
        held = voluntary.get(member_id, 0)
        if base is not None:
            if rng.random() < 0.6:
                saving_in = base * rng.randint(1, 3)
            elif held and rng.random() < 0.1:
                saving_out = min(held, base * rng.randint(2, 6))
        principal = interest = 0
        loan = open_loans.get(member_id)
        if loan is not None:
            due = loan.next
            while due < len(loan.instalments) and loan.instalments[due][0] <= day:
                due += 1
            if member_id in self.struggling and due > loan.next:
                due = loan.next + 1 if rng.random() < self.struggling_pays else loan.next
            for _due, part, part_interest in loan.instalments[loan.next : due]:
                principal += part
                interest += part_interest
            loan.next = due
            if due == len(loan.instalments):
                loan.paid_on = day
                del open_loans[member_id]
        fine = 2_000 if rng.random() < 0.03 else 0
        money_in = mandatory + saving_in + principal + interest + fine
        if saving_out > self.cash + money_in:  # the box cannot pay it yet: next meeting
            saving_out = 0
        lines = [(acc["cash"], None, None, money_in, 0, "")]
        lines.append((acc["savings_mandatory"], member_id, None, 0, mandatory, ""))
        if saving_in:
            lines.append((acc["savings_voluntary"], member_id, None, 0, saving_in, ""))
        if principal:
            lines.append((acc["loans_receivable"], member_id, loan.id, 0, principal, ""))
        if interest:
            lines.append((acc["income_interest"], None, loan.id, 0, interest, ""))
        if fine:
            lines.append((acc["income_fines"], None, None, 0, fine, self.fine_label))
        if saving_out:
            lines.append((acc["savings_voluntary"], member_id, None, saving_out, 0, ""))
            lines.append((acc["cash"], None, None, 0, saving_out, ""))
        voluntary[member_id] = held + saving_in - saving_out
        self.cash += money_in - saving_out
        self._add(
            day,
            EntryKind.MEETING,
            self.meeting_label % {"date": stamp, "member": name},
            lines,
            meeting=day,
        )

    def _disburse(self, day, member_id, name) -> _Loan | None:
        rng, acc = self.rng, self.acc
        principal = rng.randint(5, 50) * 100_000
        room = (self.cash + self.bank) * 8 // 10 // 100_000 * 100_000
        principal = min(principal, room)
        if principal < 500_000:
            return None
        fee = principal * ADMIN_FEE_PERCENT // 100
        paid_out = principal - fee
        if self.cash >= paid_out:
            source = "cash"
        elif self.bank >= paid_out:
            source = "bank"
        else:  # draw the shortfall from the bank first
            self._from_bank(day, (paid_out - self.cash + 99_999) // 100_000 * 100_000)
            source = "cash"
        number = self.loan_numbers_from + len(self.loans) + 1
        loan_id = self.maker.loader.new_id(Loan)
        term = rng.choice(TERMS)
        schedule = build_schedule(
            principal=Decimal(principal),
            monthly_rate=self.rate,
            term_months=term,
            method="flat",
            first_due_date=add_months(self.maker._date(day), 1),
        )
        instalments = [
            (row.due_date.toordinal(), int(row.principal), int(row.interest)) for row in schedule
        ]
        loan = _Loan(loan_id, number, member_id, day, instalments)
        self.loans.append(loan)
        self._add(
            day,
            EntryKind.LOAN_DISBURSEMENT,
            self.disbursed_label % {"ref": f"PJ-{number:04d}", "party": name},
            [
                (acc["loans_receivable"], member_id, loan_id, principal, 0, ""),
                (acc[source], None, loan_id, 0, paid_out, ""),
                (acc["income_admin"], None, loan_id, 0, fee, ""),
            ],
        )
        if source == "cash":
            self.cash -= paid_out
        else:
            self.bank -= paid_out
        return loan

    def _pay(self, day, role, amount, description) -> None:
        if amount > self.cash:
            return
        acc = self.acc
        self._add(
            day,
            EntryKind.CASH_OUT,
            description,
            [(acc[role], None, None, amount, 0, ""), (acc["cash"], None, None, 0, amount, "")],
        )
        self.cash -= amount

    def _receive(self, day, role, amount, description) -> None:
        acc = self.acc
        self._add(
            day,
            EntryKind.CASH_IN,
            description,
            [(acc["cash"], None, None, amount, 0, ""), (acc[role], None, None, 0, amount, "")],
        )
        self.cash += amount

    def _to_bank(self, day, amount) -> None:
        acc = self.acc
        self._add(
            day,
            EntryKind.BANK_TRANSFER,
            "Setor kas ke bank",
            [(acc["bank"], None, None, amount, 0, ""), (acc["cash"], None, None, 0, amount, "")],
        )
        self.cash -= amount
        self.bank += amount

    def _from_bank(self, day, amount) -> None:
        acc = self.acc
        amount = min(amount, self.bank)
        if amount <= 0:
            return
        self._add(
            day,
            EntryKind.BANK_TRANSFER,
            "Tarik tunai dari bank",
            [(acc["cash"], None, None, amount, 0, ""), (acc["bank"], None, None, 0, amount, "")],
        )
        self.cash += amount
        self.bank -= amount

    def _between(self, first, last, index) -> None:
        """What happens between two meetings, in date order (so that nothing is paid with money
        that comes in later): stationery, business income, honoraria, the bank's interest at
        the month's end."""
        rng, acc = self.rng, self.acc
        events = []
        if rng.random() < 0.3:
            amount = rng.randint(5, 30) * 5_000
            events.append((rng.randint(first, last), 1, "expense_admin", amount, "Pembelian ATK"))
        if self.trades and rng.random() < 0.5:
            amount = rng.randint(2, 20) * 50_000
            events.append(
                (rng.randint(first, last), 0, "income_business", amount, "Hasil usaha bersama")
            )
        if index % 6 == 5:
            amount = OFFICERS * rng.randint(5, 10) * 10_000
            events.append(
                (rng.randint(first, last), 1, "expense_honorarium", amount, "Honor pengurus")
            )
        date = self.maker._date(first)
        month_end = date.replace(day=calendar.monthrange(date.year, date.month)[1]).toordinal()
        if first <= month_end <= last:
            events.append((month_end, 2, "income_other", 0, "Bunga bank"))
        for day, what, role, amount, description in sorted(events):
            if what == 0:
                self._receive(day, role, amount, description)
            elif what == 1:
                self._pay(day, role, amount, description)
            elif self.bank:
                interest = max(self.bank * 2 // 1000, 1)
                self._add(
                    day,
                    EntryKind.GENERAL,
                    description,
                    [
                        (acc["bank"], None, None, interest, 0, ""),
                        (acc[role], None, None, 0, interest, ""),
                    ],
                )
                self.bank += interest

    def shop(self, target_lines: int) -> None:
        """A village shop's takings and purchases, posted one by one, day after day, until the
        book has `target_lines` lines. Each day's purchases never exceed that day's takings and
        its surplus goes to the bank, so the shop alone never takes cash below zero."""
        rng, acc = self.rng, self.acc
        have = sum(len(entry.lines) for entry in self.entries)
        entries = max(target_lines - have, 0) // 2
        first, last = self.opening, self.maker.today_ordinal
        days = last - first + 1
        per_day, extra = divmod(entries, days)
        cash_id, bank_id = acc["cash"], acc["bank"]
        sales_id, stock_id = acc["income_business"], acc["expense_other"]
        for day in range(first, last + 1):
            count = per_day + (1 if day - first < extra else 0)
            if not count:
                continue
            purchases = count // 4
            sales = count - purchases - 1 if count > 2 else count - purchases
            taken = 0
            for _sale in range(sales):
                amount = rng.randint(1, 40) * 2_500
                taken += amount
                self._add(
                    day,
                    EntryKind.CASH_IN,
                    "Penjualan toko",
                    [(cash_id, None, None, amount, 0, ""), (sales_id, None, None, 0, amount, "")],
                )
            for _purchase in range(purchases):
                amount = min(rng.randint(1, 20) * 5_000, taken // 2)  # some takings stay
                taken -= amount
                self._add(
                    day,
                    EntryKind.CASH_OUT,
                    "Belanja barang dagangan",
                    [(stock_id, None, None, amount, 0, ""), (cash_id, None, None, 0, amount, "")],
                )
            if sales + purchases < count:
                self._add(
                    day,
                    EntryKind.BANK_TRANSFER,
                    "Setor hasil toko ke bank",
                    [(bank_id, None, None, taken, 0, ""), (cash_id, None, None, 0, taken, "")],
                )
