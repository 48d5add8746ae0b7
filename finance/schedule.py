"""Instalment schedules and setting payments against them: pure functions, no database.

Rounding rules (stated here because treasurers check them by hand):
- Amounts are whole rupiah, rounded half up.
- Flat (*flat*): interest each month is the loan times the monthly rate; the principal of each
  instalment is the loan divided by the term, and the last instalment takes what rounding left,
  so the principal sums to the loan exactly.
- Declining balance (*menurun/efektif*): equal principal as above; each month's interest is the
  rate on the principal still owed at the start of that month. A partial prepayment (principal
  paid beyond the instalments payable now) replans the rest (`replan_after_prepayment`): the
  later instalments keep their numbers and due dates, the principal still owed is spread over
  them equally, and each one's interest is again the rate on what is owed at the start of its
  month, so interest follows the actual balance. Flat loans are not replanned.
- Instalments fall due monthly on the day of the first due date (the end of the month when a
  month is shorter).
- A repayment pays fines first, then the instalments in order, each one's interest and then
  its principal. Instalments fallen due and the current one (the next to fall due) are payable
  in full, so paying an instalment a few days early pays its interest; of later instalments
  only principal is taken. An early payoff is therefore the principal still owed plus the
  interest through the current instalment; later instalments' interest is not charged.
- For lateness, payments are set against instalments in order (each instalment's interest and
  principal together); an instalment is late from the day after it falls due until covered.
"""

import calendar
import datetime
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
RUPIAH = Decimal("1")
HUNDRED = Decimal("100")


def whole_rupiah(value: Decimal) -> Decimal:
    return value.quantize(RUPIAH, rounding=ROUND_HALF_UP)


def add_months(start: datetime.date, months: int) -> datetime.date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class PlannedInstalment:
    number: int
    due_date: datetime.date
    principal: Decimal
    interest: Decimal

    @property
    def amount(self) -> Decimal:
        return self.principal + self.interest


def build_schedule(
    *,
    principal: Decimal,
    monthly_rate: Decimal,
    term_months: int,
    method: str,
    first_due_date: datetime.date,
    extra_interest_first: Decimal = ZERO,
) -> list[PlannedInstalment]:
    """The instalments of a loan (or of the principal still owed, when rescheduling).
    `extra_interest_first` is interest already due and unpaid when a loan is rescheduled: it
    falls due with the first instalment of the new plan."""
    if term_months < 1:
        raise ValueError("term_months must be at least 1")
    rate = Decimal(monthly_rate) / HUNDRED
    each = whole_rupiah(principal / term_months)
    rows, owed = [], principal
    for number in range(1, term_months + 1):
        part = each if number < term_months else principal - each * (term_months - 1)
        part = min(part, owed) if number < term_months else owed
        interest = whole_rupiah(principal * rate) if method == "flat" else whole_rupiah(owed * rate)
        if number == 1:
            interest += extra_interest_first
        rows.append(
            PlannedInstalment(
                number=number,
                due_date=add_months(first_due_date, number - 1),
                principal=part,
                interest=interest,
            )
        )
        owed -= part
    return rows


@dataclass
class InstalmentState:
    number: int
    due_date: datetime.date
    principal: Decimal
    interest: Decimal
    paid: Decimal = ZERO  # of principal + interest
    covered_date: datetime.date | None = None
    interest_unpaid: Decimal = ZERO
    principal_unpaid: Decimal = ZERO
    chargeable: bool = True  # its interest is payable now (fallen due, or the current one)

    @property
    def amount(self) -> Decimal:
        return self.principal + self.interest

    @property
    def unpaid(self) -> Decimal:
        return self.amount - self.paid

    def is_late(self, on_date: datetime.date) -> bool:
        return self.unpaid > 0 and self.due_date < on_date


@dataclass
class Position:
    """Where a loan stands on a date against its schedule."""

    on_date: datetime.date
    instalments: list[InstalmentState]
    balance: Decimal  # principal outstanding
    interest_due: Decimal  # scheduled interest fallen due and not paid
    interest_current: Decimal  # ... and the interest of the instalment falling due next
    principal_due: Decimal  # scheduled principal fallen due and not paid
    fines_accrued: Decimal
    fines_due: Decimal
    days_past_due: int
    next_due: InstalmentState | None = None
    late: list[InstalmentState] = field(default_factory=list)

    @property
    def arrears(self) -> Decimal:
        return self.interest_due + self.principal_due

    @property
    def payoff(self) -> Decimal:
        """What closes the loan today: fines, interest through the current instalment, and
        all principal still owed. Later instalments' interest is not charged."""
        return self.fines_due + self.interest_current + self.balance


def position(
    *,
    instalments: list,
    on_date: datetime.date,
    balance: Decimal,
    principal_paid: Decimal,
    interest_paid: Decimal,
    fines_paid: Decimal,
    payments: list[tuple[datetime.date, Decimal]],
    fine_rule: str = "none",
    fine_value: Decimal = ZERO,
    grace_days: int = 0,
) -> Position:
    """Set what was paid against the instalments (each `instalments` item has number,
    due_date, principal, interest). `principal_paid` and `interest_paid` are what was paid
    against this schedule; `payments` the dated principal-and-interest amounts, oldest first,
    which say when each instalment was covered (for fines)."""
    states = [
        InstalmentState(i.number, i.due_date, Decimal(i.principal), Decimal(i.interest))
        for i in instalments
    ]
    # When was each instalment covered? Walk the dated payments.
    remaining = iter(states)
    current = next(remaining, None)
    for paid_on, amount in payments:
        while current is not None and amount > 0:
            take = min(amount, current.unpaid)
            current.paid += take
            amount -= take
            if current.unpaid == 0:
                current.covered_date = paid_on
                current = next(remaining, None)
            else:
                break
    # Interest paid covers the instalments' interest in order, principal paid their principal.
    interest_left, principal_left = interest_paid, principal_paid
    for state in states:
        take = min(interest_left, state.interest)
        state.interest_unpaid, interest_left = state.interest - take, interest_left - take
        take = min(principal_left, state.principal)
        state.principal_unpaid, principal_left = state.principal - take, principal_left - take
    # Amounts fallen due against amounts paid (a payment ahead of schedule covers later
    # instalments; the principal and interest paid are the journal's figures).
    due = [s for s in states if s.due_date <= on_date]
    interest_due = max(sum((s.interest for s in due), ZERO) - interest_paid, ZERO)
    principal_due = max(sum((s.principal for s in due), ZERO) - principal_paid, ZERO)
    principal_due = min(principal_due, balance)
    # The current instalment (the next to fall due, or today's) is payable now: paying it a
    # few days early at the meeting pays its interest too.
    current = next((s for s in states if s.due_date >= on_date), None)
    for state in states:
        state.chargeable = current is None or state.due_date <= current.due_date
    interest_current = sum((s.interest_unpaid for s in states if s.chargeable), ZERO)
    late = [s for s in states if s.is_late(on_date)]
    days_past_due = (on_date - late[0].due_date).days if late and balance > 0 else 0
    fines = _fines(states, on_date, fine_rule, Decimal(fine_value), grace_days)
    upcoming = next((s for s in states if s.unpaid > 0 and s.due_date >= on_date), None)
    return Position(
        on_date=on_date,
        instalments=states,
        balance=balance,
        interest_due=interest_due,
        interest_current=interest_current if balance > 0 else ZERO,
        principal_due=principal_due,
        fines_accrued=fines,
        fines_due=max(fines - fines_paid, ZERO),
        days_past_due=days_past_due,
        next_due=upcoming,
        late=late,
    )


def _fines(states, on_date, rule, value, grace_days) -> Decimal:
    """Fixed: `value` rupiah for each instalment covered (or still uncovered) more than the
    days of grace after it fell due. Percent: `value`% of the instalment for each started
    30 days it was late beyond the grace."""
    if rule == "none" or not value:
        return ZERO
    total = ZERO
    for state in states:
        until = state.covered_date or on_date
        late_days = (until - state.due_date).days - grace_days
        if state.covered_date is None and state.due_date >= on_date:
            continue
        if late_days <= 0:
            continue
        if rule == "fixed":
            total += value
        else:
            months = -(-late_days // 30)
            total += whole_rupiah(state.amount * value / HUNDRED * months)
    return total


def allocate(amount: Decimal, *, fines_due: Decimal, pos: Position):
    """Split a repayment: fines first, then instalment by instalment in order, each one's
    interest then its principal; beyond the current instalment only principal (later interest
    is not charged). Returns (fine, interest, principal, excess); an excess is more than the
    loan owes."""
    fine = min(amount, fines_due)
    rest = amount - fine
    interest = principal = ZERO
    for state in pos.instalments:
        if rest <= 0:
            break
        if state.chargeable:
            take = min(rest, state.interest_unpaid)
            interest, rest = interest + take, rest - take
        take = min(rest, state.principal_unpaid)
        principal, rest = principal + take, rest - take
    take = min(rest, pos.balance - principal)  # principal the schedule no longer plans
    if take > 0:
        principal, rest = principal + take, rest - take
    return fine, interest, principal, rest


def prepaid_principal(pos: Position, principal: Decimal) -> Decimal:
    """Of the principal a repayment pays against this position, what goes beyond the
    instalments payable now (those fallen due and the current one): a prepayment."""
    payable = sum((s.principal_unpaid for s in pos.instalments if s.chargeable), ZERO)
    return max(principal - payable, ZERO)


def replan_after_prepayment(
    *,
    instalments: list,
    on_date: datetime.date,
    balance: Decimal,
    monthly_rate: Decimal,
) -> list[PlannedInstalment]:
    """The rest of a declining-balance plan after a prepayment on `on_date` left `balance`
    owed. `instalments` are the plan's (number, due_date); those after the current one (the
    next to fall due on `on_date`, which the prepayment covered) keep their numbers and due
    dates, the balance is spread over them equally (the last takes the rounding) and each
    one's interest is the rate on the principal owed at the start of its month. Empty when no
    later instalment is left to plan."""
    current = next((i for i in instalments if i.due_date >= on_date), None)
    if current is None or balance <= 0:
        return []
    rest = sorted((i for i in instalments if i.due_date > current.due_date), key=lambda i: i.number)
    if not rest:
        return []
    plan = build_schedule(
        principal=balance,
        monthly_rate=monthly_rate,
        term_months=len(rest),
        method="declining",
        first_due_date=rest[0].due_date,
    )
    pairs = zip(plan, rest, strict=True)
    return [replace(row, number=old.number, due_date=old.due_date) for row, old in pairs]
