"""The closed years and the surplus each moved into retained surplus."""

import datetime
from decimal import Decimal

from django.db.models import Sum

from ...models import (
    ZERO,
    Book,
    EntryKind,
    JournalEntry,
    JournalLine,
)

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
