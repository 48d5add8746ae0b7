"""The journal's size without counting it."""

from django.db.models import Sum

from ..models import Book, BookYear


def entry_count(book: Book) -> int:
    """How many entries the book holds: numbers run 1..last_number in each of its years with
    no gaps and entries are never deleted, so the years' last numbers add up to the count
    (one row per year instead of a COUNT(*) over every entry)."""
    return BookYear.objects.filter(book=book).aggregate(n=Sum("last_number"))["n"] or 0
