"""One-time form tokens: what makes a double tap, a back-and-resubmit or a retry after a
timeout post nothing new.

Every record form carries a token signed with the site's secret, naming the book it was
issued for and a random uuid4. The uuid is the idempotency key the posting service stores on
the entry: a second submission of the same form finds that entry instead of posting again.
A token that is missing, forged or issued for another book is refused.
"""

import uuid

from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Book, JournalEntry

SALT = "finance.form-token"

MISSING = _(
    "This form was sent without its one-time code. Nothing was recorded; please send it again."
)
REFUSED = _(
    "This form was not issued for these books, so nothing was recorded. Please fill it in again."
)


def token_new(book: Book) -> str:
    """A fresh signed token for one form of this book."""
    return signing.dumps({"book": book.pk, "nonce": uuid.uuid4().hex}, salt=SALT)


def token_key(book: Book, signed: str | None) -> str:
    """The idempotency key of a submitted token, or a ValidationError saying why not."""
    if not signed:
        raise ValidationError(MISSING, code="token_missing")
    try:
        payload = signing.loads(signed, salt=SALT)
    except signing.BadSignature:
        raise ValidationError(REFUSED, code="token_forged") from None
    if not isinstance(payload, dict) or payload.get("book") != book.pk:
        raise ValidationError(REFUSED, code="token_foreign")
    try:
        return uuid.UUID(hex=str(payload.get("nonce"))).hex
    except ValueError:
        raise ValidationError(REFUSED, code="token_forged") from None


def token_entry(book: Book, key: str | None) -> JournalEntry | None:
    """The entry this book already posted with this key, if any."""
    if not key:
        return None
    return JournalEntry.objects.filter(book=book, token=key).first()
