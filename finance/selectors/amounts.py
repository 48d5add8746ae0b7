"""How large a book's amounts usually are, read from the monthly totals the posting service
keeps (AccountMonth): one aggregate over the book's own account-months (its accounts times
its months), never over journal lines."""

from decimal import Decimal

from django.db.models import Max
from django.db.models.functions import Greatest

from ..models import ZERO, AccountMonth, Book


def largest_month_turnover(book: Book) -> Decimal:
    """The most any one account of the book moved in one month, debit or credit.

    It stands in for the book's largest entry so far: an entry's amount is on at least one
    account's side in its month, so this is never less than the largest entry (several
    entries to one account in a month add up, so it can be more)."""
    largest = AccountMonth.objects.filter(book=book).aggregate(
        largest=Max(Greatest("debit", "credit"))
    )["largest"]
    return largest or ZERO
