"""Reads for the capital pages: where a book's money comes from and where it is (the balance
sheet regrouped), its borrowings by lender, member KSM's savings in a cooperative's books,
and a BUMDes's results per business unit. All from the maintained totals (AccountMonth,
GroupBalance); only a book's few borrowing lines are read to split what it owes by lender."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, Sum
from django.utils.translation import gettext as _

from groups.models import CooperativeMembership, SelfHelpGroup

from ..charts import SAVINGS_ROLES
from ..models import ZERO, Account, Book, BusinessUnit, GroupBalance, JournalLine, Loan
from .statements import BalanceSheet, IncomeStatement, Period, balance_sheet, income_statement

__all__ = [
    "CapitalRow",
    "CapitalSection",
    "CapitalStructure",
    "GroupSavingsRow",
    "UnitReport",
    "UnitResult",
    "borrowings_by_loan",
    "capital_structure",
    "group_savings",
    "savings_groups",
    "unit_report",
]

OWN_CAPITAL_ROLES = (
    "village_capital",
    "community_capital",
    "grant",
    "reserve",
    "retained_surplus",
    "current_surplus",
)


@dataclass
class CapitalRow:
    label: str
    amount: Decimal
    share: Decimal = ZERO  # % of its side
    loan: Loan | None = None  # a borrowing, linked to its page
    role: str = ""


@dataclass
class CapitalSection:
    key: str
    title: str
    rows: list[CapitalRow] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((row.amount for row in self.rows), ZERO)

    share: Decimal = ZERO


@dataclass
class CapitalStructure:
    as_of: datetime.date
    sources: list[CapitalSection]
    uses: list[CapitalSection]
    sheet: BalanceSheet

    @property
    def sources_total(self) -> Decimal:
        return sum((section.total for section in self.sources), ZERO)

    @property
    def uses_total(self) -> Decimal:
        return sum((section.total for section in self.uses), ZERO)


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    if not whole:
        return ZERO
    return (part * 100 / whole).quantize(Decimal("0.1"))


def borrowings_by_loan(book: Book, as_of: datetime.date) -> list[tuple[Loan, Decimal]]:
    """Each payable loan still owed on the date, with what is owed, largest first. Reads the
    lines of the book's borrowings account (a few per loan) through its (account, date) index."""
    account = book.accounts.filter(role="borrowings").first()
    if account is None:
        return []
    owed = {
        row["loan_id"]: row["credit"] - row["debit"]
        for row in JournalLine.objects.filter(
            account=account, entry_date__lte=as_of, loan__isnull=False
        )
        .order_by()
        .values("loan_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    }
    owed = {loan_id: amount for loan_id, amount in owed.items() if amount}
    loans = Loan.objects.filter(pk__in=list(owed)).order_by("number")
    return sorted(((loan, owed[loan.pk]) for loan in loans), key=lambda item: -item[1])


def capital_structure(book: Book, as_of: datetime.date) -> CapitalStructure:
    """The balance sheet on the date regrouped: sources (members' savings by type, own capital
    with the surplus, borrowed money by lender, other liabilities) and uses (cash, bank, loans
    to members, other assets), each row with its share of the total."""
    sheet = balance_sheet(book, Period("month", as_of.replace(day=1), as_of))
    savings = CapitalSection("savings", _("Members' savings"))
    own = CapitalSection("own", _("Own capital and surplus"))
    borrowed = CapitalSection("borrowed", _("Borrowed"))
    other_liabilities = CapitalSection("other_liabilities", _("Other liabilities"))
    borrowings_total = ZERO
    for row in sheet.liabilities.rows + sheet.equity.rows:
        role = row.account.role if row.account is not None else "current_surplus"
        if not row.current and role != "borrowings":
            continue
        if role in SAVINGS_ROLES:
            savings.rows.append(CapitalRow(row.label, row.current, role=role))
        elif role in OWN_CAPITAL_ROLES or row.account is None or row.account.type == "equity":
            own.rows.append(CapitalRow(row.label, row.current))
        elif role == "borrowings":
            borrowings_total += row.current
        else:
            other_liabilities.rows.append(CapitalRow(row.label, row.current))
    by_loan = borrowings_by_loan(book, as_of)
    for loan, amount in by_loan:
        label = _("%(lender)s (loan %(ref)s)") % {"lender": loan.party_name, "ref": loan.reference}
        borrowed.rows.append(CapitalRow(label, amount, loan=loan))
    savings.rows.sort(key=lambda row: SAVINGS_ROLES.index(row.role))
    rest = borrowings_total - sum((amount for _loan, amount in by_loan), ZERO)
    if rest:
        borrowed.rows.append(CapitalRow(_("Other borrowings"), rest))

    cash = CapitalSection("cash", _("Cash and bank"))
    loans = CapitalSection("loans", _("Loans to members outstanding"))
    other_assets = CapitalSection("other_assets", _("Other assets"))
    for row in sheet.assets.rows:
        role = row.account.role
        if not row.current:
            continue
        if role in ("cash", "bank"):
            cash.rows.append(CapitalRow(row.label, row.current))
        elif role in ("loans_receivable", "loan_loss_allowance"):
            loans.rows.append(CapitalRow(row.label, row.current))
        else:
            other_assets.rows.append(CapitalRow(row.label, row.current))
    structure = CapitalStructure(
        as_of=as_of,
        sources=[savings, own, borrowed, other_liabilities],
        uses=[cash, loans, other_assets],
        sheet=sheet,
    )
    for sections, total in (
        (structure.sources, structure.sources_total),
        (structure.uses, structure.uses_total),
    ):
        for section in sections:
            section.share = _percent(section.total, total)
            for row in section.rows:
                row.share = _percent(row.amount, total)
    return structure


# --- Member KSM's savings in a cooperative's books ----------------------------------------------


def savings_groups(book: Book):
    """The KSM a cooperative's savings list shows: its members now, and any KSM the books
    still hold balances for."""
    return SelfHelpGroup.objects.filter(
        Q(
            Exists(
                CooperativeMembership.objects.filter(
                    cooperative_id=book.cooperative_id,
                    group_id=OuterRef("pk"),
                    left_date__isnull=True,
                )
            )
        )
        | Q(Exists(GroupBalance.objects.filter(book=book, group_id=OuterRef("pk"))))
    ).order_by("name", "pk")


@dataclass
class GroupSavingsRow:
    group: SelfHelpGroup
    balances: list[Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.balances, ZERO)


def group_savings(
    book: Book, groups, accounts: list[Account], *, within=None
) -> tuple[list[GroupSavingsRow], list[Decimal]]:
    """Each KSM's balance per savings account (one query for the page) and the book's totals
    per account (one grouped query over the maintained balances), over the KSM `within` (a
    queryset of KSM: the user's sight) when given."""
    ids = [group.pk for group in groups]
    found = {
        (row["group_id"], row["account_id"]): row["debit"] - row["credit"]
        for row in GroupBalance.objects.filter(
            book=book, group_id__in=ids, account__in=accounts
        ).values("group_id", "account_id", "debit", "credit")
    }
    rows = [
        GroupSavingsRow(group, [found.get((group.pk, a.pk), ZERO) * a.sign for a in accounts])
        for group in groups
    ]
    sums = {
        row["account_id"]: (row["debit"] or ZERO) - (row["credit"] or ZERO)
        for row in GroupBalance.objects.filter(
            book=book, account__in=accounts, **({} if within is None else {"group__in": within})
        )
        .order_by()
        .values("account_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    }
    return rows, [sums.get(a.pk, ZERO) * a.sign for a in accounts]


# --- A BUMDes's business units -----------------------------------------------------------------


@dataclass
class UnitResult:
    name: str
    income: Decimal
    expense: Decimal
    unit: BusinessUnit | None = None

    @property
    def result(self) -> Decimal:
        return self.income - self.expense


@dataclass
class UnitReport:
    period: Period
    units: list[UnitResult]
    rest: UnitResult  # the BUMDes's income and expenses outside any unit
    statement: IncomeStatement

    @property
    def total(self) -> UnitResult:
        return UnitResult(
            _("The whole BUMDes"),
            sum((u.income for u in self.units), self.rest.income),
            sum((u.expense for u in self.units), self.rest.expense),
        )


def unit_report(book: Book, period: Period) -> UnitReport:
    """Each unit's income, expenses and result for the period, and the rest of the BUMDes,
    adding up to its income statement (the same maintained totals, year-end close excluded)."""
    statement = income_statement(book, period)
    units = list(BusinessUnit.objects.filter(book=book).order_by("name"))
    by_account = {}
    results = []
    for unit in units:
        result = UnitResult(unit.name, ZERO, ZERO, unit=unit)
        results.append(result)
        by_account[unit.income_account_id] = (result, "income")
        by_account[unit.expense_account_id] = (result, "expense")
    rest = UnitResult(_("Not in a unit"), ZERO, ZERO)
    for section, side in ((statement.income, "income"), (statement.expenses, "expense")):
        for row in section.rows:
            target, _side = by_account.get(row.account.pk, (rest, side))
            setattr(target, side, getattr(target, side) + row.current)
    return UnitReport(period=period, units=results, rest=rest, statement=statement)
