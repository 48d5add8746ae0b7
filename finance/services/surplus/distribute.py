"""The meeting's decision kept as a draft, and the distribution posted in one entry."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ksm_portal.services_base import validated_save

from ...models import (
    ZERO,
    Book,
    EntryKind,
    JournalEntry,
    SurplusDistribution,
    SurplusShare,
)
from ...money import rupiah
from ..posting import Line, _lock_book, accounts_for, journal_post
from .allocation import PERCENT_FIELDS, surplus_allocate
from .years import year_closed, year_end_date

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
