"""Opening balances: the cut-off wizard for a reactivated KSM that already had money, savings
and loans before its books were kept here.

Everything is posted as one balanced entry (kind "opening") at the cut-off date, while the
book has no other entry, and only once. What the group owns (cash, bank, loans to members,
other assets) less what it owes and its members' savings is its accumulated surplus: that
difference is the balancing line on SHU Ditahan (role retained_surplus), a credit when
positive and a debit when the group starts with a deficit.

A member's loan still owed at the cut-off becomes a real loan in the same transaction (an
`OpeningLoan`: what is left of the principal, the rate, the method, the months left and the
next due date): outstanding from the cut-off, with a schedule of the months left whose first
instalment falls on the next due date. The opening entry's line on loans receivable carries
the loan, so `journal_post` keeps its principal outstanding as it does for a disbursement,
and the loan card, the portfolio and the meeting sheet see it like any other loan.
"""

import contextlib
import dataclasses
import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from groups.models import Member
from ksm_portal.services_base import row_clean

from ..charts import MEMBER_LEDGER_ROLES, SAVINGS_ROLES
from ..models import (
    ZERO,
    Account,
    AccountType,
    Book,
    EntryKind,
    InterestMethod,
    JournalEntry,
    Loan,
    LoanProduct,
)
from ..money import rupiah
from ..schedule import PlannedInstalment, build_schedule, whole_rupiah
from .loans import _check_borrower, _next_loan_number, _schedule_create
from .posting import Line, Posted, _lock_book, account_for, clean_amount, journal_post

# Other balances are balance-sheet accounts; the member ledgers have their own rows and the
# retained surplus is the balancing figure.
OTHER_TYPES = (AccountType.ASSET, AccountType.LIABILITY, AccountType.EQUITY)
NOT_OTHER_ROLES = (*MEMBER_LEDGER_ROLES, "cash", "bank", "retained_surplus")
SIDES = ("debit", "credit")


def other_accounts(book: Book):
    """The accounts the "other balances" rows may use."""
    return (
        book.accounts.filter(type__in=OTHER_TYPES, is_header=False, is_active=True)
        .exclude(role__in=NOT_OTHER_ROLES)
        .order_by("code")
    )


def _amount(value, key: str, label: str) -> Decimal:
    """Blank or zero: nothing to post. Otherwise a positive rupiah amount, or an error that
    names the row."""
    if value is None or str(value).strip() == "":
        return ZERO
    try:
        if Decimal(str(value).strip()) == 0:
            return ZERO
    except (InvalidOperation, ValueError):
        pass
    try:
        return clean_amount(value)
    except ValidationError as error:
        messages = error.message_dict.get("amount", error.messages)
        if key == NON_FIELD_ERRORS:
            messages = [f"{label}: {message}" for message in messages]
        raise ValidationError({key: messages}) from None


def _check_other_account(book: Book, account: Account) -> None:
    if (
        account.book_id != book.pk
        or account.is_header
        or not account.is_active
        or account.type not in OTHER_TYPES
        or account.role in NOT_OTHER_ROLES
    ):
        raise ValidationError(
            _("%(account)s cannot take an opening balance in the other balances rows.")
            % {"account": account}
        )


# --- Loans brought forward --------------------------------------------------------------------

# The instalment an old ledger states may differ from the schedule worked out here by rounding
# (each ledger rounds its own way): up to Rp 1.000 or 1% of the instalment, whichever is more.
INSTALMENT_SLACK = Decimal("1000")
RATE_STEP = Decimal("0.01")
DEFAULT_PURPOSE = gettext_lazy("Loan from before the books")


@dataclass(frozen=True)
class OpeningLoan:
    """A member's loan still owed at the cut-off date, as the old ledger has it."""

    member: Member
    principal_left: Decimal  # the principal still owed, whole rupiah, > 0
    monthly_rate: Decimal  # percent a month, e.g. Decimal("1.5")
    interest_method: str  # InterestMethod: flat or declining
    remaining_months: int  # instalments left, 1 to 120
    next_due_date: datetime.date  # the next instalment, after the cut-off; then monthly
    instalment: Decimal | None = None  # the monthly instalment the old ledger states, checked
    purpose: str = DEFAULT_PURPOSE
    product: LoanProduct | None = None  # its fine rules apply when given

    def schedule(self) -> list[PlannedInstalment]:
        """The instalments of the months left (call on a cleaned loan)."""
        return build_schedule(
            principal=self.principal_left,
            monthly_rate=self.monthly_rate,
            term_months=self.remaining_months,
            method=self.interest_method,
            first_due_date=self.next_due_date,
        )


def instalment_fits(stated: Decimal, computed: Decimal) -> bool:
    """Whether an instalment a ledger states is the computed one, give or take its rounding."""
    return abs(stated - computed) <= max(INSTALMENT_SLACK, computed / 100)


def _rate_text(rate: Decimal) -> str:
    return f"{rate.normalize():f}".replace(".", ",")


def opening_loan_clean(item: OpeningLoan, *, book: Book, cutoff_date: datetime.date) -> OpeningLoan:
    """The loan's terms checked, as a cleaned copy; or a ValidationError keyed by the
    OpeningLoan's field names (the wizard shows each on its own input)."""
    errors: dict[str, list[str]] = {}

    def refuse(name, message):
        errors.setdefault(name, []).append(message)

    if item.member is None:
        raise ValidationError({"member": _("Choose the member.")})
    try:
        _check_borrower(book, item.member, None)
    except ValidationError as error:
        refuse("member", " ".join(error.messages))
    if Loan.objects.filter(book=book, member=item.member, status__in=Loan.OPEN_STATUSES).exists():
        refuse("member", _("This borrower already has a loan applied for or outstanding."))

    principal = None
    try:
        principal = clean_amount(item.principal_left)
    except ValidationError as error:
        refuse("principal_left", " ".join(error.messages))
    if principal is not None and principal != whole_rupiah(principal):
        refuse("principal_left", _("Loans are lent in whole rupiah."))
        principal = None

    rate = None
    with contextlib.suppress(InvalidOperation, ValueError):
        rate = Decimal(str(item.monthly_rate).strip().replace(",", "."))
    if rate is None or not rate.is_finite():
        refuse("monthly_rate", _("Write the interest per month as a number, e.g. 1,5."))
        rate = None
    elif not 0 <= rate <= 10:
        refuse("monthly_rate", _("Interest is between 0% and 10% a month."))
        rate = None
    elif rate != rate.quantize(RATE_STEP):
        refuse("monthly_rate", _("The interest per month has at most two decimals."))
        rate = None

    method = item.interest_method
    if method not in InterestMethod.values:
        refuse("interest_method", _("Choose flat or declining-balance interest."))
        method = None

    months = item.remaining_months
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 120:
        refuse("remaining_months", _("The months left are a whole number from 1 to 120."))
        months = None

    next_due = item.next_due_date
    if not isinstance(next_due, datetime.date) or isinstance(next_due, datetime.datetime):
        refuse("next_due_date", _("Write the date the next instalment falls due."))
        next_due = None
    elif next_due <= cutoff_date:
        refuse(
            "next_due_date",
            _("The next instalment falls due after the cut-off date (%(date)s).")
            % {"date": cutoff_date.strftime("%d-%m-%Y")},
        )
        next_due = None

    stated = None
    if item.instalment is not None and str(item.instalment).strip() != "":
        try:
            stated = clean_amount(item.instalment)
        except ValidationError as error:
            refuse("instalment", " ".join(error.messages))

    product = item.product
    if product is not None and product.book_id != book.pk:
        refuse("product", _("Choose a loan product these books offer."))

    purpose = " ".join(str(item.purpose or "").split())[:200] or str(DEFAULT_PURPOSE)
    if errors:
        raise ValidationError(errors)
    cleaned = dataclasses.replace(
        item,
        principal_left=principal,
        monthly_rate=rate,
        interest_method=method,
        remaining_months=months,
        next_due_date=next_due,
        instalment=stated,
        purpose=purpose,
    )
    if stated is not None:
        computed = cleaned.schedule()[0].amount
        if not instalment_fits(stated, computed):
            raise ValidationError(
                {
                    "instalment": ngettext(
                        "The old ledger's instalment of %(stated)s does not fit the loan: "
                        "%(left)s over %(months)s month at %(rate)s%% a month (%(method)s) "
                        "gives %(computed)s for the next instalment. Check the rate, the "
                        "method and the months left.",
                        "The old ledger's instalment of %(stated)s does not fit the loan: "
                        "%(left)s over %(months)s months at %(rate)s%% a month (%(method)s) "
                        "gives %(computed)s for the next instalment. Check the rate, the "
                        "method and the months left.",
                        months,
                    )
                    % {
                        "stated": rupiah(stated),
                        "left": rupiah(principal),
                        "months": months,
                        "rate": _rate_text(rate),
                        "method": InterestMethod(method).label.lower(),
                        "computed": rupiah(computed),
                    }
                }
            )
    return cleaned


def _opening_loan_create(
    item: OpeningLoan, *, book: Book, cutoff_date: datetime.date, actor
) -> Loan:
    """The loan record of a cleaned OpeningLoan, outstanding from the cut-off as a loan
    disbursed through the site is, with its schedule (version 1) from the next due date. Its
    principal outstanding comes from the opening entry's line that carries it. Under the
    book's lock."""
    loan = Loan(
        book=book,
        number=_next_loan_number(book),
        direction=Loan.Direction.RECEIVABLE,
        product=item.product,
        member=item.member,
        purpose=item.purpose,
        principal=item.principal_left,
        interest_method=item.interest_method,
        monthly_rate=item.monthly_rate,
        term_months=item.remaining_months,
        status=Loan.Status.ACTIVE,
        applied_date=cutoff_date,
        decided_date=cutoff_date,
        decision_note=_("Brought forward in the opening balances."),
        disbursed_date=cutoff_date,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    row_clean(loan)
    loan.save()
    _schedule_create(
        loan,
        version=1,
        start_date=cutoff_date,
        principal=loan.principal,
        monthly_rate=loan.monthly_rate,
        term_months=loan.term_months,
        first_due_date=item.next_due_date,
        actor=actor,
    )
    return loan


@transaction.atomic
def opening_balances_post(
    *,
    book: Book,
    cutoff_date: datetime.date,
    cash=ZERO,
    bank=ZERO,
    member_savings: list[tuple[Member, str, Decimal]] = (),
    member_loans: list[OpeningLoan] = (),
    other: list[tuple[Account, str | None, Decimal]] = (),
    actor=None,
    token: str | None = None,
) -> Posted:
    """Post the opening balances as one entry balanced against SHU Ditahan.

    member_savings: (member, savings role, amount); member_loans: the loans still owed, each
    made a loan record with its schedule; other: (account, "debit" | "credit" | None for the
    account's normal side, amount). Blank or zero savings and other amounts are skipped. A
    resubmitted form (same token) returns the entry already posted."""
    book = _lock_book(book)
    if token:
        existing = JournalEntry.objects.filter(token=token).first()
        if existing is not None:
            if existing.book_id != book.pk:
                raise ValidationError(_("This form does not belong to these books."))
            return Posted(entry=existing, created=False)
    if book.entries.filter(kind=EntryKind.OPENING).exists():
        raise ValidationError(_("The opening balances of these books have already been posted."))
    if book.entries.exists():
        raise ValidationError(
            _(
                "Opening balances can only be posted to books with no entries yet; these "
                "books already have entries."
            )
        )
    if cutoff_date < book.opening_date:
        raise ValidationError(
            {
                "cutoff_date": _("The books opened on %(date)s; the cut-off cannot be earlier.")
                % {"date": book.opening_date.strftime("%d-%m-%Y")}
            }
        )
    if cutoff_date > timezone.localdate():
        raise ValidationError({"cutoff_date": _("This date is in the future.")})

    memo = _("Opening balance")
    debits: list[Line] = []
    credits: list[Line] = []
    for role, value in (("cash", cash), ("bank", bank)):
        amount = _amount(value, role, role)
        if amount:
            debits.append(Line(account=account_for(book, role), debit=amount, memo=memo))
    brought_forward: list[tuple[OpeningLoan, Line]] = []
    if member_loans:
        receivable = account_for(book, "loans_receivable")
        seen: set[int] = set()
        for item in member_loans:
            if not isinstance(item, OpeningLoan):
                raise TypeError("member_loans takes OpeningLoan items")
            label = receivable.name
            if item.member is not None:
                label = f"{item.member.full_name}, {label}"
            try:
                item = opening_loan_clean(item, book=book, cutoff_date=cutoff_date)
            except ValidationError as error:
                raise ValidationError(
                    {NON_FIELD_ERRORS: [f"{label}: {message}" for message in error.messages]}
                ) from None
            if item.member.pk in seen:
                raise ValidationError(
                    _(
                        "%(member)s is listed with two loans; a member has one loan outstanding "
                        "at a time, so enter what is left of both as one loan."
                    )
                    % {"member": item.member.full_name}
                )
            seen.add(item.member.pk)
            line = Line(
                account=receivable, debit=item.principal_left, member=item.member, memo=memo
            )
            debits.append(line)
            brought_forward.append((item, line))
    savings_accounts: dict[str, Account] = {}
    for member, role, value in member_savings:
        if role not in SAVINGS_ROLES:
            raise ValidationError(_("Choose the kind of savings."))
        if role not in savings_accounts:
            savings_accounts[role] = account_for(book, role)
        account = savings_accounts[role]
        amount = _amount(value, NON_FIELD_ERRORS, f"{member.full_name}, {account.name}")
        if amount:
            credits.append(Line(account=account, credit=amount, member=member, memo=memo))
    for account, side, value in other:
        _check_other_account(book, account)
        amount = _amount(value, NON_FIELD_ERRORS, str(account))
        side = side or account.normal_balance
        if side not in SIDES:
            raise ValidationError(_("Choose debit or credit."))
        if not amount:
            continue
        if side == "debit":
            debits.append(Line(account=account, debit=amount, memo=memo))
        else:
            credits.append(Line(account=account, credit=amount, memo=memo))
    if not debits and not credits:
        raise ValidationError(_("Enter at least one opening balance."))

    lines = debits + credits
    difference = sum((line.debit for line in debits), ZERO) - sum(
        (line.credit for line in credits), ZERO
    )
    if difference:
        retained = account_for(book, "retained_surplus")
        if difference > 0:
            lines.append(Line(account=retained, credit=difference, memo=memo))
        else:
            lines.append(Line(account=retained, debit=-difference, memo=memo))
    # The loans last, once everything else is known to be right; the line carries its loan,
    # so posting keeps the loan's principal outstanding.
    for item, line in brought_forward:
        line.loan = _opening_loan_create(item, book=book, cutoff_date=cutoff_date, actor=actor)
    try:
        return journal_post(
            book=book,
            entry_date=cutoff_date,
            description=_("Opening balances at %(date)s")
            % {"date": cutoff_date.strftime("%d-%m-%Y")},
            lines=lines,
            kind=EntryKind.OPENING,
            actor=actor,
            token=token,
        )
    except ValidationError as error:
        if hasattr(error, "error_dict") and "entry_date" in error.error_dict:
            raise ValidationError({"cutoff_date": error.error_dict["entry_date"]}) from None
        raise


@dataclass
class OpeningRow:
    account: Account
    debit: Decimal
    credit: Decimal
    members: int  # how many lines name a member


@dataclass
class OpeningSummary:
    entry: JournalEntry
    rows: list[OpeningRow]  # by account code, the balancing SHU Ditahan line included
    total: Decimal  # debits = credits
    balancing: Decimal  # on SHU Ditahan: positive a credit (surplus), negative a debit

    @property
    def balancing_account(self) -> Account | None:
        return next((r.account for r in self.rows if r.account.role == "retained_surplus"), None)


def opening_summary(book: Book) -> OpeningSummary | None:
    """The posted opening entry, totalled per account in the database (a read for the
    wizard's result page)."""
    entry = book.entries.filter(kind=EntryKind.OPENING).order_by("id").first()
    if entry is None:
        return None
    totals = (
        entry.lines.order_by()
        .values("account_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"), members=Count("member"))
    )
    by_id = {row["account_id"]: row for row in totals}
    accounts = Account.objects.filter(pk__in=by_id).order_by("code")
    rows = [
        OpeningRow(
            account=account,
            debit=by_id[account.pk]["debit"],
            credit=by_id[account.pk]["credit"],
            members=by_id[account.pk]["members"],
        )
        for account in accounts
    ]
    balancing = sum(
        (row.credit - row.debit for row in rows if row.account.role == "retained_surplus"), ZERO
    )
    return OpeningSummary(
        entry=entry,
        rows=rows,
        total=sum((row.debit for row in rows), ZERO),
        balancing=balancing,
    )
