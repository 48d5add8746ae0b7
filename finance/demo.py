"""The demo's books: a year (2017) of a pilot KSM's bookkeeping, posted through the services.

`seed_demo` calls `demo_books_load` at the end of its load. Every KSM gets its books, opened on
1 January 2017 (a KSM formed later in 2017 opens them on the day it formed). Members who joined
before the books opened bring their savings in one opening entry (kind "opening"): cash and
perhaps a bank balance against each member's simpanan pokok, wajib and some sukarela, the
difference being SHU Ditahan. That is the reactivated KSM's cut-off, and a KSM formed in 2016
has one too, for the savings of its first months. Then, month by month at the group's meeting:
simpanan pokok of the members who joined since, simpanan wajib of the members present (one
entry per meeting, a line per member), sukarela in and now and then out (never beyond the
member's balance), business income, a few expenses (meeting snacks, ATK, honorarium), cash
paid into the bank once or twice, and quarterly bank interest. BUMDes and cooperatives get
their books with a little activity (capital or a grant, income, expenses).

Deterministic: each owner has its own random.Random seeded by the demo's seed and the owner's
natural key, so the same rows come out whatever else the database holds. Idempotent: an owner
that already has books is skipped. The amounts are plausible for Batang villages in 2017; the
descriptions are what a treasurer would write, in Bahasa Indonesia (they are the books' data).
"""

import datetime
import random
from collections import Counter
from decimal import Decimal

from django.utils.translation import gettext as _

from groups.models import Cooperative, Membership, SelfHelpGroup
from villages.models import Bumdes

from .models import Book, EntryKind
from .services import (
    Line,
    bank_transfer,
    book_open,
    cash_pay,
    cash_receive,
    journal_post,
    savings_deposit,
    savings_withdraw,
)
from .services.savings import savings_rule_set

BOOKS_OPEN = datetime.date(2017, 1, 1)
YEAR = 2017
YEAR_END = datetime.date(2017, 12, 31)
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus")
MONTHS += ("September", "Oktober", "November", "Desember")
PRINCIPAL = (10000, 20000, 25000, 50000)  # simpanan pokok, once, per group
MANDATORY = (5000, 10000, 10000, 15000, 20000)  # simpanan wajib a month, per group
BUSINESS = {
    SelfHelpGroup.Sector.AGRICULTURE: "Penjualan hasil panen kelompok",
    SelfHelpGroup.Sector.LIVESTOCK: "Penjualan kambing kelompok",
    SelfHelpGroup.Sector.FOOD_PROCESSING: "Penjualan keripik dan olahan pangan",
    SelfHelpGroup.Sector.TRADE: "Keuntungan warung kelompok",
    SelfHelpGroup.Sector.CRAFTS: "Penjualan kerajinan anyaman",
    SelfHelpGroup.Sector.SERVICES: "Jasa sewa tenda dan kursi",
    SelfHelpGroup.Sector.FISHERY: "Penjualan ikan kolam kelompok",
}


def _rp(value: int) -> Decimal:
    return Decimal(value)


def _thousands(rng: random.Random, low: int, high: int, step: int = 5) -> int:
    """A round amount between low and high thousand rupiah."""
    return rng.randrange(low, high + 1, step) * 1000


def demo_books_load(*, actor, groups, bumdes, cooperatives, seed: int, progress=None) -> Counter:
    """Open and fill the books of the given KSM, BUMDes and cooperatives that have none.
    Returns what it created, for seed_demo's summary; `progress(text)`, when given, hears
    how far it has come."""
    created = Counter()
    progress = progress or (lambda text: None)
    groups = SelfHelpGroup.objects.filter(pk__in=[g.pk for g in groups]).select_related("village")
    groups = sorted(groups, key=lambda g: (g.village.code, g.registration_number))
    bumdes = Bumdes.objects.filter(pk__in=[b.pk for b in bumdes]).select_related("village")
    cooperatives = Cooperative.objects.filter(pk__in=[c.pk for c in cooperatives])
    books = Book.objects.all()
    done = {
        "ksm": set(books.filter(group__in=groups).values_list("group_id", flat=True)),
        "bumdes": set(books.filter(bumdes__in=bumdes).values_list("bumdes_id", flat=True)),
        "cooperative": set(
            books.filter(cooperative__in=cooperatives).values_list("cooperative_id", flat=True)
        ),
    }
    for number, group in enumerate(groups, start=1):
        if group.pk not in done["ksm"]:
            rng = random.Random(f"{seed}:ksm:{group.village.code}:{group.registration_number}")
            created["book"] += 1
            created["journal entry"] += KsmYear(group, actor, rng).post()
        if number % 10 == 0 or number == len(groups):
            progress(
                _("KSM books 2017: %(done)s of %(all)s") % {"done": number, "all": len(groups)}
            )
    for unit in sorted(bumdes, key=lambda b: b.village.code):
        if unit.pk not in done["bumdes"]:
            rng = random.Random(f"{seed}:bumdes:{unit.village.code}")
            created["book"] += 1
            created["journal entry"] += _bumdes_year(unit, actor, rng)
    for cooperative in sorted(cooperatives, key=lambda c: c.name):
        if cooperative.pk not in done["cooperative"]:
            rng = random.Random(f"{seed}:cooperative:{cooperative.name}")
            created["book"] += 1
            created["journal entry"] += _cooperative_year(cooperative, actor, rng)
    from .demo_2018 import demo_2018_load
    from .demo_loans import demo_loans_load

    progress(_("BUMDes and cooperative books 2017"))
    created.update(demo_loans_load(actor=actor, seed=seed))
    progress(_("Loans"))
    created.update(demo_2018_load(actor=actor, seed=seed))
    progress(_("The books of 2018"))
    return created


class KsmYear:
    """One KSM's 2017, kept as a treasurer would: what is in the cash box, the bank and each
    member's sukarela is tracked, so nothing is paid out that is not there."""

    def __init__(self, group: SelfHelpGroup, actor, rng: random.Random):
        self.group, self.rng = group, rng
        self.opening = max(BOOKS_OPEN, group.formed_date)
        self.book = book_open(owner=group, opening_date=self.opening, actor=actor)
        self.accounts = {a.role: a for a in self.book.accounts.exclude(role="")}
        memberships = (
            Membership.objects.active()
            .filter(group=group)
            .select_related("member__user")
            .order_by("joined_date", "member__nik")
        )
        self.memberships = list(memberships)
        treasurer = next((m for m in self.memberships if m.role == Membership.Role.TREASURER), None)
        # The treasurer's own login posts, where the demo gave them one; else program staff.
        user = treasurer.member.user if treasurer else None
        self.actor = user if user is not None and user.is_active else actor
        self.cash = self.bank = 0
        self.voluntary: dict[int, int] = {}
        self.receipts = Counter()
        self.entries = 0
        self.principal = rng.choice(PRINCIPAL)
        self.mandatory = rng.choice(MANDATORY)
        # The group's own rule, as its AD/ART says: the meeting sheet prefills wajib from it.
        savings_rule_set(
            book=self.book,
            valid_from=self.opening,
            pokok=_rp(self.principal),
            wajib=_rp(self.mandatory),
        )

    def receipt(self, prefix: str) -> str:
        """BKM: bukti kas masuk (cash in), BKK: bukti kas keluar (cash out)."""
        self.receipts[prefix] += 1
        return f"{prefix}-{self.receipts[prefix]:03d}"

    def post(self) -> int:
        self.opening_balances()
        paid_principal = {m.member_id for m in self.memberships if m.joined_date < self.opening}
        for month in range(1, 13):
            day = datetime.date(YEAR, month, min(self.group.meeting_day or 1, 28))
            if day < self.opening:
                continue
            present = [m for m in self.memberships if m.joined_date <= day]
            joiners = [m for m in present if m.member_id not in paid_principal]
            if joiners:
                self.principal_deposits(day, joiners)
                paid_principal |= {m.member_id for m in joiners}
            if present:
                self.meeting_deposits(day, month, present)
                self.voluntary_withdrawal(day, present)
            self.income_and_expenses(day, month)
            if present:
                self.voluntary_between_meetings(day, present)
        return self.entries

    def journal(self, **kwargs):
        posted = journal_post(book=self.book, actor=self.actor, **kwargs)
        self.entries += 1
        return posted

    def opening_balances(self):
        """Savings brought forward by the members who joined before the books opened."""
        founders = [m for m in self.memberships if m.joined_date < self.opening]
        if not founders:
            return
        rng, lines, savings = self.rng, [], 0
        reactivated = self.group.origin == SelfHelpGroup.Origin.REACTIVATED
        for membership in founders:
            joined = membership.joined_date
            months = (self.opening.year - joined.year) * 12 + self.opening.month - joined.month
            if reactivated:  # the dormant years saved little: a few years at most
                months = min(months, rng.randint(6, 36))
            paid = max(1, round(months * rng.uniform(0.7, 1.0)))
            amounts = {
                "savings_principal": self.principal,
                "savings_mandatory": paid * self.mandatory,
                "savings_voluntary": _thousands(rng, 25, 500) if rng.random() < 0.4 else 0,
            }
            for role, amount in amounts.items():
                if amount:
                    lines.append(
                        Line(
                            account=self.accounts[role],
                            credit=_rp(amount),
                            member=membership.member,
                        )
                    )
                    savings += amount
            self.voluntary[membership.member_id] = amounts["savings_voluntary"]
        retained = int(round(savings * rng.uniform(0.0, 0.12), -3))
        assets = savings + retained
        self.bank = int(round(assets * rng.uniform(0.3, 0.7), -3)) if rng.random() < 0.4 else 0
        self.cash = assets - self.bank
        lines.insert(0, Line(account=self.accounts["cash"], debit=_rp(self.cash)))
        if self.bank:
            lines.insert(1, Line(account=self.accounts["bank"], debit=_rp(self.bank)))
        if retained:
            lines.append(Line(account=self.accounts["retained_surplus"], credit=_rp(retained)))
        self.journal(
            entry_date=self.opening,
            description=f"Saldo awal pembukuan per {self.opening:%d-%m-%Y}",
            lines=lines,
            kind=EntryKind.OPENING,
            receipt_ref="SA-001",
        )

    def principal_deposits(self, day, joiners):
        total = self.principal * len(joiners)
        self.journal(
            entry_date=day,
            description=f"Simpanan pokok anggota baru ({len(joiners)} orang)",
            lines=[
                Line(account=self.accounts["cash"], debit=_rp(total)),
                *(
                    Line(
                        account=self.accounts["savings_principal"],
                        credit=_rp(self.principal),
                        member=m.member,
                    )
                    for m in joiners
                ),
            ],
            kind=EntryKind.SAVINGS_DEPOSIT,
            receipt_ref=self.receipt("BKM"),
        )
        self.cash += total

    def meeting_deposits(self, day, month, present):
        """The monthly meeting's collection, on one receipt: simpanan wajib of every member
        who paid and sukarela of the few who brought some; a line per member and savings."""
        rng = self.rng
        payers = [m for m in present if rng.random() < 0.92] or present
        savers = rng.sample(present, min(len(present), rng.choice((0, 1, 1, 2, 3))))
        lines = [
            Line(
                account=self.accounts["savings_mandatory"],
                credit=_rp(self.mandatory),
                member=m.member,
            )
            for m in payers
        ]
        for membership in savers:
            amount = _thousands(rng, 10, 200)
            lines.append(
                Line(
                    account=self.accounts["savings_voluntary"],
                    credit=_rp(amount),
                    member=membership.member,
                )
            )
            self.add_voluntary(membership, amount)
        total = sum(line.credit for line in lines)
        self.journal(
            entry_date=day,
            description=f"Setoran simpanan pertemuan bulan {MONTHS[month - 1]} {YEAR}",
            lines=[Line(account=self.accounts["cash"], debit=total), *lines],
            kind=EntryKind.SAVINGS_DEPOSIT,
            receipt_ref=self.receipt("BKM"),
        )
        self.cash += int(total)

    def add_voluntary(self, membership, amount: int):
        self.voluntary[membership.member_id] = self.voluntary.get(membership.member_id, 0) + amount

    def voluntary_withdrawal(self, day, present):
        """Now and then a member takes sukarela out at the meeting: never beyond their
        balance, nor beyond the cash in the box."""
        rng = self.rng
        savers = [m for m in present if self.voluntary.get(m.member_id, 0) >= 20000]
        if savers and rng.random() < 0.3:
            membership = rng.choice(savers)
            balance = self.voluntary[membership.member_id]
            amount = min(balance, _thousands(rng, 10, 150), self.cash)
            if amount > 0:
                savings_withdraw(
                    book=self.book,
                    member=membership.member,
                    amount=amount,
                    entry_date=day,
                    receipt_ref=self.receipt("BKK"),
                    actor=self.actor,
                )
                self.entries += 1
                self.cash -= amount
                self.voluntary[membership.member_id] = balance - amount

    def voluntary_between_meetings(self, day, present):
        """Now and then a member brings sukarela to the treasurer's house before the next
        meeting (posted last in the month, so every running balance stays in date order)."""
        rng = self.rng
        if rng.random() < 0.25:
            membership = rng.choice(present)
            amount = _thousands(rng, 20, 300)
            savings_deposit(
                book=self.book,
                member=membership.member,
                savings_type="savings_voluntary",
                amount=amount,
                entry_date=min(day + datetime.timedelta(days=rng.randint(3, 20)), YEAR_END),
                receipt_ref=self.receipt("BKM"),
                actor=self.actor,
            )
            self.entries += 1
            self.cash += amount
            self.add_voluntary(membership, amount)

    def income_and_expenses(self, day, month):
        rng, book, actor = self.rng, self.book, self.actor
        business = BUSINESS.get(self.group.business_sector)
        if business and rng.random() < 0.6:
            amount = _thousands(rng, 50, 500, 10)
            cash_receive(
                book=book,
                source="income_business",
                amount=amount,
                entry_date=day,
                description=business,
                receipt_ref=self.receipt("BKM"),
                actor=actor,
            )
            self.entries += 1
            self.cash += amount
        expenses = []
        if rng.random() < 0.35:
            expenses.append(("expense_meeting", _thousands(rng, 15, 60), "Konsumsi rapat anggota"))
        if rng.random() < 0.15:
            expenses.append(
                ("expense_admin", _thousands(rng, 10, 75), "Pembelian buku kas dan ATK")
            )
        if month in (6, 12):
            expenses.append(
                ("expense_honorarium", _thousands(rng, 50, 150, 10), "Honor pengurus semester")
            )
        for category, amount, description in expenses:
            if amount <= self.cash:
                cash_pay(
                    book=book,
                    category=category,
                    amount=amount,
                    entry_date=day,
                    description=description,
                    receipt_ref=self.receipt("BKK"),
                    actor=actor,
                )
                self.entries += 1
                self.cash -= amount
        if self.cash > 1_500_000 and self.receipts["BANK"] < 2 and rng.random() < 0.5:
            amount = self.cash * 6 // 10 // 50_000 * 50_000
            bank_transfer(
                book=book,
                direction="to_bank",
                amount=amount,
                entry_date=day,
                description="Setor tunai ke rekening kelompok di BRI",
                receipt_ref=self.receipt("BANK"),
                actor=actor,
            )
            self.entries += 1
            self.cash -= amount
            self.bank += amount
        if self.bank and month % 3 == 0:
            interest = max(1000, int(round(self.bank * 0.005, -2)))
            last_day = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            self.journal(
                entry_date=last_day - datetime.timedelta(days=1),
                description=f"Bunga tabungan bank triwulan {month // 3}",
                lines=[
                    Line(account=self.accounts["bank"], debit=_rp(interest)),
                    Line(account=self.accounts["income_other"], credit=_rp(interest)),
                ],
                kind=EntryKind.GENERAL,
            )
            self.bank += interest


def _bumdes_year(unit: Bumdes, actor, rng: random.Random) -> int:
    """Village capital into the bank, cash drawn for the units, their takings and costs."""
    opening = max(BOOKS_OPEN, unit.established_date)
    book = book_open(owner=unit, opening_date=opening, actor=actor)
    accounts = {a.role: a for a in book.accounts.exclude(role="")}
    capital = _thousands(rng, 25_000, 100_000, 5_000)
    journal_post(
        book=book,
        entry_date=opening,
        description=f"Penyertaan modal desa dari Dana Desa {YEAR}",
        lines=[
            Line(account=accounts["bank"], debit=_rp(capital)),
            Line(account=accounts["village_capital"], credit=_rp(capital)),
        ],
        kind=EntryKind.GENERAL,
        actor=actor,
    )
    entries = 1
    quarter_days = [datetime.date(YEAR, month, 20) for month in (3, 6, 9, 12)]
    for day in (d for d in quarter_days if d >= opening):
        amount = _thousands(rng, 2_000, 5_000, 500)
        bank_transfer(
            book=book,
            direction="from_bank",
            amount=amount,
            entry_date=day,
            description="Tarik tunai untuk operasional unit usaha",
            actor=actor,
        )
        takings = _thousands(rng, 1_000, 4_000, 100)
        cash_receive(
            book=book,
            source="income_business",
            amount=takings,
            entry_date=day,
            description="Pendapatan unit usaha triwulan",
            actor=actor,
        )
        cost = min(_thousands(rng, 500, 2_500, 100), amount + takings)
        cash_pay(
            book=book,
            category="expense_admin",
            amount=cost,
            entry_date=day,
            description="Biaya administrasi dan operasional",
            actor=actor,
        )
        entries += 3
    return entries


def _cooperative_year(cooperative: Cooperative, actor, rng: random.Random) -> int:
    """A start-up grant and the cost of registering the legal entity."""
    opening = max(BOOKS_OPEN, cooperative.established_date)
    book = book_open(owner=cooperative, opening_date=opening, actor=actor)
    grant = _thousands(rng, 5_000, 15_000, 500)
    cash_receive(
        book=book,
        source="grant",
        amount=grant,
        entry_date=opening,
        description="Hibah modal awal koperasi dari program",
        actor=actor,
    )
    cash_pay(
        book=book,
        category="expense_admin",
        amount=_thousands(rng, 500, 1_500, 100),
        entry_date=opening,
        description="Biaya akta pendirian dan pengesahan badan hukum",
        actor=actor,
    )
    return 2
