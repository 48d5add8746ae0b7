"""A posted exit settlement read back from its entry: what the member had saved, what was set
against their loans, what they were paid and what they still owe."""

from dataclasses import dataclass, field
from decimal import Decimal

from groups.models import Member, Membership

from ..models import ZERO, Book, JournalEntry, Loan
from .loans import loan_position

SAVINGS_ROLES = ("savings_principal", "savings_mandatory", "savings_voluntary")


@dataclass
class LoanSettled:
    loan: Loan
    principal: Decimal = ZERO
    interest: Decimal = ZERO
    fine: Decimal = ZERO
    still_owed: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.fine


@dataclass
class SettlementReport:
    member: Member | None
    membership: Membership | None
    savings: list[tuple[str, Decimal]] = field(default_factory=list)  # account name, amount
    loans: list[LoanSettled] = field(default_factory=list)
    payout: Decimal = ZERO
    payout_account: str = ""

    @property
    def savings_total(self) -> Decimal:
        return sum((amount for _name, amount in self.savings), ZERO)

    @property
    def set_against(self) -> Decimal:
        return sum((loan.total for loan in self.loans), ZERO)

    @property
    def still_owed(self) -> Decimal:
        return sum((loan.still_owed for loan in self.loans), ZERO)


def settlement_of_entry(book: Book, entry: JournalEntry) -> SettlementReport:
    lines = list(entry.lines.select_related("account", "member", "loan").order_by("id"))
    member = next((line.member for line in lines if line.member_id), None)
    membership = None
    if member is not None:
        membership = (
            Membership.objects.filter(group_id=book.group_id, member=member)
            .order_by("-left_date", "-pk")
            .first()
        )
    report = SettlementReport(member=member, membership=membership)
    loans: dict[int, LoanSettled] = {}
    for line in lines:
        role = line.account.role
        if role in SAVINGS_ROLES and line.debit:
            report.savings.append((line.account.name, line.debit))
        elif line.loan_id:
            settled = loans.setdefault(line.loan_id, LoanSettled(loan=line.loan))
            if role == "loans_receivable":
                settled.principal += line.credit
            elif role == "income_interest":
                settled.interest += line.credit
            else:
                settled.fine += line.credit
        elif role in ("cash", "bank") and line.credit:
            report.payout += line.credit
            report.payout_account = line.account.name
    for settled in loans.values():
        settled.loan.book = book
        if settled.loan.status == Loan.Status.ACTIVE:
            settled.still_owed = loan_position(settled.loan, entry.entry_date).payoff
    report.loans = list(loans.values())
    return report
