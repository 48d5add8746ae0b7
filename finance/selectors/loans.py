"""Where loans stand: each loan's position on a date (from its schedule and its journal lines),
the loan card, and a book's portfolio with arrears by age and portfolio at risk (PAR).

Positions are read from the journal as of the date asked, so a report for a past date shows
that date's figures. A book's portfolio takes three queries whatever its size (its loans, their
schedules' instalments, their lines up to the date), then is worked out in Python per loan.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from ..models import ZERO, Instalment, JournalLine, Loan, LoanProduct, LoanSchedule, loan_deltas
from ..schedule import Position, position

AGE_BUCKETS = ((1, 30), (31, 60), (61, 90), (91, None))  # days past due, inclusive


@dataclass
class _Role:
    role: str


@dataclass
class _LineView:
    """Enough of a line for `loan_deltas` (account role, debit, credit)."""

    account: _Role
    debit: Decimal
    credit: Decimal


def _totals(loan: Loan, rows) -> dict[str, Decimal]:
    lines = [_LineView(_Role(r["account__role"]), r["debit"], r["credit"]) for r in rows]
    return loan_deltas(loan.direction, lines)


def schedule_in_use(schedules: list[LoanSchedule], on_date: datetime.date) -> LoanSchedule | None:
    """The version a position on the date is set against: the latest begun by then (the
    first before any has)."""
    chosen = None
    for schedule in sorted(schedules, key=lambda s: s.version):
        if chosen is None or schedule.start_date <= on_date:
            chosen = schedule
    return chosen


def positions(loans: list[Loan], on_date: datetime.date | None = None) -> dict[int, Position]:
    """Each disbursed loan's position on the date, keyed by loan id."""
    on_date = on_date or timezone.localdate()
    return positions_over(loans, [on_date])[on_date]


def positions_over(
    loans: list[Loan], dates: list[datetime.date], only: dict | None = None
) -> dict[datetime.date, dict[int, Position]]:
    """Each disbursed loan's position on each of these dates, from one reading of the loans'
    schedules, instalments and lines (the rollups read a book's loans month by month);
    `only` may name, per date, the loan ids wanted then."""
    result: dict[datetime.date, dict[int, Position]] = {day: {} for day in dates}
    if not dates:
        return result
    last = max(dates)
    loans = [loan for loan in loans if loan.disbursed_date and loan.disbursed_date <= last]
    if not loans:
        return result
    ids = [loan.pk for loan in loans]
    # The fine rules: from the loans where the caller selected them, else read once for all.
    products = {loan.product_id: loan.product for loan in loans if Loan.product.is_cached(loan)}
    missing = {loan.product_id for loan in loans if loan.product_id} - products.keys()
    if missing:
        products.update((p.pk, p) for p in LoanProduct.objects.filter(pk__in=missing))
    schedules = defaultdict(list)
    for schedule in LoanSchedule.objects.filter(loan_id__in=ids):
        schedules[schedule.loan_id].append(schedule)
    chosen_by_date = {
        day: {lid: schedule_in_use(rows, day) for lid, rows in schedules.items()} for day in dates
    }
    wanted = {s.pk for chosen in chosen_by_date.values() for s in chosen.values() if s}
    instalments = defaultdict(list)
    # By schedule and number without the model's ordering, which joins the schedule and the
    # loan to sort by the loan's book and number.
    for row in Instalment.objects.filter(schedule_id__in=wanted).order_by("schedule_id", "number"):
        instalments[row.schedule_id].append(row)
    all_lines = defaultdict(list)
    for row in (
        JournalLine.objects.filter(loan_id__in=ids, entry_date__lte=last)
        .values("loan_id", "entry_id", "entry_date", "account__role", "debit", "credit")
        .order_by("entry_date", "entry_id", "id")
    ):
        all_lines[row["loan_id"]].append(row)
    for on_date in dates:
        chosen = chosen_by_date[on_date]
        for loan in loans:
            if loan.disbursed_date > on_date or (only and loan.pk not in only[on_date]):
                continue
            schedule = chosen.get(loan.pk)
            if schedule is None:
                continue
            rows = [r for r in all_lines[loan.pk] if r["entry_date"] <= on_date]
            result[on_date][loan.pk] = _position(
                loan, schedule, rows, instalments[schedule.pk], products, on_date
            )
    return result


def _position(loan, schedule, rows, instalments, products, on_date) -> Position:
    totals = _totals(loan, rows)
    balance = totals.get("balance", ZERO)
    interest_paid = totals.get("interest_paid", ZERO)
    written_off = totals.get("written_off", ZERO)
    principal_paid = loan.principal - balance - written_off
    since = [r for r in rows if r["entry_date"] >= schedule.start_date]
    fines_paid = totals.get("fines_paid", ZERO)
    if schedule.version > 1:
        principal_paid -= schedule.principal_paid_before
        interest_paid -= schedule.interest_paid_before
        fines_paid -= schedule.fines_paid_before
    if schedule.prepayment_entry_id:
        # The prepayment itself (and what came before it that day) was set against the
        # version it replaced.
        since = [
            r
            for r in since
            if r["entry_date"] > schedule.start_date or r["entry_id"] > schedule.prepayment_entry_id
        ]
    payments = []
    by_entry: dict[int, list] = defaultdict(list)
    for row in since:
        by_entry[row["entry_id"]].append(row)
    for entry_rows in by_entry.values():
        deltas = _totals(loan, entry_rows)
        if deltas.get("written_off"):
            continue
        paid = -deltas.get("balance", ZERO) + deltas.get("interest_paid", ZERO)
        if paid > 0:
            payments.append((entry_rows[0]["entry_date"], paid))
    product = products.get(loan.product_id)
    return position(
        instalments=sorted(instalments, key=lambda i: i.number),
        on_date=on_date,
        balance=balance,
        principal_paid=max(principal_paid, ZERO),
        interest_paid=max(interest_paid, ZERO),
        fines_paid=fines_paid,
        payments=payments,
        fine_rule=product.fine_rule if product else "none",
        fine_value=product.fine_value if product else ZERO,
        grace_days=product.grace_days if product else 0,
    )


def loan_totals_on(loan: Loan, on_date: datetime.date) -> dict[str, Decimal]:
    """The loan's running totals (balance, interest_paid, fines_paid, written_off) from its
    journal lines through the date."""
    rows = (
        JournalLine.objects.filter(loan=loan, entry_date__lte=on_date)
        .values("account__role")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by()
    )
    return _totals(loan, rows)


def loan_position(loan: Loan, on_date: datetime.date | None = None) -> Position:
    on_date = on_date or timezone.localdate()
    found = positions([loan], on_date).get(loan.pk)
    if found is None:
        return position(
            instalments=[],
            on_date=on_date,
            balance=ZERO,
            principal_paid=ZERO,
            interest_paid=ZERO,
            fines_paid=ZERO,
            payments=[],
        )
    return found


@dataclass
class CardRow:
    entry_id: int
    entry_date: datetime.date
    reference: str
    description: str
    kind: str
    disbursed: Decimal = ZERO
    principal: Decimal = ZERO
    interest: Decimal = ZERO
    fine: Decimal = ZERO
    fee: Decimal = ZERO
    written_off: Decimal = ZERO
    balance: Decimal = ZERO


def loan_card(loan: Loan) -> list[CardRow]:
    """The loan's transactions from the journal, oldest first, with the principal owed after
    each: the kartu pinjaman."""
    rows: dict[int, CardRow] = {}
    lines = (
        JournalLine.objects.filter(loan=loan)
        .select_related("entry", "account")
        .order_by("entry_date", "entry_id", "id")
    )
    receivable = loan.is_receivable
    for line in lines:
        entry = line.entry
        row = rows.get(entry.pk)
        if row is None:
            row = rows[entry.pk] = CardRow(
                entry.pk, entry.entry_date, entry.reference, entry.description, entry.kind
            )
        role, amount = line.account.role, line.debit - line.credit
        if role in ("loans_receivable", "borrowings"):
            owed = amount if receivable else -amount
            if owed > 0:
                row.disbursed += owed
            elif entry.kind == "loan_write_off":
                row.written_off -= owed
            else:
                row.principal -= owed
        elif role in ("income_interest", "expense_interest"):
            row.interest += -amount if receivable else amount
        elif role in ("income_fines", "expense_other"):
            row.fine += -amount if receivable else amount
        elif role in ("income_admin", "expense_admin"):
            row.fee += -amount if receivable else amount
    balance = ZERO
    for row in rows.values():
        balance += row.disbursed - row.principal - row.written_off
        row.balance = balance
    return list(rows.values())


@dataclass
class Portfolio:
    on_date: datetime.date
    loans: list[tuple[Loan, Position]]
    count: int = 0
    outstanding: Decimal = ZERO
    due_this_month: Decimal = ZERO
    arrears: Decimal = ZERO
    by_age: list[dict] = field(default_factory=list)
    par1: Decimal | None = None
    par30: Decimal | None = None
    par90: Decimal | None = None


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.01"))


def portfolio(
    book,
    on_date: datetime.date | None = None,
    *,
    direction=Loan.Direction.RECEIVABLE,
    loans=None,
) -> Portfolio:
    """A book's loans outstanding on the date: totals, what falls due this month, arrears by
    age, and PAR 1/30/90 (the share of principal outstanding in loans more than 0, 30 or 90
    days past due). `loans` narrows the loans read (a user's sight in an entity's books)."""
    on_date = on_date or timezone.localdate()
    loans = list(
        (Loan.objects.all() if loans is None else loans)
        .filter(book=book, direction=direction, disbursed_date__lte=on_date)
        .filter(Q(closed_date__isnull=True) | Q(closed_date__gt=on_date))
        .select_related("member", "borrower_group", "product")
        .order_by("number")
    )
    found = positions(loans, on_date)
    report = Portfolio(on_date=on_date, loans=[])
    month_start = on_date.replace(day=1)
    next_month = (month_start + datetime.timedelta(days=32)).replace(day=1)
    buckets = [
        {"low": low, "high": high, "count": 0, "balance": ZERO, "arrears": ZERO}
        for low, high in AGE_BUCKETS
    ]
    at_risk = {1: ZERO, 30: ZERO, 90: ZERO}
    for loan in loans:
        pos = found.get(loan.pk)
        if pos is None or pos.balance <= 0:
            continue
        report.loans.append((loan, pos))
        report.count += 1
        report.outstanding += pos.balance
        report.arrears += pos.arrears
        report.due_this_month += sum(
            (s.unpaid for s in pos.instalments if month_start <= s.due_date < next_month), ZERO
        )
        dpd = pos.days_past_due
        for bucket in buckets:
            if dpd >= bucket["low"] and (bucket["high"] is None or dpd <= bucket["high"]):
                bucket["count"] += 1
                bucket["balance"] += pos.balance
                bucket["arrears"] += pos.arrears
        for days in at_risk:
            if dpd > (0 if days == 1 else days):
                at_risk[days] += pos.balance
    report.by_age = buckets
    report.par1 = _share(at_risk[1], report.outstanding)
    report.par30 = _share(at_risk[30], report.outstanding)
    report.par90 = _share(at_risk[90], report.outstanding)
    return report
