"""The meeting's decision kept as a draft, and the distribution posted in one entry."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ksm_portal.services_base import validated_save

from ...models import (
    Book,
    EntryKind,
    JournalEntry,
    SurplusDistribution,
    SurplusShare,
)
from ...money import rupiah
from ..posting import Line, _lock_book, accounts_for, journal_post
from .allocation import (
    MEMBER_PARTS,
    PERCENT_FIELDS,
    Allocation,
    Rules,
    ShareAmount,
    surplus_allocate,
)
from .years import year_closed, year_end_date

SharesTo = SurplusDistribution.SharesTo


def _check_year(book: Book, year: int, decided_date: datetime.date | None) -> None:
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


def _check_shares_to(book: Book, shares_to: str) -> str:
    """A KSM's members' shares go to SHU payable or to their voluntary savings; a
    cooperative's member KSM's always to SHU payable."""
    if shares_to not in SharesTo.values or (
        shares_to != SharesTo.PAYABLE and book.kind != Book.Kind.KSM
    ):
        raise ValidationError(
            {"shares_to": _("Choose where the members' shares go: SHU payable or sukarela.")}
        )
    return shares_to


def _posted_already(book: Book, year: int) -> SurplusDistribution | None:
    return SurplusDistribution.objects.filter(
        book=book, year=year, status=SurplusDistribution.Status.POSTED
    ).first()


def _refuse_if_posted(book: Book, year: int) -> None:
    if _posted_already(book, year):
        raise ValidationError(
            _("The surplus of %(year)s has already been distributed.") % {"year": year}
        )


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _keep(
    book: Book,
    year: int,
    *,
    decided_date,
    allocation: Allocation,
    shares_to: str,
    percentages: dict,
    actor,
) -> SurplusDistribution:
    """The year's distribution row (the draft, or a new one) with the meeting's decision."""
    kept = SurplusDistribution.objects.select_for_update().filter(
        book=book, year=year
    ).first() or SurplusDistribution(book=book, year=year, created_by=_actor(actor))
    kept.decided_date = decided_date
    kept.surplus = allocation.surplus
    kept.transactions_pct = allocation.transactions_pct
    kept.shares_to = shares_to
    for name, value in allocation.rules.as_dict().items():
        setattr(kept, name, value)
    kept.non_member_surplus = allocation.non_member_surplus
    for name in PERCENT_FIELDS:
        setattr(kept, name, Decimal(str(percentages.get(name) or 0)))
    if _actor(actor):
        kept._history_user = actor
    return kept


@transaction.atomic
def surplus_plan_save(
    *,
    book: Book,
    year: int,
    decided_date: datetime.date,
    transactions_pct=Decimal(60),
    shares_to: str = SharesTo.PAYABLE,
    rules: Rules | None = None,
    actor=None,
    **percentages,
) -> SurplusDistribution:
    """Keep the meeting's decision as a draft for the preview (one per year; saving again
    replaces the draft). Nothing is posted."""
    book = _lock_book(book)
    _check_year(book, year, decided_date)
    _check_shares_to(book, shares_to)
    _refuse_if_posted(book, year)
    allocation = surplus_allocate(book, year, percentages, transactions_pct, rules)
    draft = _keep(
        book,
        year,
        decided_date=decided_date,
        allocation=allocation,
        shares_to=shares_to,
        percentages=percentages,
        actor=actor,
    )
    return validated_save(draft)


def distribution_percentages(distribution: SurplusDistribution) -> dict:
    return {name: getattr(distribution, name) for name in PERCENT_FIELDS}


def distribution_rules(distribution: SurplusDistribution) -> Rules:
    """The sharing rules the meeting chose for the year, as kept on its distribution."""
    return Rules.of(distribution)


def _share_memo(book: Book, year: int, share: ShareAmount) -> str:
    if book.kind == Book.Kind.KSM:
        return _("SHU %(year)s: jasa modal %(savings)s, jasa usaha %(participation)s") % {
            "year": year,
            "savings": rupiah(share.by_savings),
            "participation": rupiah(share.by_transactions),
        }
    memo = _("SHU %(year)s: JUA %(jua)s, JMA %(jma)s") % {
        "year": year,
        "jua": rupiah(share.by_transactions),
        "jma": rupiah(share.by_savings),
    }
    if share.left_date is not None:
        memo += " · " + _("held for a former member (left %(date)s)") % {
            "date": share.left_date.strftime("%d-%m-%Y")
        }
    return memo


def _lines(book: Book, allocation: Allocation, shares_to: str) -> list[Line]:
    """Retained surplus debited by the year's surplus; each part's account credited, the
    members' parts one line per member on SHU payable or their voluntary savings."""
    share_role = "savings_voluntary" if shares_to == SharesTo.VOLUNTARY else "surplus_payable"
    parts = [p for p in allocation.parts if p.field not in MEMBER_PARTS and p.amount]
    roles = [p.role for p in parts]
    if allocation.members_part:
        roles.append(share_role)
    accounts = dict(zip(roles, accounts_for(book, *roles), strict=True))
    (retained,) = accounts_for(book, "retained_surplus")
    lines = [Line(account=retained, debit=allocation.surplus)]
    lines += [Line(account=accounts[p.role], credit=p.amount) for p in parts]
    lines += [
        Line(
            account=accounts[share_role],
            credit=share.total,
            group=share.group,
            member=share.member,
            memo=_share_memo(book, allocation.year, share),
        )
        for share in allocation.shares
        if share.total
    ]
    return lines


@transaction.atomic
def surplus_distribute(
    *,
    book: Book,
    year: int,
    decided_date: datetime.date,
    transactions_pct=Decimal(60),
    shares_to: str = SharesTo.PAYABLE,
    rules: Rules | None = None,
    actor=None,
    token: str | None = None,
    expected: str | None = None,
    **percentages,
) -> SurplusDistribution:
    """Post the year's surplus distribution: one entry (kind SURPLUS_DISTRIBUTION) dated the
    meeting's day that debits retained surplus by the year's surplus and credits each part's
    account, the members' part per member (a cooperative's member KSM, a KSM's members) to
    surplus payable, or in a KSM's books to each member's voluntary savings if the meeting
    chose so; the shares are kept. Refused when the year is not closed, its surplus is not
    positive, it was distributed already, or the percentages do not add up to 100. With
    `expected` (the digest of the preview the user confirmed), figures that changed since are
    refused, not posted."""
    book = _lock_book(book)
    if token:
        repeat = JournalEntry.objects.filter(token=token, book=book).first()
        if repeat is not None:
            found = SurplusDistribution.objects.filter(entry=repeat).first()
            if found is not None:
                return found
            raise ValidationError(_("This form does not belong to these books."))
    _check_year(book, year, decided_date)
    _check_shares_to(book, shares_to)
    _refuse_if_posted(book, year)
    allocation = surplus_allocate(book, year, percentages, transactions_pct, rules)
    if expected is not None and expected != allocation.digest:
        raise ValidationError(
            _(
                "The figures changed since the preview (an entry was posted meanwhile). "
                "Nothing was posted; check the new preview and post again."
            )
        )
    posted = journal_post(
        book=book,
        entry_date=decided_date,
        description=_("Distribution of the %(year)s surplus") % {"year": year},
        lines=_lines(book, allocation, shares_to),
        kind=EntryKind.SURPLUS_DISTRIBUTION,
        actor=actor,
        token=token,
    )
    distribution = _keep(
        book,
        year,
        decided_date=decided_date,
        allocation=allocation,
        shares_to=shares_to,
        percentages=percentages,
        actor=actor,
    )
    distribution.status = SurplusDistribution.Status.POSTED
    distribution.entry = posted.entry
    validated_save(distribution)
    SurplusShare.objects.bulk_create(
        SurplusShare(
            distribution=distribution,
            group=share.group,
            member=share.member,
            transactions=share.transactions,
            savings=share.savings,
            by_transactions=share.by_transactions,
            by_savings=share.by_savings,
        )
        for share in allocation.shares
    )
    return distribution
