"""Closing months and years.

A book is closed month by month, in order: `Book.closed_through` is the last day of the last
closed month and `journal_post` refuses any date on or before it. Each close and reopen is
written on the month's FiscalPeriod row, whose history (django-simple-history) keeps every one.

December is closed only by the year-end close, which first posts the closing entries dated
31 December (while December is still open, so `journal_post` accepts them) and then closes
December. A year is therefore closed exactly when December is, running the year-end twice is
refused because December is already closed, and if staff reopen December to correct it, the
next year-end close moves only what changed since the first.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from groups.models import Cooperative, SelfHelpGroup
from ksm_portal.scope import user_scope
from villages.models import Bumdes

from ..models import (
    ZERO,
    AccountMonth,
    AccountType,
    Book,
    EntryKind,
    FiscalPeriod,
    JournalEntry,
)
from ..selectors import account_totals, month_end
from .posting import Line, _lock_book, account_for, journal_post


def month_label(month: datetime.date) -> str:
    """e.g. "January 2017" (month names follow the user's language)."""
    return date_format(month, "F Y")


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def owner_editable_by(user, book: Book) -> bool:
    """Finance staff, and whoever may change the owner (its own `editable_by` rule: program
    staff, and for a KSM or BUMDes the facilitators of its village)."""
    if not _active(user):
        return False
    if user_scope(user).posts_anywhere:
        return True
    if book.group_id:
        return SelfHelpGroup.objects.editable_by(user).filter(pk=book.group_id).exists()
    if book.bumdes_id:
        return Bumdes.objects.editable_by(user).filter(pk=book.bumdes_id).exists()
    return Cooperative.objects.editable_by(user).filter(pk=book.cooperative_id).exists()


def may_close(user, book: Book) -> bool:
    """Who closes a month after the monthly meeting has checked the books: those who post
    (the treasurer, staff) and the facilitators who check the books with them. Closing only
    locks, and only staff can reopen, so nobody can use it to change what was posted."""
    if not _active(user):
        return False
    if book.is_postable_by(user):
        return True
    return owner_editable_by(user, book)


def may_reopen(user) -> bool:
    return user_scope(user).reopens_periods


def _actor(actor):
    return actor if _active(actor) else None


def next_month_to_close(book: Book) -> datetime.date:
    """The first day of the earliest month that is still open."""
    if book.closed_through is None:
        return book.opening_date.replace(day=1)
    return book.closed_through + datetime.timedelta(days=1)


def last_closed_month(book: Book) -> datetime.date | None:
    return book.closed_through.replace(day=1) if book.closed_through else None


def has_ended(month: datetime.date, today: datetime.date | None = None) -> bool:
    return month_end(month) < (today or timezone.localdate())


def year_end_due(book: Book, today: datetime.date | None = None) -> int | None:
    """The year whose year-end close may run now: every month before December is closed and
    December has ended. None when no year-end close is possible."""
    month = next_month_to_close(book)
    if month.month == 12 and has_ended(month, today):
        return month.year
    return None


def _mark_closed(book: Book, month: datetime.date, actor) -> FiscalPeriod:
    """Under the book's lock: record the close and move closed_through to the month's end."""
    period = FiscalPeriod.objects.filter(book=book, month=month).first()
    if period is None:
        period = FiscalPeriod(book=book, month=month)
    period.closed_at = timezone.now()
    period.closed_by = _actor(actor)
    period._history_user = _actor(actor)
    period.save()
    book.closed_through = month_end(month)
    book._history_user = _actor(actor)
    book.save(update_fields=["closed_through"])
    return period


def _check_closable(book: Book, month: datetime.date) -> None:
    if month < book.opening_date.replace(day=1):
        raise ValidationError(
            _("The books opened on %(date)s; there is nothing to close before it.")
            % {"date": book.opening_date.strftime("%d-%m-%Y")}
        )
    expected = next_month_to_close(book)
    if month < expected:
        raise ValidationError(_("%(month)s is already closed.") % {"month": month_label(month)})
    if month > expected:
        raise ValidationError(
            _("Months are closed in order: close %(month)s first.")
            % {"month": month_label(expected)}
        )
    if not has_ended(month):
        raise ValidationError(
            _("%(month)s has not ended yet; it can be closed from %(date)s.")
            % {
                "month": month_label(month),
                "date": (month_end(month) + datetime.timedelta(days=1)).strftime("%d-%m-%Y"),
            }
        )


@transaction.atomic
def period_close(*, book: Book, month: datetime.date, actor) -> FiscalPeriod:
    """Close one month: the earliest open month, once it has ended. December is closed by
    `year_end_close`. `actor=None` is the system (management commands, demo data)."""
    if actor is not None and not may_close(actor, book):
        raise PermissionDenied(_("You may not close the months of these books."))
    book = _lock_book(book)
    month = month.replace(day=1)
    _check_closable(book, month)
    if month.month == 12:
        raise ValidationError(
            _(
                "December is closed with the year-end close, which also moves the year's "
                "surplus to retained surplus."
            )
        )
    return _mark_closed(book, month, actor)


@transaction.atomic
def period_reopen(
    *, book: Book, actor, month: datetime.date | None = None, reason: str = ""
) -> FiscalPeriod:
    """Reopen the last closed month (staff only). With `month`, only if that is still the
    last closed month, so a repeated request cannot reopen a second one. `reason` is kept on
    the month's history record (its change reason)."""
    if not may_reopen(actor):
        raise PermissionDenied(_("Only program staff may reopen a closed month."))
    book = _lock_book(book)
    last = last_closed_month(book)
    if last is None:
        raise ValidationError(_("No month of these books is closed."))
    if month is not None and month.replace(day=1) != last:
        if month.replace(day=1) > last:
            raise ValidationError(_("%(month)s is already open.") % {"month": month_label(month)})
        raise ValidationError(
            _("Only the last closed month, %(month)s, can be reopened.")
            % {"month": month_label(last)}
        )
    period = FiscalPeriod.objects.filter(book=book, month=last).first()
    if period is None:
        period = FiscalPeriod(book=book, month=last)
    period.closed_at = None
    period.closed_by = None
    period.reopened_at = timezone.now()
    period.reopened_by = actor
    period._history_user = actor
    period._change_reason = " ".join(reason.split())[:100]
    period.save()
    previous = last - datetime.timedelta(days=1)
    book.closed_through = previous if previous >= book.opening_date else None
    book._history_user = actor
    book.save(update_fields=["closed_through"])
    return period


@dataclass
class YearEnd:
    year: int
    surplus: Decimal  # the year's income less expenses (negative: a deficit)
    moved_to_retained: Decimal  # SHU Tahun Berjalan moved to SHU Ditahan
    period: FiscalPeriod
    entries: list[JournalEntry] = field(default_factory=list)


def _closing_lines(book: Book, year: int) -> tuple[list[Line], Decimal]:
    """Lines that bring every income and expense account's balance for the year to zero,
    and the year's surplus (income less expenses)."""
    dec31 = datetime.date(year, 12, 31)
    start = max(datetime.date(year, 1, 1), book.opening_date)
    totals = account_totals(book, date_from=start, date_to=dec31)
    lines, surplus = [], ZERO
    accounts = book.accounts.filter(
        type__in=(AccountType.INCOME, AccountType.EXPENSE), is_header=False
    ).order_by("code")
    for account in accounts:
        debit, credit = totals.get(account.pk, (ZERO, ZERO))
        net = credit - debit
        if net > 0:
            lines.append(Line(account=account, debit=net))
        elif net < 0:
            lines.append(Line(account=account, credit=-net))
        surplus += net
    return lines, surplus


@transaction.atomic
def year_end_close(*, book: Book, year: int, actor) -> YearEnd:
    """Close the year: move every income and expense account's balance for the year to SHU
    Tahun Berjalan, then SHU Tahun Berjalan to SHU Ditahan, both entries dated 31 December,
    and close December. Allowed once every month of the year up to November is closed and
    December has ended."""
    if actor is not None and not may_close(actor, book):
        raise PermissionDenied(_("You may not close the months of these books."))
    book = _lock_book(book)
    december, dec31 = datetime.date(year, 12, 1), datetime.date(year, 12, 31)
    if dec31 < book.opening_date:
        raise ValidationError(_("These books opened after %(year)s.") % {"year": year})
    if book.closed_through and book.closed_through >= dec31:
        raise ValidationError(_("The year %(year)s is already closed.") % {"year": year})
    expected = next_month_to_close(book)
    if expected != december:
        raise ValidationError(
            _(
                "Close every month of %(year)s up to November first; the next month to "
                "close is %(month)s."
            )
            % {"year": year, "month": month_label(expected)}
        )
    if not has_ended(december):
        raise ValidationError(
            _("The year %(year)s has not ended yet; it can be closed from 1 January.")
            % {"year": year}
        )
    current = account_for(book, "current_surplus")
    retained = account_for(book, "retained_surplus")
    entries = []
    lines, surplus = _closing_lines(book, year)
    if lines:
        if surplus > 0:
            lines.append(Line(account=current, credit=surplus))
        elif surplus < 0:
            lines.append(Line(account=current, debit=-surplus))
        entries.append(
            journal_post(
                book=book,
                entry_date=dec31,
                description=_("Year-end close %(year)s: income and expenses to %(account)s")
                % {"year": year, "account": current.name},
                lines=lines,
                kind=EntryKind.YEAR_END,
                actor=_actor(actor),
            ).entry
        )
    sums = AccountMonth.objects.filter(account=current, month__lte=december).aggregate(
        debit=Sum("debit"), credit=Sum("credit")
    )
    moved = (sums["credit"] or ZERO) - (sums["debit"] or ZERO)
    if moved:
        amount = abs(moved)
        debit, credit = (current, retained) if moved > 0 else (retained, current)
        entries.append(
            journal_post(
                book=book,
                entry_date=dec31,
                description=_("Year-end close %(year)s: %(from)s to %(to)s")
                % {"year": year, "from": current.name, "to": retained.name},
                lines=[Line(account=debit, debit=amount), Line(account=credit, credit=amount)],
                kind=EntryKind.YEAR_END,
                actor=_actor(actor),
            ).entry
        )
    period = _mark_closed(book, december, actor)
    return YearEnd(
        year=year, surplus=surplus, moved_to_retained=moved, period=period, entries=entries
    )
