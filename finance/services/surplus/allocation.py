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

from groups.models import CooperativeMembership, SelfHelpGroup

from ...charts import SAVINGS_ROLES
from ...models import (
    ZERO,
    Book,
    GroupBalance,
    JournalLine,
)
from ...models.surplus import SURPLUS_PARTS
from ...money import rupiah
from .years import year_end_date, year_surplus

HUNDRED = Decimal(100)
RUPIAH = Decimal(1)
PERCENT_FIELDS = tuple(name for name, _role in SURPLUS_PARTS)
TRANSACTION_ROLES = ("income_interest", "income_fines", "income_admin")
SOURCES = ("cash", "bank")

PART_LABELS = {
    "reserve_pct": gettext_lazy("Reserve"),
    "members_pct": gettext_lazy("Members' services"),
    "board_pct": gettext_lazy("Board"),
    "staff_pct": gettext_lazy("Staff"),
    "education_pct": gettext_lazy("Education"),
    "social_pct": gettext_lazy("Social"),
    "village_pct": gettext_lazy("Village's share (PADes)"),
    "other_pct": gettext_lazy("Others"),
}


def _floor(value: Decimal) -> Decimal:
    return value.quantize(RUPIAH, rounding=ROUND_DOWN)


def available_parts(book: Book) -> list[str]:
    """The percentage fields this book can take: those whose account its chart has (a
    cooperative has no PADes, a BUMDes no members' services or board fund)."""
    roles = set(
        book.accounts.filter(
            role__in=[role for _f, role in SURPLUS_PARTS], is_active=True, is_header=False
        ).values_list("role", flat=True)
    )
    if book.kind == Book.Kind.KSM:
        return []
    return [name for name, role in SURPLUS_PARTS if role in roles]


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
    group: SelfHelpGroup
    transactions: Decimal
    savings: Decimal
    by_transactions: Decimal = ZERO
    by_savings: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.by_transactions + self.by_savings


@dataclass
class Allocation:
    year: int
    surplus: Decimal
    parts: list[PartAmount]
    transactions_pct: Decimal
    by_transactions: Decimal = ZERO  # the JUA pool
    by_savings: Decimal = ZERO  # the JMA pool
    shares: list[ShareAmount] = field(default_factory=list)

    @property
    def members_part(self) -> Decimal:
        return sum((p.amount for p in self.parts if p.field == "members_pct"), ZERO)

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
                [
                    (s.group.pk, str(s.transactions), str(s.savings), str(s.total))
                    for s in self.shares
                ],
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
    # Savings on 31 December: today's maintained balances less what was posted since.
    savings: dict[int, Decimal] = {}
    for row in (
        GroupBalance.objects.filter(book=book, group_id__in=ids, account__role__in=SAVINGS_ROLES)
        .order_by()
        .values("group_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    ):
        savings[row["group_id"]] = row["credit"] - row["debit"]
    for row in (
        JournalLine.objects.filter(
            book=book,
            party_group_id__in=ids,
            account__role__in=SAVINGS_ROLES,
            entry_date__gt=end,
        )
        .order_by()
        .values("party_group_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    ):
        savings[row["party_group_id"]] = (
            savings.get(row["party_group_id"], ZERO) - row["credit"] + row["debit"]
        )
    return [
        ShareAmount(
            group=group,
            transactions=max(transactions.get(group.pk, ZERO), ZERO),
            savings=max(savings.get(group.pk, ZERO), ZERO),
        )
        for group in groups
    ]


def _split(pool: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """The pool by the weights, each rounded down to a rupiah; the remainder to the largest."""
    total = sum(weights, ZERO)
    if not pool or not total:
        return [ZERO for _w in weights]
    amounts = [_floor(pool * weight / total) for weight in weights]
    largest = max(range(len(amounts)), key=lambda i: (amounts[i], -i))
    amounts[largest] += pool - sum(amounts, ZERO)
    return amounts


def check_percentages(book: Book, percentages: dict, transactions_pct) -> dict:
    """The percentages as Decimals, or a clear error: each 0-100, a part only where the book
    has its account, all adding up to 100."""
    allowed = available_parts(book)
    if not allowed:
        raise ValidationError(_("A surplus is shared in a cooperative's or a BUMDes's books."))
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
    """Every part and every member KSM's share of the year's surplus, to the rupiah, by the
    rounding rules in this module's docstring. Reads only; raises a clear error when the
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
        for name, role in SURPLUS_PARTS
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
    has_transactions = any(s.transactions for s in shares)
    has_savings = any(s.savings for s in shares)
    if not has_transactions and not has_savings:
        raise ValidationError(
            {
                "members_pct": _(
                    "No member KSM had savings or loan transactions in %(year)s, so the "
                    "members' part cannot be shared; set it to 0."
                )
                % {"year": year}
            }
        )
    jua_pool = _floor(members * jua_pct / HUNDRED)
    if not has_transactions:
        jua_pool = ZERO
    elif not has_savings:
        jua_pool = members
    allocation.by_transactions, allocation.by_savings = jua_pool, members - jua_pool
    by_transactions = _split(jua_pool, [s.transactions for s in shares])
    by_savings = _split(members - jua_pool, [s.savings for s in shares])
    for share, jua, jma in zip(shares, by_transactions, by_savings, strict=True):
        share.by_transactions, share.by_savings = jua, jma
    allocation.shares = [s for s in shares if s.transactions or s.savings]
    return allocation
