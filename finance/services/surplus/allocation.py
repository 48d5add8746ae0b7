"""Working a year's surplus out into parts and member shares, to the rupiah (the rules
are in the package's docstring). Reads only."""

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups.models import CooperativeMembership, Member, Membership, SelfHelpGroup

from ...charts import SAVINGS_ROLES
from ...models import ZERO, Book, JournalLine, Loan
from ...models.surplus import SURPLUS_PARTS
from ...money import rupiah
from ...selectors.ledgers import saver_sums
from .years import year_end_date, year_surplus

HUNDRED = Decimal(100)
RUPIAH = Decimal(1)
PERCENT_FIELDS = tuple(name for name, _role in SURPLUS_PARTS)
TRANSACTION_ROLES = ("income_interest", "income_fines", "income_admin")
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
            )
        )
        return hashlib.sha256(text.encode()).hexdigest()[:20]


def _member_groups(book: Book):
    return SelfHelpGroup.objects.filter(
        Exists(
            CooperativeMembership.objects.filter(
                cooperative_id=book.cooperative_id, group_id=OuterRef("pk"), left_date__isnull=True
            )
        )
    ).order_by("name", "pk")


def member_figures(book: Book, year: int) -> list[ShareAmount]:
    """Each current member KSM's transactions in the year and savings at its end (the share
    amounts still zero). Reads the year's loan income lines and the savings lines after
    31 December, each through an index; never the book's whole history."""
    if book.group_id:
        return _person_figures(book, year)
    if not book.cooperative_id:
        return []
    start, end = datetime.date(year, 1, 1), year_end_date(year)
    groups = list(_member_groups(book))
    ids = [group.pk for group in groups]
    transactions: dict[int, Decimal] = {}
    income = JournalLine.objects.filter(
        book=book, entry_date__gte=start, entry_date__lte=end
    ).order_by()
    for key, condition in (
        (
            "loan__borrower_group_id",
            Q(account__role__in=TRANSACTION_ROLES, loan__borrower_group_id__in=ids),
        ),
        ("party_group_id", Q(account__role="income_business", party_group_id__in=ids)),
    ):
        for row in (
            income.filter(condition).values(key).annotate(debit=Sum("debit"), credit=Sum("credit"))
        ):
            transactions[row[key]] = transactions.get(row[key], ZERO) + row["credit"] - row["debit"]
    # Savings on 31 December, from the kept balances and the lines on the shorter side.
    savings = _savings_on(book, SAVINGS_ROLES, end, ids, party="group")
    return [
        ShareAmount(
            group=group,
            transactions=max(transactions.get(group.pk, ZERO), ZERO),
            savings=max(savings.get(group.pk, ZERO), ZERO),
        )
        for group in groups
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


def surplus_allocate(book: Book, year: int, percentages: dict, transactions_pct) -> Allocation:
    """Every part and every member's share of the year's surplus, to the rupiah, by the
    rounding rules in the package's docstring. Reads only; raises a clear error when the
    year cannot be shared this way."""
    clean = check_percentages(book, percentages, transactions_pct)
    jua_pct = clean.pop("transactions_pct")
    surplus = year_surplus(book, year)
    if surplus <= 0:
        raise ValidationError(
            _("The year %(year)s closed without a surplus (%(amount)s); there is nothing to share.")
            % {"year": year, "amount": rupiah(surplus)}
        )
    parts = [
        PartAmount(field=name, role=role, percent=clean[name], amount=ZERO)
        for name, role in part_roles(book).items()
        if clean[name]
    ]
    for part in parts:
        if part.field != "reserve_pct":
            part.amount = _floor(surplus * part.percent / HUNDRED)
    rest = surplus - sum((p.amount for p in parts), ZERO)
    takes_rest = next((p for p in parts if p.field == "reserve_pct"), None)
    if takes_rest is None:
        takes_rest = max(parts, key=lambda p: (p.amount, -parts.index(p)))
    takes_rest.amount += rest
    allocation = Allocation(year=year, surplus=surplus, parts=parts, transactions_pct=jua_pct)
    members = allocation.members_part
    if not members:
        return allocation
    shares = member_figures(book, year)
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
