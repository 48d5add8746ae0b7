"""What the SAK EMKM statements carry besides their figures: the entity that reports, the
Catatan atas Laporan Keuangan (a note per material line), the signature block, and the ties
of the member savings list and the loan portfolio to the ledger on a date."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..charts import SAVINGS_ROLES
from ..models import ZERO, AccountMonth, Book
from .balances import account_totals
from .loans import portfolio
from .statements import BalanceSheet, Period, StatementRow, _totals_of_ranges, balance_sheet

__all__ = [
    "Entity",
    "LedgerTie",
    "LoanNote",
    "Notes",
    "Signatures",
    "entity_of",
    "ledger_tie",
    "portfolio_tie",
    "signatures",
    "statement_notes",
]

CASH_ROLES = ("cash", "bank")

# What the notes say of every book kept here: SAK EMKM, and the policies these books follow.
BASIS = gettext_lazy(
    "These financial statements are prepared in accordance with the Financial Accounting Standard "
    "for Micro, Small and Medium Entities (SAK EMKM), on the historical cost basis and the accrual"
    " basis. They are presented in Rupiah, the entity's functional currency."
)
POLICIES = [
    (
        gettext_lazy("Cash and bank"),
        gettext_lazy("Cash on hand and balances held at banks, at their nominal amount."),
    ),
    (
        gettext_lazy("Loans receivable and allowance"),
        gettext_lazy(
            "Loans to members are stated at the principal outstanding. An allowance for losses is "
            "set aside for loans that may not be repaid, and a loan is written off against it when"
            " it will not be repaid."
        ),
    ),
    (
        gettext_lazy("Member savings"),
        gettext_lazy(
            "Principal (pokok) and compulsory (wajib) savings cannot be withdrawn while a member "
            "belongs to the group and are equity; voluntary (sukarela) savings can be withdrawn "
            "and are a liability."
        ),
    ),
    (
        gettext_lazy("Revenue recognition"),
        gettext_lazy(
            "Loan interest (jasa), fines and other income are recognised when earned, and expenses"
            " when incurred (accrual basis)."
        ),
    ),
    (
        gettext_lazy("Surplus (SHU)"),
        gettext_lazy(
            "The year's surplus is the income less the expenses of the year. It is shared as the "
            "members' annual meeting (RAT) decides; until then it is shown as the current-year "
            "surplus in equity."
        ),
    ),
]


# --- The entity and who signs --------------------------------------------------------------


@dataclass
class Entity:
    kind: str  # KSM, BUMDes, Koperasi
    name: str
    registration: str
    address: str
    village: str
    village_id: int | None
    district: str
    regency: str
    province: str

    @property
    def title(self) -> str:
        """ "KSM Sejahtera", "BUMDes Maju" (the kind once, even when the name holds it)."""
        if self.name.lower().startswith(self.kind.lower()):
            return self.name
        return f"{self.kind} {self.name}"


def _owner(book: Book):
    """The book's owner with its village, district, regency and province: one query."""
    owner = book.owner
    if book.kind == Book.Kind.COOPERATIVE:
        places = ("regency__province",)
    else:
        places = ("village__district__regency__province",)
    return type(owner).objects.select_related(*places).get(pk=owner.pk)


def entity_of(book: Book) -> Entity:
    """The reporting entity with its place in the country (a cooperative has a regency
    only)."""
    owner = _owner(book)
    village = getattr(owner, "village", None)
    if village is not None:
        district = village.district
        regency = district.regency
    else:
        district, regency = None, owner.regency
    registration = getattr(owner, "registration_number", "") or getattr(
        owner, "legal_entity_number", ""
    )
    kinds = {Book.Kind.KSM: "KSM", Book.Kind.BUMDES: "BUMDes"}
    return Entity(
        kind=kinds.get(book.kind, _("Cooperative")),
        name=owner.name,
        registration=registration,
        address=getattr(owner, "address", ""),
        village=village.name if village else "",
        village_id=village.pk if village else None,
        district=district.name if district else "",
        regency=regency.name,
        province=regency.province.name,
    )


@dataclass
class Signatory:
    title: str  # the office: Ketua, Bendahara, Pendamping
    name: str  # blank when nobody holds it: a line to sign on


@dataclass
class Signatures:
    place: str
    date: datetime.date
    chair: Signatory
    treasurer: Signatory
    facilitator: Signatory  # under "Mengetahui,"


def _officer_names(book: Book) -> dict[str, str]:
    """The current holders of the offices that sign, by office."""
    from groups.models import Membership, Officer

    if book.group_id:
        rows = (
            Membership.objects.active()
            .filter(group_id=book.group_id, role__in=("chair", "treasurer"))
            .order_by("-joined_date", "pk")
            .values_list("role", "member__full_name")
        )
    else:
        rows = (
            Officer.objects.current()
            .of(book.owner)
            .filter(role__in=("chair", "director", "treasurer"))
            .order_by("-start_date", "pk")
            .values_list("role", "full_name")
        )
    names: dict[str, str] = {}
    for role, name in rows:
        names.setdefault("chair" if role == "director" else role, name)
    return names


def signatures(
    book: Book, on_date: datetime.date | None = None, *, entity: Entity | None = None
) -> Signatures:
    """Ketua and Bendahara of the entity, and under "Mengetahui," the facilitator assigned
    to its village on the date (none for a cooperative, which has no village)."""
    from villages.models import FacilitatorAssignment

    on_date = on_date or timezone.localdate()
    entity = entity or entity_of(book)
    names = _officer_names(book)
    facilitator = ""
    if entity.village_id is not None:
        assignment = (
            FacilitatorAssignment.objects.current(on_date)
            .filter(village_id=entity.village_id)
            .select_related("user")
            .order_by("-start_date", "pk")
            .first()
        )
        if assignment is not None:
            facilitator = assignment.user.get_full_name() or assignment.user.username
    chair = _("Director") if book.kind == Book.Kind.BUMDES else _("Chair")
    return Signatures(
        place=entity.village or entity.regency,
        date=on_date,
        chair=Signatory(chair, names.get("chair", "")),
        treasurer=Signatory(_("Treasurer"), names.get("treasurer", "")),
        facilitator=Signatory(_("Facilitator"), facilitator),
    )


# --- Catatan atas Laporan Keuangan ---------------------------------------------------------


@dataclass
class LoanNote:
    """Loans receivable at the period's end from the loan positions, beside the ledger."""

    count: int
    outstanding: Decimal
    current_count: int
    current: Decimal  # principal of loans not past due
    overdue_count: int
    overdue: Decimal  # principal of loans past due
    arrears: Decimal  # instalments fallen due and unpaid
    par30: Decimal | None
    allowance: Decimal  # the loan-loss allowance (a positive figure, deducted)
    ledger: Decimal  # the receivable account's balance

    @property
    def allowance_deducted(self) -> Decimal:
        return -self.allowance

    @property
    def net(self) -> Decimal:
        return self.ledger - self.allowance

    @property
    def difference(self) -> Decimal:
        return self.outstanding - self.ledger


@dataclass
class Notes:
    period: Period
    entity: Entity
    sheet: BalanceSheet
    cash_and_bank: list[StatementRow] = field(default_factory=list)
    savings: list[tuple[StatementRow, str]] = field(default_factory=list)  # with its section
    loans: LoanNote | None = None
    grants: list[StatementRow] = field(default_factory=list)
    grants_received: Decimal = ZERO  # credited to the grant accounts in the period
    basis: str = BASIS
    policies: list = field(default_factory=lambda: POLICIES)

    @property
    def cash_and_bank_total(self) -> tuple[Decimal, Decimal]:
        return _sum(self.cash_and_bank)

    @property
    def savings_total(self) -> tuple[Decimal, Decimal]:
        return _sum([row for row, _section in self.savings])

    @property
    def equity(self) -> list[StatementRow]:
        return self.sheet.equity.rows

    @property
    def comparative(self) -> bool:
        return self.sheet.comparative


def _sum(rows: list[StatementRow]) -> tuple[Decimal, Decimal]:
    return sum((r.current for r in rows), ZERO), sum((r.previous for r in rows), ZERO)


def _role(row: StatementRow) -> str:
    return row.account.role if row.account is not None else ""


def statement_notes(book: Book, period: Period, *, entity: Entity | None = None) -> Notes:
    """The notes to the statements at the period's end, from the balance sheet's own rows
    (so each note agrees with its line), the loan positions and the period's grants."""
    sheet = balance_sheet(book, period)
    notes = Notes(period=period, entity=entity or entity_of(book), sheet=sheet)
    notes.cash_and_bank = [r for r in sheet.assets.rows if _role(r) in CASH_ROLES]
    liability_roles = {_role(r) for r in sheet.liabilities.rows}
    by_role = {_role(r): r for r in sheet.liabilities.rows + sheet.equity.rows}
    notes.savings = [
        (by_role[role], _("Liabilities") if role in liability_roles else _("Equity"))
        for role in SAVINGS_ROLES
        if role in by_role
    ]
    notes.grants = [r for r in sheet.equity.rows if _role(r) == "grant"]
    grant_ids = [r.account.pk for r in notes.grants]
    if grant_ids:
        (in_period,) = _totals_of_ranges(book, [(period.start, period.end)])
        notes.grants_received = sum((in_period.get(pk, (ZERO, ZERO))[1] for pk in grant_ids), ZERO)
    accounts = {a.role: a for a in book.accounts.filter(role__in=("loans_receivable",))}
    receivable = accounts.get("loans_receivable")
    if receivable is not None and _has_lines(book, receivable, period.end):
        loans = portfolio(book, period.end)
        current = [pos for _loan, pos in loans.loans if not pos.days_past_due]
        overdue = [pos for _loan, pos in loans.loans if pos.days_past_due]
        assets = {_role(r): r.current for r in sheet.assets.rows}
        notes.loans = LoanNote(
            count=loans.count,
            outstanding=loans.outstanding,
            current_count=len(current),
            current=sum((pos.balance for pos in current), ZERO),
            overdue_count=len(overdue),
            overdue=sum((pos.balance for pos in overdue), ZERO),
            arrears=loans.arrears,
            par30=loans.par30,
            allowance=-assets.get("loan_loss_allowance", ZERO),
            ledger=assets.get("loans_receivable", ZERO),
        )
    return notes


def _has_lines(book: Book, account, on_date: datetime.date) -> bool:
    """Whether the account was ever posted to by the date (a group that never lent has no
    note on loans)."""
    return AccountMonth.objects.filter(
        book=book, account=account, month__lte=on_date.replace(day=1)
    ).exists()


# --- A list's tie to the ledger ------------------------------------------------------------


@dataclass
class LedgerTie:
    """A report's total beside the ledger balance of the accounts it lists, on a date."""

    on_date: datetime.date
    total: Decimal
    ledger: Decimal

    @property
    def difference(self) -> Decimal:
        return self.total - self.ledger


def ledger_tie(book: Book, accounts, *, on_date: datetime.date, total: Decimal) -> LedgerTie:
    """The balance of these accounts of the book on the date, in their normal direction,
    beside the report's total: monthly totals plus the lines of the partial month."""
    accounts = list(accounts)
    totals = account_totals(book, date_to=on_date, accounts=[a.pk for a in accounts])
    ledger = ZERO
    for account in accounts:
        debit, credit = totals.get(account.pk, (ZERO, ZERO))
        ledger += (debit - credit) * account.sign
    return LedgerTie(on_date=on_date, total=total, ledger=ledger)


def portfolio_tie(book: Book, report) -> LedgerTie:
    """A loan portfolio's principal outstanding beside the loans receivable account."""
    return ledger_tie(
        book,
        book.accounts.filter(role="loans_receivable"),
        on_date=report.on_date,
        total=report.outstanding,
    )
