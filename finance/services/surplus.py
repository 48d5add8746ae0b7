"""Sharing a closed year's surplus: a cooperative's SHU, a BUMDes's profit with the village's
share (PADes), and paying the shares out.

The members' meeting (RAT) or the village meeting sets the percentages. `surplus_allocate`
works every part and every member KSM's share out to the rupiah; the preview page shows it
and `surplus_distribute` posts exactly that (it recomputes under the book's lock, and a
preview's digest that no longer matches is refused instead of posting other figures).

Rounding, to whole rupiah:
1. Each part except the reserve is the surplus * its percentage / 100, rounded down to a
   whole rupiah. The reserve takes the rest: its own percentage and every part's remainder,
   cents of the surplus included. With a 0% reserve the rest goes to the largest part
   instead (the first in the order of the form on a tie).
2. The members' part splits into a pool by transactions (JUA): the part * the JUA
   percentage / 100, rounded down; and a pool by savings (JMA): the rest of the part.
3. In each pool a member KSM's share is the pool * its figure / all member KSM's figures,
   rounded down; the pool's remainder goes to the KSM with the largest share (the first by
   name on a tie). When no KSM has any transactions (or any savings) the whole members' part
   goes by the other figure; when neither, the distribution is refused.

A member KSM's transactions are the interest, fines and loan admin fees it paid in the year
(the lines of its loans on those income accounts) plus business income lines that name it;
its savings are its pokok, wajib and sukarela balances on 31 December. KSM that have left
the cooperative get no share.
"""

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups.models import CooperativeMembership, SelfHelpGroup
from ksm_portal.services_base import validated_save

from ..charts import SAVINGS_ROLES
from ..models import (
    ZERO,
    Book,
    EntryKind,
    GroupBalance,
    JournalEntry,
    JournalLine,
    SurplusDistribution,
    SurplusShare,
)
from ..models.surplus import SURPLUS_PARTS
from ..money import rupiah
from ..selectors.balances import account_balance_now
from .posting import Line, Posted, _lock_book, accounts_for, clean_amount, journal_post
from .treasurer import group_balance

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


# --- What there is to share --------------------------------------------------------------------


def year_end_date(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def year_closed(book: Book, year: int) -> bool:
    return bool(book.closed_through and book.closed_through >= year_end_date(year))


def closed_years_surplus(book: Book) -> dict[int, Decimal]:
    """{year: surplus} of every closed year: what the year-end close moved into retained
    surplus on 31 December (a few lines of the year-end entries, found by their index)."""
    if not book.closed_through:
        return {}
    entries = JournalEntry.objects.filter(
        book=book, kind=EntryKind.YEAR_END, entry_date__lte=book.closed_through
    ).values("id")
    rows = (
        JournalLine.objects.filter(entry_id__in=entries, account__role="retained_surplus")
        .order_by()
        .values("entry_date")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    )
    found = {row["entry_date"].year: row["credit"] - row["debit"] for row in rows}
    first = book.opening_date.year
    last = book.closed_through.year
    if book.closed_through < year_end_date(last):
        last -= 1
    return {year: found.get(year, ZERO) for year in range(first, last + 1)}


def year_surplus(book: Book, year: int) -> Decimal:
    rows = JournalLine.objects.filter(
        entry__book=book,
        entry__kind=EntryKind.YEAR_END,
        entry_date=year_end_date(year),
        book=book,
        account__role="retained_surplus",
    ).aggregate(debit=Sum("debit"), credit=Sum("credit"))
    return (rows["credit"] or ZERO) - (rows["debit"] or ZERO)


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


# --- Drafts and posting ------------------------------------------------------------------------


def _check_year(book: Book, year: int, decided_date: datetime.date | None) -> None:
    if book.kind == Book.Kind.KSM:
        raise ValidationError(_("A surplus is shared in a cooperative's or a BUMDes's books."))
    if not year_closed(book, year):
        raise ValidationError(
            {
                "year": _("The year %(year)s is not closed yet; close it first (Periods).")
                % {"year": year}
            }
        )
    if decided_date is not None:
        if decided_date <= year_end_date(year):
            raise ValidationError(
                {"decided_date": _("The meeting that shares the surplus comes after the year.")}
            )
        if decided_date > timezone.localdate():
            raise ValidationError({"decided_date": _("This date is in the future.")})


def _posted_already(book: Book, year: int) -> SurplusDistribution | None:
    return SurplusDistribution.objects.filter(
        book=book, year=year, status=SurplusDistribution.Status.POSTED
    ).first()


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def surplus_plan_save(
    *,
    book: Book,
    year: int,
    decided_date: datetime.date,
    transactions_pct=ZERO,
    actor=None,
    **percentages,
) -> SurplusDistribution:
    """Keep the meeting's decision as a draft for the preview (one per year; saving again
    replaces the draft). Nothing is posted."""
    book = _lock_book(book)
    _check_year(book, year, decided_date)
    if _posted_already(book, year):
        raise ValidationError(
            _("The surplus of %(year)s has already been distributed.") % {"year": year}
        )
    allocation = surplus_allocate(book, year, percentages, transactions_pct)
    draft = SurplusDistribution.objects.select_for_update().filter(
        book=book, year=year
    ).first() or SurplusDistribution(book=book, year=year, created_by=_actor(actor))
    draft.decided_date = decided_date
    draft.surplus = allocation.surplus
    draft.transactions_pct = allocation.transactions_pct
    for name in PERCENT_FIELDS:
        setattr(draft, name, Decimal(str(percentages.get(name) or 0)))
    if _actor(actor):
        draft._history_user = actor
    return validated_save(draft)


def distribution_percentages(distribution: SurplusDistribution) -> dict:
    return {name: getattr(distribution, name) for name in PERCENT_FIELDS}


@transaction.atomic
def surplus_distribute(
    *,
    book: Book,
    year: int,
    decided_date: datetime.date,
    transactions_pct=ZERO,
    actor=None,
    token: str | None = None,
    expected: str | None = None,
    **percentages,
) -> SurplusDistribution:
    """Post the year's surplus distribution: one entry (kind SURPLUS_DISTRIBUTION) dated the
    meeting's day that debits retained surplus by the year's surplus and credits each part's
    account, the members' part to surplus payable per member KSM; the shares are kept.
    Refused when the year is not closed, its surplus is not positive, it was distributed
    already, or the percentages do not add up to 100. With `expected` (the digest of the
    preview the user confirmed), figures that changed since are refused, not posted."""
    book = _lock_book(book)
    if token:
        repeat = JournalEntry.objects.filter(token=token, book=book).first()
        if repeat is not None:
            found = SurplusDistribution.objects.filter(entry=repeat).first()
            if found is not None:
                return found
            raise ValidationError(_("This form does not belong to these books."))
    _check_year(book, year, decided_date)
    if _posted_already(book, year):
        raise ValidationError(
            _("The surplus of %(year)s has already been distributed.") % {"year": year}
        )
    allocation = surplus_allocate(book, year, percentages, transactions_pct)
    if expected is not None and expected != allocation.digest:
        raise ValidationError(
            _(
                "The figures changed since the preview (an entry was posted meanwhile). "
                "Nothing was posted; check the new preview and post again."
            )
        )
    roles = [p.role for p in allocation.parts]
    accounts = dict(zip(roles, accounts_for(book, *roles), strict=True))
    (retained,) = accounts_for(book, "retained_surplus")
    lines = [Line(account=retained, debit=allocation.surplus)]
    for part in allocation.parts:
        if part.field == "members_pct":
            for share in allocation.shares:
                if share.total:
                    lines.append(
                        Line(
                            account=accounts[part.role],
                            credit=share.total,
                            group=share.group,
                            memo=_("SHU %(year)s: JUA %(jua)s, JMA %(jma)s")
                            % {
                                "year": year,
                                "jua": rupiah(share.by_transactions),
                                "jma": rupiah(share.by_savings),
                            },
                        )
                    )
        elif part.amount:
            lines.append(Line(account=accounts[part.role], credit=part.amount))
    posted = journal_post(
        book=book,
        entry_date=decided_date,
        description=_("Distribution of the %(year)s surplus") % {"year": year},
        lines=lines,
        kind=EntryKind.SURPLUS_DISTRIBUTION,
        actor=actor,
        token=token,
    )
    distribution = SurplusDistribution.objects.select_for_update().filter(
        book=book, year=year
    ).first() or SurplusDistribution(book=book, year=year, created_by=_actor(actor))
    distribution.decided_date = decided_date
    distribution.surplus = allocation.surplus
    distribution.transactions_pct = allocation.transactions_pct
    for name in PERCENT_FIELDS:
        setattr(distribution, name, Decimal(str(percentages.get(name) or 0)))
    distribution.status = SurplusDistribution.Status.POSTED
    distribution.entry = posted.entry
    if _actor(actor):
        distribution._history_user = actor
    validated_save(distribution)
    SurplusShare.objects.bulk_create(
        SurplusShare(
            distribution=distribution,
            group=share.group,
            transactions=share.transactions,
            savings=share.savings,
            by_transactions=share.by_transactions,
            by_savings=share.by_savings,
        )
        for share in allocation.shares
    )
    return distribution


# --- Paying shares out -------------------------------------------------------------------------


def _pay(
    *,
    book: Book,
    role: str,
    amount,
    entry_date: datetime.date,
    source: str,
    description: str,
    receipt_ref: str,
    actor,
    token: str | None,
    group: SelfHelpGroup | None = None,
    owed_message,
) -> Posted:
    book = _lock_book(book)
    if token:
        repeat = JournalEntry.objects.filter(token=token, book=book).first()
        if repeat is not None:
            return Posted(entry=repeat, created=False)
    if source not in SOURCES:
        raise ValidationError({"source": _("Choose cash or bank.")})
    amount = clean_amount(amount)
    payable, money = accounts_for(book, role, source)
    owed = group_balance(book, group, payable) if group else account_balance_now(payable)
    if amount > owed:
        raise ValidationError({"amount": owed_message(rupiah(owed))})
    available = account_balance_now(money)
    if amount > available:
        raise ValidationError(
            {
                "source": _("There is only %(available)s to pay with.")
                % {"available": rupiah(available)}
            }
        )
    return journal_post(
        book=book,
        entry_date=entry_date,
        description=description,
        receipt_ref=receipt_ref,
        lines=[
            Line(account=payable, debit=amount, group=group),
            Line(account=money, credit=amount),
        ],
        kind=EntryKind.SURPLUS_PAYMENT,
        actor=actor,
        token=token,
    )


@transaction.atomic
def surplus_pay(
    *,
    book: Book,
    group: SelfHelpGroup,
    amount,
    entry_date: datetime.date,
    source: str = "cash",
    description: str = "",
    receipt_ref: str = "",
    actor=None,
    token: str | None = None,
) -> Posted:
    """Pay a member KSM (some of) its SHU share: never more than it is owed."""
    return _pay(
        book=book,
        role="surplus_payable",
        group=group,
        amount=amount,
        entry_date=entry_date,
        source=source,
        description=description or _("SHU paid to %(group)s") % {"group": group.name},
        receipt_ref=receipt_ref,
        actor=actor,
        token=token,
        owed_message=lambda owed: (
            _("%(group)s is owed only %(owed)s of SHU.") % {"group": group.name, "owed": owed}
        ),
    )


@transaction.atomic
def pades_pay(
    *,
    book: Book,
    amount,
    entry_date: datetime.date,
    source: str = "cash",
    description: str = "",
    receipt_ref: str = "",
    actor=None,
    token: str | None = None,
) -> Posted:
    """Pay the village its share of the BUMDes's profit (PADes): never more than is owed."""
    return _pay(
        book=book,
        role="pades_payable",
        amount=amount,
        entry_date=entry_date,
        source=source,
        description=description or _("Village's share of profit (PADes) paid to the village"),
        receipt_ref=receipt_ref,
        actor=actor,
        token=token,
        owed_message=lambda owed: _("The village is owed only %(owed)s.") % {"owed": owed},
    )
