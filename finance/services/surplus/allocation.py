"""Working a year's surplus out into parts and member shares, to the rupiah (the rules
are in the package's docstring). Reads only."""

import datetime
import hashlib
from dataclasses import dataclass, field, fields
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, Sum
from django.db.models.functions import ExtractMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups.models import CooperativeMembership, Member, Membership, SelfHelpGroup

from ...charts import SAVINGS_ROLES
from ...models import ZERO, Book, EntryKind, JournalLine, Loan
from ...models.surplus import (
    SURPLUS_PARTS,
    JmaBalance,
    JmaBasis,
    JuaBasis,
    Leavers,
    NonMemberTo,
)
from ...money import rupiah
from ...selectors.ledgers import saver_sums
from .years import year_end_date, year_surplus

HUNDRED = Decimal(100)
RUPIAH = Decimal(1)
PERCENT_FIELDS = tuple(name for name, _role in SURPLUS_PARTS)
# A member KSM's transactions (JUA): the interest and admin fees paid on its loans (and, when
# the meeting counts them, its late fines) plus business income lines naming it.
TRANSACTION_ROLES = ("income_interest", "income_admin")
FINE_ROLES = ("income_fines",)
CENT = Decimal("0.01")
SOURCES = ("cash", "bank")
# A KSM's meeting shares its SHU into these parts; the members' two are split per member.
KSM_PARTS = ("reserve_pct", "savings_pct", "participation_pct", "board_pct", "social_pct")
MEMBER_PARTS = ("members_pct", "savings_pct", "participation_pct")
KSM_ONLY_PARTS = ("savings_pct", "participation_pct")
# A KSM's social part goes to its Dana Sosial (the fund its members already pay into).
KSM_ROLES = {"social_pct": "social_fund"}
# A KSM member's basis: jasa usaha by the interest and fees paid on loans in the year (fines
# are not a service), jasa modal by the pokok and wajib held on 31 December.
PARTICIPATION_ROLES = ("income_interest", "income_admin")
CAPITAL_SAVINGS_ROLES = ("savings_principal", "savings_mandatory")

PART_LABELS = {
    "reserve_pct": gettext_lazy("Reserve"),
    "members_pct": gettext_lazy("Members' services"),
    "savings_pct": gettext_lazy("Members by savings (jasa modal)"),
    "participation_pct": gettext_lazy("Members by participation (jasa usaha)"),
    "board_pct": gettext_lazy("Board"),
    "staff_pct": gettext_lazy("Staff"),
    "education_pct": gettext_lazy("Education"),
    "social_pct": gettext_lazy("Social"),
    "village_pct": gettext_lazy("Village's share (PADes)"),
    "other_pct": gettext_lazy("Others"),
}


@dataclass(frozen=True)
class Rules:
    """How a cooperative's members' part is worked out (the fields of the same names on the
    year's SurplusDistribution). The defaults are common practice; a KSM's books share by
    their own two parts and do not read these."""

    jua_basis: str = JuaBasis.SERVICES
    non_member_to: str = NonMemberTo.RESERVE
    jma_basis: str = JmaBasis.CAPITAL
    jma_balance: str = JmaBalance.AVERAGE
    leavers: str = Leavers.RECEIVE

    @classmethod
    def of(cls, source) -> "Rules":
        """The rules kept on a distribution (or any object or dict with the same names)."""
        get = (
            source.get
            if isinstance(source, dict)
            else lambda name, default: getattr(source, name, default)
        )
        return cls(**{f.name: get(f.name, f.default) or f.default for f in fields(cls)})

    def check(self) -> "Rules":
        for name, choices in (
            ("jua_basis", JuaBasis),
            ("non_member_to", NonMemberTo),
            ("jma_basis", JmaBasis),
            ("jma_balance", JmaBalance),
            ("leavers", Leavers),
        ):
            if getattr(self, name) not in choices.values:
                raise ValidationError({name: _("Choose one of the rules offered.")})
        return self

    def as_dict(self) -> dict:
        return {f.name: str(getattr(self, f.name)) for f in fields(self)}

    @property
    def transaction_roles(self) -> tuple[str, ...]:
        if self.jua_basis == JuaBasis.WITH_FINES:
            return TRANSACTION_ROLES + FINE_ROLES
        return TRANSACTION_ROLES

    @property
    def savings_roles(self) -> tuple[str, ...]:
        if self.jma_basis == JmaBasis.ALL_SAVINGS:
            return tuple(SAVINGS_ROLES)
        return CAPITAL_SAVINGS_ROLES


def _floor(value: Decimal) -> Decimal:
    return value.quantize(RUPIAH, rounding=ROUND_DOWN)


def part_roles(book: Book) -> dict[str, str]:
    """{percentage field: the account role its part is credited to} in this book."""
    roles = dict(SURPLUS_PARTS)
    if book.kind == Book.Kind.KSM:
        roles.update(KSM_ROLES)
    return roles


def available_parts(book: Book) -> list[str]:
    """The percentage fields this book can take: those whose account its chart has (a
    cooperative has no PADes, a BUMDes no members' services or board fund); a KSM's are
    reserve, members by savings and by participation, board and social."""
    roles = part_roles(book)
    held = set(
        book.accounts.filter(
            role__in=set(roles.values()), is_active=True, is_header=False
        ).values_list("role", flat=True)
    )
    if book.kind == Book.Kind.KSM:
        fields = KSM_PARTS
    else:
        fields = [
            name for name in PERCENT_FIELDS if name not in ("savings_pct", "participation_pct")
        ]
    return [name for name in fields if roles[name] in held]


# --- The allocation ----------------------------------------------------------------------------


@dataclass
class PartAmount:
    field: str
    role: str
    percent: Decimal
    amount: Decimal
    non_member: Decimal = ZERO  # of the amount, the surplus from business with non-members

    @property
    def label(self) -> str:
        return str(PART_LABELS[self.field])


@dataclass
class ShareAmount:
    """One member's basis and share: a member KSM's (`group`) in a cooperative's books, a
    person's (`member`) in a KSM's. `transactions` and `by_transactions` are JUA or jasa usaha,
    `savings` and `by_savings` JMA or jasa modal."""

    transactions: Decimal
    savings: Decimal
    group: SelfHelpGroup | None = None
    member: Member | None = None
    by_transactions: Decimal = ZERO
    by_savings: Decimal = ZERO
    left_date: datetime.date | None = None  # a member KSM that has left: its share is held

    @property
    def total(self) -> Decimal:
        return self.by_transactions + self.by_savings

    @property
    def name(self) -> str:
        return self.member.full_name if self.member is not None else self.group.name

    @property
    def key(self) -> tuple[str, int]:
        return ("member", self.member.pk) if self.member is not None else ("group", self.group.pk)


@dataclass
class Allocation:
    year: int
    surplus: Decimal
    parts: list[PartAmount]
    transactions_pct: Decimal
    by_transactions: Decimal = ZERO  # the JUA (jasa usaha) pool
    by_savings: Decimal = ZERO  # the JMA (jasa modal) pool
    shares: list[ShareAmount] = field(default_factory=list)
    rules: Rules = field(default_factory=Rules)
    # A cooperative's income in the year, and how much of it names a member KSM (its loans'
    # income, business lines naming it); the surplus from the rest, kept apart by the rule.
    income: Decimal = ZERO
    member_income: Decimal = ZERO
    non_member_surplus: Decimal = ZERO

    @property
    def non_member_income(self) -> Decimal:
        return max(self.income - self.member_income, ZERO)

    @property
    def mostly_non_member(self) -> bool:
        """Most of the year's income names no member: worth a word at the meeting."""
        return self.income > 0 and self.non_member_income * 2 > self.income

    @property
    def shared_surplus(self) -> Decimal:
        """The surplus the percentages share: all of it, less what went to reserve apart."""
        return self.surplus - self.non_member_surplus

    @property
    def savings_pct(self) -> Decimal:
        return HUNDRED - self.transactions_pct

    @property
    def members_part(self) -> Decimal:
        return sum((p.amount for p in self.parts if p.field in MEMBER_PARTS), ZERO)

    def part_amount(self, name: str) -> Decimal:
        return sum((p.amount for p in self.parts if p.field == name), ZERO)

    @property
    def total_transactions(self) -> Decimal:
        return sum((s.transactions for s in self.shares), ZERO)

    @property
    def total_savings(self) -> Decimal:
        return sum((s.savings for s in self.shares), ZERO)

    @property
    def digest(self) -> str:
        """A fingerprint of every figure: a preview posts only while it still holds."""
        text = repr(
            (
                self.year,
                str(self.surplus),
                [(p.field, str(p.percent), str(p.amount)) for p in self.parts],
                str(self.transactions_pct),
                [(s.key, str(s.transactions), str(s.savings), str(s.total)) for s in self.shares],
                sorted(self.rules.as_dict().items()),
                str(self.non_member_surplus),
            )
        )
        return hashlib.sha256(text.encode()).hexdigest()[:20]


def _member_groups(book: Book, year: int, rules: Rules):
    """The KSM that were members of the cooperative during the year (joined by 31 December,
    not left before 1 January), with the date each left, if it has; by the old rule only those
    still members."""
    start, end = datetime.date(year, 1, 1), year_end_date(year)
    memberships = CooperativeMembership.objects.filter(
        cooperative_id=book.cooperative_id, joined_date__lte=end
    ).filter(Q(left_date__isnull=True) | Q(left_date__gte=start))
    if rules.leavers == Leavers.FORFEIT:
        memberships = memberships.filter(left_date__isnull=True)
    left: dict[int, datetime.date | None] = {}
    for group_id, left_date in memberships.values_list("group_id", "left_date"):
        if group_id not in left:
            left[group_id] = left_date
        elif left[group_id] is None or left_date is None:
            left[group_id] = None  # a KSM that left and joined again is a member now
        else:
            left[group_id] = max(left[group_id], left_date)
    groups = SelfHelpGroup.objects.filter(pk__in=list(left)).order_by("name", "pk")
    return [(group, left[group.pk]) for group in groups]


def _year_income(book: Book, year: int) -> Decimal:
    """The year's income, as the year-end close took it off the income accounts (a few lines
    of one entry)."""
    rows = JournalLine.objects.filter(
        book=book,
        entry_date=year_end_date(year),
        entry__kind=EntryKind.YEAR_END,
        account__type="income",
    ).aggregate(debit=Sum("debit"), credit=Sum("credit"))
    return (rows["debit"] or ZERO) - (rows["credit"] or ZERO)


def _group_income(book: Book, year: int, ids: list[int]) -> dict[tuple[int, str], Decimal]:
    """{(member KSM id, income account role): what the year's lines naming it (or its loans)
    took in}: through the loan and party indexes, a few rows per KSM."""
    start, end = datetime.date(year, 1, 1), year_end_date(year)
    rows = (
        JournalLine.objects.filter(book=book, entry_date__gte=start, entry_date__lte=end)
        .filter(account__type="income")
        .filter(Q(loan__borrower_group_id__in=ids) | Q(party_group_id__in=ids))
        .order_by()
        .values("loan__borrower_group_id", "party_group_id", "account__role")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    )
    found: dict[tuple[int, str], Decimal] = {}
    for row in rows:
        group_id = row["loan__borrower_group_id"] or row["party_group_id"]
        key = (group_id, row["account__role"])
        found[key] = found.get(key, ZERO) + row["credit"] - row["debit"]
    return found


def _average_savings(book: Book, roles, year: int, ids: list[int]) -> dict[int, Decimal]:
    """{member KSM id: the average of its twelve month-end balances of the year on these
    savings accounts}, to the cent: the balance on 31 December, rolled back month by month by
    the year's lines (one grouped query), so a KSM that saved from December counts 1/12."""
    end = year_end_date(year)
    closing = _savings_on(book, roles, end, ids, party="group")
    moved: dict[tuple[int, int], Decimal] = {}
    for row in (
        JournalLine.objects.filter(
            book=book,
            account__role__in=roles,
            party_group_id__in=ids,
            entry_date__gte=datetime.date(year, 1, 1),
            entry_date__lte=end,
        )
        .order_by()
        .values("party_group_id", month=ExtractMonth("entry_date"))
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    ):
        key = (row["party_group_id"], row["month"])
        moved[key] = moved.get(key, ZERO) + row["credit"] - row["debit"]
    averages = {}
    for group_id in ids:
        balance, total = closing.get(group_id, ZERO), ZERO
        for month in range(12, 0, -1):
            total += balance  # the balance at the end of this month
            balance -= moved.get((group_id, month), ZERO)
        averages[group_id] = (total / 12).quantize(CENT, rounding=ROUND_HALF_UP)
    return averages


def member_figures(book: Book, year: int, rules: Rules | None = None) -> list[ShareAmount]:
    """Each member KSM's transactions in the year (JUA basis) and its savings (JMA basis, by
    the rules: pokok and wajib, averaged over the year's month-ends, by default), the share
    amounts still zero. Reads the year's lines naming the KSM and their savings lines, each
    through an index; never the book's whole history."""
    rules = rules or Rules()
    if book.group_id:
        return _person_figures(book, year)
    if not book.cooperative_id:
        return []
    end = year_end_date(year)
    members = _member_groups(book, year, rules)
    ids = [group.pk for group, _left in members]
    transactions: dict[int, Decimal] = {}
    counted = set(rules.transaction_roles) | {"income_business"}
    for (group_id, role), amount in _group_income(book, year, ids).items():
        if role in counted:
            transactions[group_id] = transactions.get(group_id, ZERO) + amount
    if rules.jma_balance == JmaBalance.AVERAGE:
        savings = _average_savings(book, rules.savings_roles, year, ids)
    else:
        savings = _savings_on(book, rules.savings_roles, end, ids, party="group")
    return [
        ShareAmount(
            group=group,
            transactions=max(transactions.get(group.pk, ZERO), ZERO),
            savings=max(savings.get(group.pk, ZERO), ZERO),
            left_date=left_date,
        )
        for group, left_date in members
    ]


def _savings_on(book: Book, roles, on_date, saver_ids, *, party: str = "member") -> dict:
    """{member (or member KSM) id: what they held on these savings accounts on the date}."""
    accounts = list(book.accounts.filter(role__in=roles))
    savings: dict[int, Decimal] = {}
    sums = saver_sums(book, accounts, on_date, saver_ids, party=party)
    for (saver, _account), net in sums.items():
        savings[saver] = savings.get(saver, ZERO) - net  # savings are owed: credit less debit
    return savings


def _active_members(book: Book):
    return Member.objects.filter(
        Exists(Membership.objects.active().filter(group_id=book.group_id, member_id=OuterRef("pk")))
    ).order_by("full_name", "pk")


def _person_figures(book: Book, year: int) -> list[ShareAmount]:
    """A KSM's active members, each with the interest and admin fees paid on their loans in
    the year and their pokok and wajib on 31 December (today's maintained balances less what
    was posted since). Reads the year's lines of one book and each member's lines after the
    year through their index: a KSM has 10-30 members."""
    start, end = datetime.date(year, 1, 1), year_end_date(year)
    members = list(_active_members(book))
    ids = [member.pk for member in members]
    # The members' loans first (a KSM has dozens), then their lines through the loan index.
    loans = dict(
        Loan.objects.filter(book=book, member_id__in=ids, disbursed_date__lte=end).values_list(
            "pk", "member_id"
        )
    )
    paid: dict[int, Decimal] = {}
    for row in (
        JournalLine.objects.filter(
            loan_id__in=list(loans),
            entry_date__gte=start,
            entry_date__lte=end,
            account__role__in=PARTICIPATION_ROLES,
        )
        .order_by()
        .values("loan_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    ):
        member_id = loans[row["loan_id"]]
        paid[member_id] = paid.get(member_id, ZERO) + row["credit"] - row["debit"]
    savings = _savings_on(book, CAPITAL_SAVINGS_ROLES, end, ids)
    return [
        ShareAmount(
            member=member,
            transactions=max(paid.get(member.pk, ZERO), ZERO),
            savings=max(savings.get(member.pk, ZERO), ZERO),
        )
        for member in members
    ]


def _split(pool: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """The pool by the weights to the rupiah, by largest remainder: each share rounded down,
    then the rupiahs left over one each to the shares that lost the most in rounding (the
    first on a tie), so the shares add up to the pool exactly. Cents in the pool go to the
    share with the largest remainder."""
    total = sum(weights, ZERO)
    if not pool or not total:
        return [ZERO for _w in weights]
    exact = [pool * weight / total for weight in weights]
    amounts = [_floor(value) for value in exact]
    left = pool - sum(amounts, ZERO)
    order = sorted(range(len(amounts)), key=lambda i: (amounts[i] - exact[i], i))
    whole = int(_floor(left))
    for i in order[:whole]:
        amounts[i] += RUPIAH
    amounts[order[0]] += left - whole
    return amounts


def check_percentages(book: Book, percentages: dict, transactions_pct) -> dict:
    """The percentages as Decimals, or a clear error: each 0-100, a part only where the book
    has its account, all adding up to 100."""
    allowed = available_parts(book)
    if not allowed:
        raise ValidationError(_("These books have no accounts to share a surplus into."))
    clean = {}
    for name in PERCENT_FIELDS:
        value = Decimal(str(percentages.get(name) or 0))
        if not ZERO <= value <= HUNDRED or value != value.quantize(Decimal("0.01")):
            raise ValidationError(
                {name: _("Write a percentage between 0 and 100, at most two decimals.")}
            )
        if value and name not in allowed:
            raise ValidationError(
                {name: _("These books have no account for this part; leave it at 0.")}
            )
        clean[name] = value.quantize(Decimal("0.01"))
    total = sum(clean.values(), ZERO)
    if total != HUNDRED:
        raise ValidationError(
            _("The percentages must add up to 100%%; now they add up to %(total)s%%.")
            % {"total": f"{total.normalize():f}"}
        )
    jua = Decimal(str(transactions_pct or 0))
    if not ZERO <= jua <= HUNDRED or jua != jua.quantize(Decimal("0.01")):
        raise ValidationError(
            {"transactions_pct": _("Write a percentage between 0 and 100, at most two decimals.")}
        )
    clean["transactions_pct"] = jua.quantize(Decimal("0.01"))
    return clean


def surplus_allocate(
    book: Book, year: int, percentages: dict, transactions_pct, rules: Rules | None = None
) -> Allocation:
    """Every part and every member's share of the year's surplus, to the rupiah, by the
    rounding rules in the package's docstring and, in a cooperative's books, the sharing
    rules (`Rules`). Reads only; raises a clear error when the year cannot be shared this
    way."""
    rules = (rules or Rules()).check()
    clean = check_percentages(book, percentages, transactions_pct)
    jua_pct = clean.pop("transactions_pct")
    surplus = year_surplus(book, year)
    if surplus <= 0:
        raise ValidationError(
            _("The year %(year)s closed without a surplus (%(amount)s); there is nothing to share.")
            % {"year": year, "amount": rupiah(surplus)}
        )
    allocation = Allocation(
        year=year, surplus=surplus, parts=[], transactions_pct=jua_pct, rules=rules
    )
    if book.cooperative_id:
        _non_member_surplus(book, allocation)
    shared = allocation.shared_surplus
    parts = [
        PartAmount(field=name, role=role, percent=clean[name], amount=ZERO)
        for name, role in part_roles(book).items()
        if clean[name] or (name == "reserve_pct" and allocation.non_member_surplus)
    ]
    for part in parts:
        if part.field != "reserve_pct":
            part.amount = _floor(shared * part.percent / HUNDRED)
    rest = shared - sum((p.amount for p in parts), ZERO)
    reserve = next((p for p in parts if p.field == "reserve_pct"), None)
    takes_rest = reserve
    if takes_rest is None or not takes_rest.percent:
        takes_rest = max((p for p in parts if p.percent), key=lambda p: (p.amount, -parts.index(p)))
    takes_rest.amount += rest
    if reserve is not None:
        reserve.non_member = allocation.non_member_surplus
        reserve.amount += allocation.non_member_surplus
    allocation.parts = parts
    members = allocation.members_part
    if not members:
        return allocation
    shares = member_figures(book, year, rules)
    if book.kind == Book.Kind.KSM:
        jua_pool, jma_pool = _ksm_pools(allocation, shares)
    else:
        jua_pool, jma_pool = _cooperative_pools(allocation, shares)
    allocation.by_transactions, allocation.by_savings = jua_pool, jma_pool
    by_transactions = _split(jua_pool, [s.transactions for s in shares])
    by_savings = _split(jma_pool, [s.savings for s in shares])
    for share, jua, jma in zip(shares, by_transactions, by_savings, strict=True):
        share.by_transactions, share.by_savings = jua, jma
    allocation.shares = [s for s in shares if s.transactions or s.savings]
    return allocation


def _non_member_surplus(book: Book, allocation: Allocation) -> None:
    """A cooperative's income in the year, the part naming its member KSM, and, when the
    rule sends it to reserve, the surplus from business with non-members: the surplus in the
    proportion of the income that names no member, rounded down to a rupiah."""
    year = allocation.year
    allocation.income = _year_income(book, year)
    members = _member_groups(book, year, Rules(leavers=Leavers.RECEIVE))
    income = _group_income(book, year, [group.pk for group, _left in members])
    allocation.member_income = min(sum(income.values(), ZERO), max(allocation.income, ZERO))
    if allocation.rules.non_member_to == NonMemberTo.RESERVE and allocation.income > 0:
        share = allocation.surplus * allocation.non_member_income / allocation.income
        allocation.non_member_surplus = min(max(_floor(share), ZERO), allocation.surplus)
        if allocation.non_member_surplus and "reserve" not in _held_roles(book):
            raise ValidationError(
                _("These books have no reserve account for the surplus from non-members.")
            )


def _held_roles(book: Book) -> set[str]:
    return set(book.accounts.filter(is_active=True, is_header=False).values_list("role", flat=True))


def _ksm_pools(allocation: Allocation, shares: list[ShareAmount]) -> tuple[Decimal, Decimal]:
    """A KSM's pools are the parts its meeting set: by participation and by savings."""
    year = allocation.year
    jua, jma = allocation.part_amount("participation_pct"), allocation.part_amount("savings_pct")
    if jua and not any(s.transactions for s in shares):
        raise ValidationError(
            {
                "participation_pct": _(
                    "No member paid loan interest or fees in %(year)s, so the part by "
                    "participation cannot be shared; set it to 0."
                )
                % {"year": year}
            }
        )
    if jma and not any(s.savings for s in shares):
        raise ValidationError(
            {
                "savings_pct": _(
                    "No member held pokok or wajib savings at the end of %(year)s, so the "
                    "part by savings cannot be shared; set it to 0."
                )
                % {"year": year}
            }
        )
    return jua, jma


def _cooperative_pools(
    allocation: Allocation, shares: list[ShareAmount]
) -> tuple[Decimal, Decimal]:
    """A cooperative's members' part, split by transactions (JUA) in the chosen ratio and by
    savings (JMA) for the rest; all of it by the one figure when no KSM has the other."""
    members = allocation.members_part
    has_transactions = any(s.transactions for s in shares)
    has_savings = any(s.savings for s in shares)
    if not has_transactions and not has_savings:
        raise ValidationError(
            {
                "members_pct": _(
                    "No member KSM had savings or loan transactions in %(year)s, so the "
                    "members' part cannot be shared; set it to 0."
                )
                % {"year": allocation.year}
            }
        )
    jua_pool = _floor(members * allocation.transactions_pct / HUNDRED)
    if not has_transactions:
        jua_pool = ZERO
    elif not has_savings:
        jua_pool = members
    return jua_pool, members - jua_pool
