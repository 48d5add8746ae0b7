"""Reads the loan pages share: a borrower's statement of savings and loans, what a repayment
form offers by default, each instalment's state in words, and the loan reports as sheets for
the workbook export. Positions come from `finance.selectors.loans`, so every figure here is
the journal's."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..charts import SAVINGS_ROLES
from ..exports import AMOUNT, DATE, TEXT, Column, Sheet, tie_text
from ..models import ZERO, Book, Loan, MemberBalance
from ..models.books import GroupBalance
from ..schedule import InstalmentState, Position
from .ledgers import savings_accounts
from .loans import Portfolio, loan_totals_on, positions
from .notes import portfolio_tie

# Instalment states, as the schedule shows them.
PAID, LATE, PART, DUE, WRITTEN_OFF = "paid", "late", "part", "due", "written_off"


def instalment_state(
    row: InstalmentState, on_date: datetime.date, written_off_on: datetime.date | None = None
) -> str:
    """An instalment's state on the date; one falling due after the loan was written off
    (and seen on or after that day) is written off, not late: nobody collects it."""
    if row.unpaid <= 0:
        return PAID
    if written_off_on is not None and written_off_on <= on_date and row.due_date > written_off_on:
        return WRITTEN_OFF
    if row.is_late(on_date):
        return LATE
    if row.paid > 0:
        return PART
    return DUE


@dataclass
class ScheduleRow:
    number: int
    due_date: datetime.date
    principal: Decimal
    interest: Decimal
    amount: Decimal
    paid: Decimal
    unpaid: Decimal
    state: str
    covered_date: datetime.date | None


def written_off_on(loan: Loan) -> datetime.date | None:
    return loan.closed_date if loan.status == Loan.Status.WRITTEN_OFF else None


def schedule_rows(pos: Position, loan: Loan | None = None) -> list[ScheduleRow]:
    """The position's instalments as the schedule shows them (the loan, when given, says
    whether and when it was written off)."""
    off = written_off_on(loan) if loan is not None else None
    return [
        ScheduleRow(
            number=row.number,
            due_date=row.due_date,
            principal=row.principal,
            interest=row.interest,
            amount=row.amount,
            paid=row.paid,
            unpaid=row.unpaid,
            state=instalment_state(row, pos.on_date, off),
            covered_date=row.covered_date,
        )
        for row in pos.instalments
    ]


@dataclass
class LoanOnDate:
    """A loan as it stood at the end of a day: its status then, and what was paid and written
    off through that day (from its card, so from the journal)."""

    on_date: datetime.date
    status: str
    principal_paid: Decimal = ZERO
    interest_paid: Decimal = ZERO
    fines_paid: Decimal = ZERO
    written_off: Decimal = ZERO

    @property
    def status_label(self) -> str:
        return Loan.Status(self.status).label


def status_on(loan: Loan, on_date: datetime.date) -> str:
    """The loan's status at the end of the day: outstanding between disbursement and closing;
    before the disbursement, applied (or approved, once decided)."""
    S = Loan.Status
    if loan.disbursed_date is not None:
        if on_date < loan.disbursed_date:
            return S.APPROVED if loan.decided_date and loan.decided_date <= on_date else S.APPLIED
        if loan.closed_date is not None and loan.closed_date <= on_date:
            return loan.status
        return S.ACTIVE
    if loan.status in (S.APPROVED, S.REJECTED) and loan.decided_date:
        return loan.status if loan.decided_date <= on_date else S.APPLIED
    return loan.status


def loan_on_date(loan: Loan, on_date: datetime.date) -> LoanOnDate:
    """The loan's status and running totals at the end of the day, from its journal lines
    through that day (one query)."""
    totals = loan_totals_on(loan, on_date)
    balance, written_off = totals.get("balance", ZERO), totals.get("written_off", ZERO)
    disbursed = loan.disbursed_date is not None and loan.disbursed_date <= on_date
    return LoanOnDate(
        on_date=on_date,
        status=status_on(loan, on_date),
        principal_paid=loan.principal - balance - written_off if disbursed else ZERO,
        interest_paid=totals.get("interest_paid", ZERO),
        fines_paid=totals.get("fines_paid", ZERO),
        written_off=written_off,
    )


def interest_method_note(loan: Loan) -> str:
    """The interest method in one sentence, for the borrower."""
    rate = f"{loan.monthly_rate.normalize():f}%"
    if loan.interest_method == "declining":
        return _(
            "Interest is efektif (declining balance): each month it is %(rate)s of the "
            "principal still owed, so principal paid early lowers the interest of later months."
        ) % {"rate": rate}
    return _(
        "Interest is flat: each month it is %(rate)s of the amount lent, however much has "
        "been repaid."
    ) % {"rate": rate}


def amount_due(pos: Position) -> Decimal:
    """What a repayment form offers: a late loan's arrears and fines, otherwise the current
    instalment (what is still unpaid of it), never more than pays the loan off."""
    if pos.balance <= 0:
        return ZERO
    fallen_due = [row for row in pos.instalments if row.due_date <= pos.on_date]
    owed = sum((row.interest_unpaid + row.principal_unpaid for row in fallen_due), ZERO)
    if not owed:
        upcoming = next(
            (
                row
                for row in pos.instalments
                if row.due_date > pos.on_date and row.interest_unpaid + row.principal_unpaid
            ),
            None,
        )
        if upcoming is not None:
            owed = upcoming.interest_unpaid + upcoming.principal_unpaid
    return min(pos.fines_due + owed, pos.payoff)


# --- A borrower's statement ------------------------------------------------------------------


@dataclass
class StatementLoan:
    loan: Loan
    position: Position | None


@dataclass
class Statement:
    """A member's (or a member KSM's) savings and loans in one book, on a date."""

    party: object
    on_date: datetime.date
    savings: list[tuple[str, Decimal]] = field(default_factory=list)
    loans: list[StatementLoan] = field(default_factory=list)

    @property
    def savings_total(self) -> Decimal:
        return sum((amount for _name, amount in self.savings), ZERO)

    @property
    def outstanding(self) -> Decimal:
        return sum((item.position.balance for item in self.loans if item.position), ZERO)

    @property
    def arrears(self) -> Decimal:
        return sum((item.position.arrears for item in self.loans if item.position), ZERO)

    @property
    def net(self) -> Decimal:
        """Savings less what is owed: what the borrower would take away on leaving."""
        return self.savings_total - self.outstanding


def statement(book: Book, *, member=None, group=None) -> Statement:
    """Savings per type from the maintained balances; loans (lent to this borrower, newest
    first) with their positions today. A few queries, whatever the book's size."""
    today = timezone.localdate()
    party = member if member is not None else group
    if member is not None:
        rows = MemberBalance.objects.filter(book=book, member=member)
        loans = Loan.objects.filter(book=book, member=member)
    else:
        rows = GroupBalance.objects.filter(book=book, group=group)
        loans = Loan.objects.filter(book=book, borrower_group=group)
    held = {
        row.account_id: row.balance
        for row in rows.filter(account__role__in=SAVINGS_ROLES).select_related("account")
    }
    report = Statement(party=party, on_date=today)
    report.savings = [
        (account.name, held.get(account.pk, ZERO)) for account in savings_accounts(book)
    ]
    loans = list(loans.select_related("product").order_by("-number"))
    found = positions([loan for loan in loans if loan.status == Loan.Status.ACTIVE], today)
    report.loans = [StatementLoan(loan, found.get(loan.pk)) for loan in loans]
    return report


# --- Sheets for the workbook -----------------------------------------------------------------


def _day(value: datetime.date) -> str:
    return date_format(value, "DATE_FORMAT")


def schedule_sheet(book: Book, loan: Loan, rows: list[ScheduleRow], states: dict) -> Sheet:
    title = _("Loan schedule")
    heading = [
        f"{title} {loan.reference}",
        str(book),
        loan.party_name,
        _("%(amount)s over %(months)s months, %(rate)s%% a month (%(method)s)")
        % {
            "amount": f"{loan.principal:,.0f}".replace(",", "."),
            "months": loan.term_months,
            "rate": f"{loan.monthly_rate.normalize():f}",
            "method": loan.get_interest_method_display(),
        },
    ]
    columns = [
        Column(_("No."), TEXT, 6),
        Column(_("Due on"), DATE),
        Column(_("Principal"), AMOUNT),
        Column(_("Interest"), AMOUNT),
        Column(_("Instalment"), AMOUNT),
        Column(_("Paid"), AMOUNT),
        Column(_("Status"), TEXT, 14),
    ]

    def lines():
        for row in rows:
            yield (
                [
                    row.number,
                    row.due_date,
                    row.principal,
                    row.interest,
                    row.amount,
                    row.paid,
                    str(states[row.state]),
                ],
                "",
            )
        yield (
            [
                None,
                _("Total"),
                sum((r.principal for r in rows), ZERO),
                sum((r.interest for r in rows), ZERO),
                sum((r.amount for r in rows), ZERO),
                sum((r.paid for r in rows), ZERO),
                None,
            ],
            "bold",
        )

    return Sheet(title, heading, columns, lines())


def portfolio_sheet(book: Book, report: Portfolio) -> Sheet:
    title = _("Loan portfolio")
    heading = [title, str(book), _("As of %(date)s") % {"date": _day(report.on_date)}]
    columns = [
        Column(_("Loan"), TEXT, 10),
        Column(_("Borrower")),
        Column(_("Disbursed on"), DATE),
        Column(_("Amount"), AMOUNT),
        Column(_("Outstanding"), AMOUNT),
        Column(_("In arrears"), AMOUNT),
        Column(_("Days past due"), TEXT, 10),
    ]

    def lines():
        for loan, pos in report.loans:
            yield (
                [
                    loan.reference,
                    loan.party_name,
                    loan.disbursed_date,
                    loan.principal,
                    pos.balance,
                    pos.arrears,
                    pos.days_past_due,
                ],
                "",
            )
        yield (
            [None, _("Total"), None, None, report.outstanding, report.arrears, None],
            "bold",
        )
        yield [None, None, None, None, None, None, None], ""
        yield [None, _("Due this month"), None, None, report.due_this_month, None, None], ""
        for bucket in report.by_age:
            yield (
                [
                    None,
                    age_label(bucket),
                    None,
                    None,
                    bucket["balance"],
                    bucket["arrears"],
                    bucket["count"],
                ],
                "",
            )
        for name, value in (
            ("PAR 1", report.par1),
            ("PAR 30", report.par30),
            ("PAR 90", report.par90),
        ):
            yield [None, name, None, None, None, None, "" if value is None else f"{value}%"], ""
        yield [None, tie_text(portfolio_tie(book, report)), None, None, None, None, None], ""

    return Sheet(title, heading, columns, lines())


def age_label(bucket: dict) -> str:
    if bucket["high"] is None:
        return _("More than %(days)s days") % {"days": bucket["low"] - 1}
    return _("%(low)s to %(high)s days") % {"low": bucket["low"], "high": bucket["high"]}


def statement_sheet(book: Book, report: Statement, party_name: str) -> Sheet:
    title = _("Savings and loans")
    heading = [title, str(book), party_name, _("As of %(date)s") % {"date": _day(report.on_date)}]
    columns = [
        Column(_("Item")),
        Column(_("Disbursed on"), DATE),
        Column(_("Amount"), AMOUNT),
        Column(_("Outstanding"), AMOUNT),
        Column(_("In arrears"), AMOUNT),
        Column(_("Status"), TEXT, 14),
    ]

    def lines():
        yield [_("Savings"), None, None, None, None, None], "bold"
        for name, balance in report.savings:
            yield [name, None, balance, None, None, None], ""
        yield [_("Total savings"), None, report.savings_total, None, None, None], "bold"
        yield [_("Loans"), None, None, None, None, None], "bold"
        for item in report.loans:
            pos = item.position
            yield (
                [
                    item.loan.reference,
                    item.loan.disbursed_date,
                    item.loan.principal,
                    pos.balance if pos else None,
                    pos.arrears if pos else None,
                    str(item.loan.get_status_display()),
                ],
                "",
            )
        yield [_("Total owed"), None, None, report.outstanding, report.arrears, None], "bold"
        yield [_("Savings less loans outstanding"), None, report.net, None, None, None], "bold"

    return Sheet(title, heading, columns, lines())
