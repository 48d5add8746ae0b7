"""The pilot goes on: the Batang demo's books from April 2018 to the last complete month.

`seed_demo` loads the pilot (2016 - March 2018) through the services, then calls
`demo_alive_load`, which lets the same KSM, BUMDes and cooperatives keep their books until the
last complete month before the day it runs, so that PAR, health, the agenda, the dashboard and
the reports show a programme that is alive on that day:

1. The pilot's loans still open in April 2018 (the late ones of 2017 among them, and the
   cooperatives' and BUMDes' loans to KSM on both sides) are paid off at the KSM's April 2018
   meeting, through `loan_repay`.
2. Every KSM's books go on from April 2018 in bulk, with demo/scale_books.py's simulator
   started from the book's real state: its cash and bank, each member's sukarela and whether
   they paid their pokok, the wajib of its savings rule, its loan product (or a new one), the
   next loan and entry numbers. Each month's meeting has one entry per member present (wajib,
   sukarela, the instalments due), members borrow and repay, about one borrower in eight falls
   behind; cash, bank, income and expenses between meetings. BUMDes and cooperatives get their
   business income and costs each month, bank interest, and the cooperatives the simpanan wajib
   of their member KSM each January.
3. Every KSM and BUMDes closes its years as `year_end_close` does: the income and expenses of
   each year to SHU Tahun Berjalan, then SHU Tahun Berjalan to SHU Ditahan, two entries dated
   31 December, numbered with the year's entries (those of 2016 and 2017 after the pilot's own:
   the reactivated books catch up on the closes the pilot left open). Their months are closed
   up to the last complete month (FiscalPeriod rows with their history, as `period_close`
   writes them); each KSM's members' meeting in the last February shares the year before's
   surplus (`surplus_distribute`, the members' shares to their sukarela).
4. The cooperatives close every month and year through `period_close` and `year_end_close`,
   and their RAT shares each year's surplus (`surplus_distribute`) the next February.
5. The dashboard's rollups are rebuilt for the demo's books.

The rows of step 2 go in by generate_scale's Loader (COPY on PostgreSQL, bulk_create
elsewhere, set-wise journal checks); what the posting service keeps (AccountMonth, AccountDay,
MemberBalance, GroupBalance, BookYear, the loans' totals) is derived from the lines and added
to the pilot's own rows. `verify_books` passes on the result.

Deterministic for a given last month: every book has its own random.Random seeded by the
demo's seed and its natural key. Idempotent: books that already have entries after March
2018 are left as they are.
"""

import datetime
import random
from collections import Counter, defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from demo.scale_books import OFFICERS, BookMaker, GroupSeed, _Entry, _Year
from finance.models import (
    Account,
    AccountDay,
    AccountMonth,
    AccountType,
    Book,
    BookYear,
    EntryKind,
    FiscalPeriod,
    GroupBalance,
    JournalEntry,
    Loan,
    LoanProduct,
    MemberBalance,
    SavingsRule,
    SurplusDistribution,
)
from finance.schedule import add_months
from finance.selectors.loans import loan_position
from finance.services import loan_repay, period_close, year_end_close
from finance.services.periods import next_month_to_close
from finance.services.surplus import surplus_distribute, year_surplus
from groups.models import CooperativeMembership, Membership
from ksm_portal.planner import analyze

ALIVE_FROM = datetime.date(2018, 4, 1)
SHARES = {
    "reserve_pct": Decimal(40),
    "members_pct": Decimal(40),
    "board_pct": Decimal(5),
    "staff_pct": Decimal(5),
    "education_pct": Decimal(5),
    "social_pct": Decimal(5),
}
RAT_DAY = (2, 24)  # the cooperatives' members' meeting, each February
# A KSM's members' meeting shares last year's SHU (its parts: reserve, by savings, by
# participation, board, social), the members' shares to their sukarela.
KSM_SHARES = {
    "reserve_pct": Decimal(25),
    "savings_pct": Decimal(40),
    "participation_pct": Decimal(20),
    "board_pct": Decimal(10),
    "social_pct": Decimal(5),
}
STRUGGLING = 0.08  # the share of members who fall behind with their loan
STRUGGLING_PAYS = 0.7  # how often they pay an instalment due all the same
APPLY_RATES = (0.02, 0.05)  # the chance that a member present applies for a loan
COOPERATIVE_WAJIB = 60_000  # a member KSM's simpanan wajib in its cooperative, each year


def last_complete_month(today: datetime.date) -> datetime.date:
    """The first day of the month before today's."""
    return add_months(today.replace(day=1), -1)


def month_end(month: datetime.date) -> datetime.date:
    return add_months(month, 1) - datetime.timedelta(days=1)


def months_between(first: datetime.date, last: datetime.date) -> int:
    """How many months from `first`'s to `last`'s, both counted."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


class MergingLoader:
    """generate_scale's Loader for the rows it writes; the maintained totals (which the pilot's
    books already hold rows of) are gathered and added to the existing rows at the end."""

    KEYS = {  # model: (key columns, book column, value columns) of the row tuples
        AccountMonth: ((0, 2), 1, (3, 4)),
        AccountDay: ((0, 2), 1, (3, 4)),
        MemberBalance: ((0, 1), 2, (3, 4)),
        GroupBalance: ((0, 1), 2, (3, 4)),
    }
    FIELDS = {
        AccountMonth: ("account_id", "month"),
        AccountDay: ("account_id", "date"),
        MemberBalance: ("account_id", "member_id"),
        GroupBalance: ("account_id", "group_id"),
    }

    def __init__(self, loader):
        self.loader = loader
        self.sums = defaultdict(dict)  # model: {key: [book, debit, credit]}
        self.years = {}  # (book, year): last number

    def new_id(self, model) -> int:
        return self.loader.new_id(model)

    def add(self, model, row: tuple) -> None:
        if model is BookYear:
            self.years[(row[0], row[1])] = row[2]
            return
        spec = self.KEYS.get(model)
        if spec is None:
            self.loader.add(model, row)
            return
        key_columns, book_column, (debit_column, credit_column) = spec
        key = tuple(row[i] for i in key_columns)
        found = self.sums[model].get(key)
        if found is None:
            self.sums[model][key] = [row[book_column], row[debit_column], row[credit_column]]
        else:
            found[1] += row[debit_column]
            found[2] += row[credit_column]

    def merge(self, book_ids: list[int]) -> None:
        """Add the gathered totals to the rows the books have, or make the rows: two
        statements run over the rows each (executemany), not an ORM object per row."""
        quote = connection.ops.quote_name
        for model, sums in self.sums.items():
            fields = self.FIELDS[model]
            columns = [model._meta.get_field(name).column for name in fields]
            table = quote(model._meta.db_table)
            key_is_date = model._meta.get_field(fields[1]).get_internal_type() == "DateField"
            existing = set(
                model.objects.filter(book_id__in=book_ids).values_list(*fields).iterator()
            )
            changed, new = [], []
            for key, (book_id, debit, credit) in sums.items():
                second = key[1].isoformat() if key_is_date else key[1]
                if key in existing:
                    changed.append((debit, credit, key[0], second))
                else:
                    new.append((key[0], second, book_id, debit, credit))
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET debit = debit + %s, credit = credit + %s "
                    f"WHERE {quote(columns[0])} = %s AND {quote(columns[1])} = %s",
                    changed,
                )
                cursor.executemany(
                    f"INSERT INTO {table} ({quote(columns[0])}, {quote(columns[1])}, book_id, "
                    "debit, credit) VALUES (%s, %s, %s, %s, %s)",
                    new,
                )
        existing = set(BookYear.objects.filter(book_id__in=book_ids).values_list("book_id", "year"))
        table = quote(BookYear._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET last_number = %s WHERE book_id = %s AND year = %s",
                [(last, *key) for key, last in self.years.items() if key in existing],
            )
            cursor.executemany(
                f"INSERT INTO {table} (book_id, year, last_number) VALUES (%s, %s, %s)",
                [(*key, last) for key, last in self.years.items() if key not in existing],
            )


def _continued(book_ids) -> set[int]:
    return set(
        JournalEntry.objects.filter(book_id__in=book_ids, entry_date__gte=ALIVE_FROM)
        .values_list("book_id", flat=True)
        .distinct()
    )


def demo_alive_load(*, actor, books, until: datetime.date, seed: int, progress=None) -> Counter:
    """Continue `books` (the pilot's) from April 2018 to the end of the month `until`."""
    from demo.management.commands.generate_scale import Loader

    progress = progress or (lambda text: None)
    created = Counter()
    until = until.replace(day=1)
    if until < ALIVE_FROM:
        return created
    books = list(
        Book.objects.filter(pk__in=[b.pk for b in books]).select_related(
            "group__village", "bumdes__village", "cooperative"
        )
    )
    done = _continued([b.pk for b in books])
    books = [b for b in books if b.pk not in done]
    if not books:
        return created
    created.update(_settle_pilot_loans(books, actor))
    progress(_("The pilot's loans settled in April 2018"))

    loader = Loader()
    merging = MergingLoader(loader)
    last_day = month_end(until)
    maker = BookMaker(
        merging, months=months_between(ALIVE_FROM, until), today=last_day, now=timezone.now()
    )
    maker.token_prefix = "demo"
    book_ids = [b.pk for b in books]
    state = _BookState(book_ids)
    state.last_year = last_closed_year(until)
    for book in sorted(books, key=_natural_key):
        rng = random.Random(f"{seed}:alive:{_natural_key(book)}")
        if book.group_id:
            _ksm_years(maker, state, book, rng)
        else:
            _entity_years(maker, state, book, rng, ALIVE_FROM, until)
    maker.posted_by = None
    created["year-end close"] += state.year_ends
    created["journal entry"] += maker.entries
    created["loan"] += loader.pending(Loan)
    created["meeting"] += loader.pending(_meeting_model())
    loader.flush()
    loader.finish()
    merging.merge(book_ids)
    # The closes below read what was just loaded (the years' surplus, the members' savings and
    # loans for the SHU): with the statistics of before, PostgreSQL scanned whole tables.
    analyze("finance", "groups")
    progress(
        _("The books from April 2018 to %(month)s: %(entries)s entries, %(lines)s lines")
        % {"month": until.strftime("%m-%Y"), "entries": maker.entries, "lines": maker.lines}
    )
    created.update(_ksm_bumdes_close([b for b in books if b.pk in state.ended], until))
    progress(
        _("The KSM and BUMDes books closed up to %(month)s, the KSM's surplus shared")
        % {"month": until.strftime("%m-%Y")}
    )
    created.update(_cooperatives_close(books, until))
    progress(_("The cooperatives' years closed, their surplus shared"))
    return created


def last_closed_year(until: datetime.date) -> int:
    """The last year whose December has ended by the end of the month `until`."""
    return until.year if until.month == 12 else until.year - 1


def _meeting_model():
    from finance.models import Meeting

    return Meeting


def _natural_key(book: Book) -> str:
    if book.group_id:
        return f"ksm:{book.group.village.code}:{book.group.registration_number}"
    if book.bumdes_id:
        return f"bumdes:{book.bumdes.village.code}"
    return f"cooperative:{book.cooperative.name}"


# --- 1. the pilot's open loans --------------------------------------------------------------


def _meeting_day(book: Book) -> int:
    return min(book.group.meeting_day or 10, 28) if book.group_id else 15


def _settle_pilot_loans(books, actor) -> Counter:
    """Every loan still open: paid off in April 2018 (a pair of a lender's and a borrower's
    loan on the same day, the lender's meeting day)."""
    from finance.demo_loans import treasurer_login

    created = Counter()
    by_pk = {b.pk: b for b in books}
    loans = (
        Loan.objects.filter(book_id__in=by_pk, status=Loan.Status.ACTIVE)
        .select_related("book__group__village", "book__bumdes", "book__cooperative")
        .order_by("book_id", "number")
    )
    settled = set()
    # Lenders' sides first, each with its borrower's side on the lender's day.
    loans = sorted(loans, key=lambda loan: loan.direction != Loan.Direction.RECEIVABLE)
    for loan in loans:
        if loan.pk in settled:
            continue
        day = ALIVE_FROM.replace(day=_meeting_day(loan.book))
        sides = [loan]
        if loan.counterpart_id:
            sides.append(Loan.objects.select_related("book").get(pk=loan.counterpart_id))
        for side in sides:
            settled.add(side.pk)
            side.refresh_from_db()
            owed = loan_position(side, day)
            if owed.payoff <= 0:
                continue
            money_in = side.direction == Loan.Direction.RECEIVABLE
            source = "cash"
            if side.book.bumdes_id and money_in:
                source = "bank"
            if not money_in and _balance(side.book, "cash") < owed.payoff:
                source = "bank"
            loan_repay(
                loan=side,
                amount=owed.payoff,
                paid_date=day,
                source=source,
                actor=(treasurer_login(side.book) if side.book.group_id else None) or actor,
            )
            created["journal entry"] += 1
    return created


def _balance(book: Book, role: str) -> int:
    sums = AccountMonth.objects.filter(book=book, account__role=role).aggregate(
        d=Sum("debit"), c=Sum("credit")
    )
    return int((sums["d"] or 0) - (sums["c"] or 0))


# --- 2. the books in bulk -------------------------------------------------------------------


class _BookState:
    """Where each book stands at the start of April 2018, read in a few set-wise queries."""

    def __init__(self, book_ids):
        self.accounts = defaultdict(dict)  # book: {role: account id}
        for book_id, role, pk in (
            Account.objects.filter(book_id__in=book_ids)
            .exclude(role="")
            .values_list("book_id", "role", "pk")
        ):
            self.accounts[book_id][role] = pk
        self.balances = defaultdict(int)  # account: debit - credit
        for account_id, debit, credit in (
            AccountMonth.objects.filter(book_id__in=book_ids)
            .values("account_id")
            .annotate(d=Sum("debit"), c=Sum("credit"))
            .values_list("account_id", "d", "c")
        ):
            self.balances[account_id] = int(debit - credit)
        self.members = defaultdict(int)  # (account, member): credit - debit
        for account_id, member_id, debit, credit in MemberBalance.objects.filter(
            book_id__in=book_ids
        ).values_list("account_id", "member_id", "debit", "credit"):
            self.members[(account_id, member_id)] = int(credit - debit)
        self.numbers = defaultdict(dict)
        for book_id, year, last in BookYear.objects.filter(book_id__in=book_ids).values_list(
            "book_id", "year", "last_number"
        ):
            self.numbers[book_id][year] = last
        self.loan_numbers = dict(
            Loan.objects.filter(book_id__in=book_ids)
            .values("book_id")
            .annotate(last=Max("number"))
            .values_list("book_id", "last")
        )

        # What the year-end closes move: each book's income and expense accounts, their
        # (and SHU Tahun Berjalan's) credit less debit per year in the books as they stand
        # (the pilot's and April 2018's settlements of its loans), and the
        # names of the two surplus accounts for the entries' descriptions.
        self.closing = defaultdict(list)  # book: [income and expense account ids]
        self.names = {}
        for book_id, pk, kind, role, name in (
            Account.objects.filter(book_id__in=book_ids, is_header=False)
            .filter(
                Q(type__in=(AccountType.INCOME, AccountType.EXPENSE))
                | Q(role__in=("current_surplus", "retained_surplus"))
            )
            .order_by("book_id", "code")
            .values_list("book_id", "pk", "type", "role", "name")
        ):
            if kind in (AccountType.INCOME, AccountType.EXPENSE):
                self.closing[book_id].append(pk)
            if role in ("current_surplus", "retained_surplus"):
                self.names[pk] = name
        self.pilot_years = defaultdict(int)  # (account, year): credit - debit
        for account_id, month, debit, credit in (
            AccountMonth.objects.filter(book_id__in=book_ids, account__is_header=False)
            .filter(
                Q(account__type__in=(AccountType.INCOME, AccountType.EXPENSE))
                | Q(account__role="current_surplus")
            )
            .values_list("account_id", "month", "debit", "credit")
        ):
            self.pilot_years[(account_id, month.year)] += int(credit - debit)
        self.last_year = None  # the last year to close, set by the loader
        self.year_ends = 0  # the years closed
        self.ended = set()  # the books whose years were closed (their months may close too)

    def balance(self, book_id, role) -> int:
        account_id = self.accounts[book_id].get(role)
        return self.balances.get(account_id, 0) if account_id else 0


def _year_ends(entries: list[_Entry], state: _BookState, book: Book) -> int:
    """Add to a book's simulated `entries` the closes of each year from its first open one to
    the last closed year, as `year_end_close` posts them: every income and expense account's
    credit less debit for the year (the pilot's months and the simulated ones) to SHU Tahun
    Berjalan, then SHU Tahun Berjalan to SHU Ditahan; both dated 31 December, after the day's
    other entries. Returns how many years it closed."""
    acc = state.accounts[book.pk]
    current, retained = acc.get("current_surplus"), acc.get("retained_surplus")
    if current is None or retained is None or state.last_year is None:
        return 0
    closing = state.closing[book.pk]
    wanted = set(closing) | {current}
    nets = defaultdict(int)
    for account_id in wanted:
        for year in range(book.opening_date.year, ALIVE_FROM.year + 1):
            nets[(account_id, year)] += state.pilot_years.get((account_id, year), 0)
    for entry in entries:
        year = None
        for line in entry.lines:
            if line[0] in wanted:
                year = year or datetime.date.fromordinal(entry.day).year
                nets[(line[0], year)] += line[4] - line[3]
    first = book.opening_date.year
    if book.closed_through:  # the first year whose December is open
        first = (book.closed_through + datetime.timedelta(days=1)).year
    carried, closed = 0, 0
    for year in range(first, state.last_year + 1):
        day = datetime.date(year, 12, 31).toordinal()
        lines, surplus = [], 0
        for account_id in closing:
            net = nets.get((account_id, year), 0)
            if net > 0:
                lines.append((account_id, None, None, net, 0, ""))
            elif net < 0:
                lines.append((account_id, None, None, 0, -net, ""))
            surplus += net
        carried += nets.get((current, year), 0)
        if lines:
            if surplus > 0:
                lines.append((current, None, None, 0, surplus, ""))
            elif surplus < 0:
                lines.append((current, None, None, -surplus, 0, ""))
            carried += surplus
            entries.append(
                _Entry(
                    day,
                    10**9,
                    EntryKind.YEAR_END,
                    _("Year-end close %(year)s: income and expenses to %(account)s")
                    % {"year": year, "account": state.names[current]},
                    lines,
                )
            )
        if carried:
            debit, credit = (current, retained) if carried > 0 else (retained, current)
            amount = abs(carried)
            entries.append(
                _Entry(
                    day,
                    10**9 + 1,
                    EntryKind.YEAR_END,
                    _("Year-end close %(year)s: %(from)s to %(to)s")
                    % {"year": year, "from": state.names[current], "to": state.names[retained]},
                    [(debit, None, None, amount, 0, ""), (credit, None, None, 0, amount, "")],
                )
            )
            carried = 0
        closed += 1
    state.year_ends += closed
    state.ended.add(book.pk)
    return closed


def _ksm_years(maker: BookMaker, state: _BookState, book: Book, rng: random.Random) -> None:
    from finance.demo_loans import treasurer_login

    group = book.group
    acc = state.accounts[book.pk]
    memberships = list(
        Membership.objects.active()
        .filter(group=group, joined_date__lt=ALIVE_FROM)
        .select_related("member")
        .order_by("joined_date", "member__nik")
    )
    officers = [m for m in memberships if m.role == Membership.Role.CHAIR]
    officers += [m for m in memberships if m.role == Membership.Role.SECRETARY]
    officers += [m for m in memberships if m.role == Membership.Role.TREASURER]
    others = [m for m in memberships if m not in officers]
    if len(officers) < OFFICERS or not officers or officers[0].role != Membership.Role.CHAIR:
        return
    start = ALIVE_FROM.toordinal()
    seed = GroupSeed(
        id=group.pk,
        start=start,
        reactivated=False,
        meeting_day=_meeting_day(book),
        members=[
            (m.member_id, min(m.joined_date.toordinal(), start), m.member.full_name)
            for m in officers + others
        ],
    )
    product = (
        LoanProduct.objects.filter(book=book, interest_method="flat", is_active=True)
        .order_by("pk")
        .first()
    )
    if product is None:
        product_id = maker.loader.new_id(LoanProduct)
        rate = "1.5"
        maker.loader.add(
            LoanProduct,
            (
                product_id,
                book.pk,
                "Pinjaman Usaha Anggota",
                "flat",
                rate,
                12,
                1,
                "none",
                0,
                0,
                0,
                True,
                maker.now,
            ),
        )
    else:
        product_id, rate = product.pk, str(product.monthly_rate.normalize())
    meetings = maker.meeting_dates(seed.meeting_day, maker.months)
    sim = _Year(maker, rng, seed, acc, meetings, ALIVE_FROM, rate)
    sim.grant_at_opening = False
    # Fewer fall behind than in generate_scale's books, and they catch up more often: the
    # pilot's portfolio at risk stays within what a programme lives with (PAR30 about 5-15%).
    sim.struggling = {m[0] for m in seed.members[OFFICERS:] if rng.random() < STRUGGLING}
    sim.struggling_pays = STRUGGLING_PAYS
    # Half as many loans as generate_scale's books: three or four open in a KSM at a time.
    sim.apply_rate = rng.uniform(*APPLY_RATES)
    sim.numbers_from = dict(state.numbers.get(book.pk, {}))
    sim.loan_numbers_from = state.loan_numbers.get(book.pk, 0)
    sim.cash = state.balance(book.pk, "cash")
    sim.bank = state.balance(book.pk, "bank")
    sim.banked = sim.banked or sim.bank > 0
    for member_id, _joined, _name in seed.members:
        if state.members.get((acc["savings_principal"], member_id), 0) > 0:
            sim.pokok_paid.add(member_id)
        held = state.members.get((acc["savings_voluntary"], member_id), 0)
        if held:
            sim.voluntary[member_id] = held
    rule = SavingsRule.objects.filter(book=book).order_by("-valid_from").first()
    if rule is not None:
        sim.wajib = int(rule.wajib) or sim.wajib
        sim.pokok = int(rule.pokok) or sim.pokok
    sim.run()
    _year_ends(sim.entries, state, book)
    user = treasurer_login(book)
    maker.posted_by = user.pk if user is not None else None
    maker._write(book.pk, seed, acc, product_id, rate, sim)


class _EntityYears:
    """A BUMDes's or cooperative's months: the units' takings and costs, cash above a float to
    the bank, the bank's interest; a cooperative's member KSM pay simpanan wajib in January."""

    def __init__(self, maker, rng, acc, numbers_from, member_groups):
        self.maker, self.rng, self.acc = maker, rng, acc
        self.entries: list[_Entry] = []
        self.loans: list = []
        self.meetings: list = []
        self.numbers_from = numbers_from
        self.member_groups = member_groups  # [(group id, name, joined ordinal)]
        self.seq = 0

    def _add(self, day, kind, description, lines) -> None:
        self.seq += 1
        self.entries.append(_Entry(day, self.seq, kind, description, lines))

    def run(self, cash: int, bank: int, first: datetime.date, last: datetime.date) -> None:
        rng, acc = self.rng, self.acc
        month = first
        while month <= last:
            day = month.replace(day=20).toordinal()
            if month.month == 1 and "savings_mandatory" in acc:
                for group_id, name, joined in self.member_groups:
                    if joined > day:
                        continue
                    self._add(
                        day - 10,
                        EntryKind.SAVINGS_DEPOSIT,
                        f"Simpanan wajib {month.year} {name}",
                        [
                            (acc["cash"], None, None, COOPERATIVE_WAJIB, 0, ""),
                            (
                                acc["savings_mandatory"],
                                None,
                                None,
                                0,
                                COOPERATIVE_WAJIB,
                                "",
                                group_id,
                            ),
                        ],
                    )
                    cash += COOPERATIVE_WAJIB
            takings = rng.randint(15, 60) * 100_000
            costs = takings * rng.randint(45, 85) // 100 // 10_000 * 10_000
            self._add(
                day,
                EntryKind.CASH_IN,
                "Pendapatan unit usaha bulan " + month.strftime("%m-%Y"),
                [
                    (acc["cash"], None, None, takings, 0, ""),
                    (acc["income_business"], None, None, 0, takings, ""),
                ],
            )
            self._add(
                day,
                EntryKind.CASH_OUT,
                "Biaya operasional unit usaha",
                [
                    (acc["expense_admin"], None, None, costs, 0, ""),
                    (acc["cash"], None, None, 0, costs, ""),
                ],
            )
            cash += takings - costs
            if cash > 3_000_000:
                amount = (cash - 1_000_000) // 100_000 * 100_000
                self._add(
                    day,
                    EntryKind.BANK_TRANSFER,
                    "Setor kas ke bank",
                    [
                        (acc["bank"], None, None, amount, 0, ""),
                        (acc["cash"], None, None, 0, amount, ""),
                    ],
                )
                cash -= amount
                bank += amount
            if bank:
                interest = max(bank * 2 // 1000, 1)
                self._add(
                    month_end(month).toordinal(),
                    EntryKind.GENERAL,
                    "Bunga bank",
                    [
                        (acc["bank"], None, None, interest, 0, ""),
                        (acc["income_other"], None, None, 0, interest, ""),
                    ],
                )
                bank += interest
            month = add_months(month, 1)


def _entity_years(maker, state, book, rng, first, last) -> None:
    acc = state.accounts[book.pk]
    member_groups = []
    if book.cooperative_id:
        member_groups = [
            (m.group_id, m.group.name, m.joined_date.toordinal())
            for m in CooperativeMembership.objects.filter(
                cooperative_id=book.cooperative_id, left_date=None
            )
            .select_related("group")
            .order_by("group__registration_number", "group_id")
        ]
    sim = _EntityYears(maker, rng, acc, dict(state.numbers.get(book.pk, {})), member_groups)
    sim.run(state.balance(book.pk, "cash"), state.balance(book.pk, "bank"), first, last)
    if not book.cooperative_id:  # the cooperatives close through the services (step 4)
        _year_ends(sim.entries, state, book)
    maker.posted_by = None
    nobody = GroupSeed(id=None, start=0, reactivated=False, meeting_day=1, members=[(None, 0, "")])
    maker._write(book.pk, nobody, acc, None, None, sim)


# --- 3. the KSM's and BUMDes' closes ---------------------------------------------------------


def _close_months(books, through: datetime.date, now) -> int:
    """Close each book's open months up to the month `through`, as `period_close` records
    them (a FiscalPeriod row with its history, `closed_through` moved, with the book's
    history), in a few statements."""
    periods, moved = [], []
    for book in books:
        month = next_month_to_close(book)
        if month > through:
            continue
        while month <= through:
            periods.append(FiscalPeriod(book=book, month=month, closed_at=now))
            month = add_months(month, 1)
        book.closed_through = month_end(through)
        moved.append(book)
    bulk_create_with_history(periods, FiscalPeriod, batch_size=2000, default_date=now)
    bulk_update_with_history(moved, Book, ["closed_through"], batch_size=500, default_date=now)
    return len(periods)


def shared_year(until: datetime.date) -> int:
    """The year whose surplus the KSM have shared by the end of the month `until`: last
    year's once February has come, else the year before."""
    return until.year - 1 if until.month >= 2 else until.year - 2


def _ksm_bumdes_close(books, until: datetime.date) -> Counter:
    """The KSM and BUMDes books whose years were closed (their year-end entries are in
    already) close every month up to the end of the year whose surplus was shared by `until`;
    each KSM's members' meeting in the next February shares it, when it had one; then the
    months up to `until` close."""
    from finance.demo_loans import treasurer_login

    created = Counter()
    fresh = {b.pk: b for b in Book.objects.filter(pk__in=[b.pk for b in books])}
    owners = [fresh[b.pk] for b in books]
    year = shared_year(until)
    created["closed month"] += _close_months(owners, datetime.date(year, 12, 1), timezone.now())
    for book in sorted((b for b in owners if b.group_id), key=lambda b: b.pk):
        meeting = datetime.date(year + 1, 2, _meeting_day(book))
        if meeting > month_end(until) or meeting > timezone.localdate():
            continue
        if not book.closed_through or book.closed_through < datetime.date(year, 12, 31):
            continue  # opened after that year
        if year_surplus(book, year) <= 0:
            continue
        surplus_distribute(
            book=book,
            year=year,
            decided_date=meeting,
            shares_to=SurplusDistribution.SharesTo.VOLUNTARY,
            actor=treasurer_login(book),
            token=f"demo-shu-{book.pk}-{year}",
            **KSM_SHARES,
        )
        created["surplus distribution"] += 1
    created["closed month"] += _close_months(owners, until, timezone.now())
    return created


# --- 4. the cooperatives' closes and RAT ----------------------------------------------------


def _cooperatives_close(books, until: datetime.date) -> Counter:
    """Each cooperative closes every month up to `until` and every year before it; its RAT
    shares each closed year's surplus in the next February (once that month has come)."""
    created = Counter()
    for book in sorted((b for b in books if b.cooperative_id), key=lambda b: b.pk):
        book.refresh_from_db()
        month = (book.closed_through + datetime.timedelta(days=1)) if book.closed_through else None
        month = month or book.opening_date.replace(day=1)
        while month <= until:
            if month.month == 12:
                year_end_close(book=book, year=month.year, actor=None)
                created["year-end close"] += 1
                rat = datetime.date(month.year + 1, *RAT_DAY)
                if rat <= month_end(until) and year_surplus(book, month.year) > 0:
                    surplus_distribute(
                        book=book,
                        year=month.year,
                        decided_date=rat,
                        transactions_pct=Decimal(60),
                        **SHARES,
                    )
                    created["surplus distribution"] += 1
            else:
                period_close(book=book, month=month, actor=None)
            created["closed month"] += 1
            book.refresh_from_db()
            month = add_months(month, 1)
    return created
