"""One-time form tokens: what makes a double tap, a back-and-resubmit or a retry after a
timeout post nothing new.

Every record form carries a token signed with the site's secret, naming the book it was
issued for and a random uuid4. The uuid is the idempotency key the posting service stores on
the entry: a second submission of the same form finds that entry instead of posting again.
A token that is missing, forged or issued for another book is refused. The mechanism is
ksm_portal/once.py's, shared with every form that creates something.
"""

from ksm_portal.once import MISSING, REFUSED, token_issue, token_read

from .models import Book, JournalEntry

SALT = "finance.form-token"

__all__ = ["MISSING", "REFUSED", "SALT", "token_entry", "token_key", "token_new"]


def token_new(book: Book) -> str:
    """A fresh signed token for one form of this book."""
    return token_issue(SALT, book=book.pk)


def token_key(book: Book, signed: str | None) -> str:
    """The idempotency key of a submitted token, or a ValidationError saying why not."""
    return token_read(SALT, signed, book=book.pk)


def token_entry(book: Book, key: str | None) -> JournalEntry | None:
    """The entry this book already posted with this key, if any."""
    if not key:
        return None
    return JournalEntry.objects.filter(book=book, token=key).first()
