"""The monthly figures of a book (savings by type, loans, cash and bank, income and expense):
one table of rules, read by the posting service for each entry and by the rebuild and the
check for the whole journal, so both count a line the same way.

A figure is a flow: the month's change. A balance on a month's end is the sum of the flows of
that month and every month before it (savings, loans outstanding, cash, bank); the others
(disbursed, repaid, written off, income, expense) are the month's own. A reversal counts with
the kind of the entry it reverses, mirrored, so it takes back exactly what that entry added.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from .models.books import EntryKind

ZERO = Decimal("0")


@dataclass(frozen=True)
class Rule:
    figure: str
    sign: int  # +1: a debit adds to the figure; -1: a credit does
    roles: tuple[str, ...] = ()  # the account roles it reads, or
    types: tuple[str, ...] = ()  # the account types it reads
    kinds: tuple[str, ...] = ()  # only entries of these kinds (of the original, for reversals)
    not_kinds: tuple[str, ...] = ()
    side: str = ""  # "debit" or "credit": only lines on that side (in the original entry)
    with_loan: bool = False  # only lines that name a loan


RULES = (
    Rule("savings_principal", -1, roles=("savings_principal",)),
    Rule("savings_mandatory", -1, roles=("savings_mandatory",)),
    Rule("savings_voluntary", -1, roles=("savings_voluntary",)),
    Rule("loans_outstanding", 1, roles=("loans_receivable",)),
    Rule(
        "loans_disbursed",
        1,
        roles=("loans_receivable",),
        not_kinds=(EntryKind.OPENING,),
        side="debit",
        with_loan=True,
    ),
    Rule(
        "loans_repaid",
        -1,
        roles=("loans_receivable",),
        not_kinds=(EntryKind.OPENING, EntryKind.LOAN_WRITE_OFF),
        side="credit",
        with_loan=True,
    ),
    Rule("loans_written_off", -1, roles=("loans_receivable",), kinds=(EntryKind.LOAN_WRITE_OFF,)),
    Rule("cash", 1, roles=("cash",)),
    Rule("bank", 1, roles=("bank",)),
    Rule("income", -1, types=("income",), not_kinds=(EntryKind.YEAR_END,)),
    Rule("expense", 1, types=("expense",), not_kinds=(EntryKind.YEAR_END,)),
)

MONEY_FIGURES = tuple(rule.figure for rule in RULES)
# Balances: summed over every month up to the one asked.
BALANCES = ("savings_principal", "savings_mandatory", "savings_voluntary", "loans_outstanding")
BALANCES += ("cash", "bank")
# Loan risk on the month's end (today for the running month): a reading, not a flow.
RISK_FIGURES = ("arrears", "at_risk30", "instalments_due", "instalments_paid")
# Meetings of the month: how many, and members expected and present.
MEETING_FIGURES = ("meetings", "members_expected", "members_present")

CURRENT_DAYS = 45  # a book is current with an entry or a meeting in the last 45 days


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1)


def previous_month(month: datetime.date) -> datetime.date:
    return (month - datetime.timedelta(days=1)).replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    return next_month(month) - datetime.timedelta(days=1)


def is_current(last: dict, month: datetime.date) -> bool:
    """Whether a book is current on the month's end, from each month's last activity: any in
    the month, or one in the month before within 45 days of its end (a month is at most 31
    days, so the window never reaches further back)."""
    if last.get(month):
        return True
    before = last.get(previous_month(month))
    return bool(before and before > month_end(month) - datetime.timedelta(days=CURRENT_DAYS))


def _applies(rule: Rule, role: str, account_type: str, kind: str, on_debit: bool, loan) -> bool:
    if rule.roles and role not in rule.roles:
        return False
    if rule.types and account_type not in rule.types:
        return False
    if rule.kinds and kind not in rule.kinds:
        return False
    if kind in rule.not_kinds:
        return False
    if rule.side and on_debit != (rule.side == "debit"):
        return False
    return not (rule.with_loan and loan is None)


def entry_figures(kind: str, lines, *, reversed_kind: str | None = None) -> dict[str, Decimal]:
    """What an entry's lines add to its month's figures. `lines` have .account (role, type),
    .debit, .credit, .loan; a reversal passes the kind of the entry it reverses."""
    reversal = reversed_kind is not None
    kind = reversed_kind if reversal else kind
    figures: dict[str, Decimal] = {}
    for line in lines:
        amount = line.debit - line.credit
        on_debit = (line.debit > 0) != reversal  # the side in the original entry
        for rule in RULES:
            if _applies(rule, line.account.role, line.account.type, kind, on_debit, line.loan):
                figures[rule.figure] = figures.get(rule.figure, ZERO) + amount * rule.sign
    return {name: value for name, value in figures.items() if value}


def rule_sql(rule: Rule, *, role: str, account_type: str, kind: str, reversal: str) -> str:
    """The rule as a SQL CASE over one journal line `l` (debit, credit, loan_id), its account's
    role and type, the entry's kind (the original's for a reversal) and whether it reverses."""
    conditions = []
    if rule.roles:
        conditions.append(f"{role} IN ({', '.join(repr(r) for r in rule.roles)})")
    if rule.types:
        conditions.append(f"{account_type} IN ({', '.join(repr(t) for t in rule.types)})")
    if rule.kinds:
        conditions.append(f"{kind} IN ({', '.join(repr(str(k)) for k in rule.kinds)})")
    if rule.not_kinds:
        conditions.append(f"{kind} NOT IN ({', '.join(repr(str(k)) for k in rule.not_kinds)})")
    if rule.side:
        posted = "l.debit > 0" if rule.side == "debit" else "l.credit > 0"
        mirrored = "l.credit > 0" if rule.side == "debit" else "l.debit > 0"
        conditions.append(f"(({reversal} AND {mirrored}) OR (NOT {reversal} AND {posted}))")
    if rule.with_loan:
        conditions.append("l.loan_id IS NOT NULL")
    sign = "" if rule.sign > 0 else "-"
    return f"SUM(CASE WHEN {' AND '.join(conditions)} THEN {sign}(l.debit - l.credit) ELSE 0 END)"
