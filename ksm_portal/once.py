"""One-time form tokens: what makes a double tap, a back-and-resubmit, a retry after a timeout
or a queued submission sent twice make nothing new. One mechanism for every form that
creates something: the books' record forms (finance/tokens.py names the book), visits,
follow-ups, trainings and materials.

A form's token is signed with the site's secret under a salt (one per kind of form), names
what it was issued for (a book, a KSM, a visit, a training) and carries a random uuid4: the
idempotency key the service stores with what it made, under a unique constraint. The page
carries the token in its address (?t=), so reloading or going back to it keeps the same
token; a second submission finds what the first one made instead of making it again. A token
missing, forged or issued for something else is refused, and nothing is written.
"""

import uuid
from collections.abc import Callable

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MISSING = gettext_lazy(
    "This form was sent without its one-time code. Nothing was recorded; please send it again."
)
REFUSED = gettext_lazy(
    "This form was not issued for these books, so nothing was recorded. Please fill it in again."
)
REFUSED_HERE = gettext_lazy(
    "This form was not issued for this page, so nothing was recorded. Please fill it in again."
)


def token_issue(salt: str, **subject) -> str:
    """A fresh signed token for one form of `subject` (e.g. book=12)."""
    return signing.dumps({**subject, "nonce": uuid.uuid4().hex}, salt=salt)


def token_read(salt: str, signed: str | None, *, refused=REFUSED, **subject) -> str:
    """The idempotency key (uuid hex) of a submitted token, or a ValidationError saying why
    not: missing, forged, or issued for another subject."""
    if not signed:
        raise ValidationError(MISSING, code="token_missing")
    try:
        payload = signing.loads(signed, salt=salt)
    except signing.BadSignature:
        raise ValidationError(refused, code="token_forged") from None
    if not isinstance(payload, dict) or any(payload.get(k) != v for k, v in subject.items()):
        raise ValidationError(refused, code="token_foreign")
    try:
        return uuid.UUID(hex=str(payload.get("nonce"))).hex
    except ValueError:
        raise ValidationError(refused, code="token_forged") from None


class OneTimeTokenForm:
    """For a form class: `token` (the signed token the page carries) and `token_key` (its key,
    None until a genuine one came). A bound form whose token is missing or foreign is
    invalid with the reason as a non-field error. Call `init_token(issue, read, offered)`
    from __init__ with how tokens are made and read for this form's subject."""

    token_key: str | None = None
    token: str = ""
    _token_error: ValidationError | None = None

    def init_token(self, issue: Callable[[], str], read: Callable[[str | None], str], offered=None):
        signed = self.data.get("token") if self.is_bound else offered
        self._token_error = None
        try:
            self.token_key, self.token = read(signed), signed
        except ValidationError as error:
            self.token_key, self.token = None, issue()
            if self.is_bound:
                self._token_error = error

    def clean(self):
        if self._token_error is not None:
            raise self._token_error
        return super().clean()


def token_in_address(request, form) -> object | None:
    """A redirect to the page's address with the form's token when the page does not carry a
    genuine one yet (None when it does): from then on a reload or Back keeps the token."""
    if form.token_key is not None:
        return None
    query = request.GET.copy()
    query["t"] = form.token
    return redirect(f"{request.path}?{query.urlencode()}")


class OnceKeyed(models.Model):
    """What a one-time form creates keeps its token's key, unique: a replay that slips past the
    first look still cannot make a second row."""

    once_key = models.UUIDField(
        gettext_lazy("one-time form key"), null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        abstract = True


def made_before(model: type[OnceKeyed], key: str | None):
    """What a submission with this key made already, if anything. A view asks before it
    checks the form: a replay answers with what the first one made even when the form would
    no longer pass (the month closed, the facilitator moved)."""
    return model.objects.filter(once_key=key).first() if key else None


def create_once(model: type[OnceKeyed], key: str | None, create: Callable[[], object]):
    """(the object, whether it was created now): what `key` made before, or `create()`'s new
    object (which must store `once_key=key`). Two submissions racing each other: the unique
    key refuses the second, which then answers with the first one's object."""
    found = made_before(model, key)
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            return create(), True
    except (IntegrityError, ValidationError):
        found = made_before(model, key)
        if found is None:
            raise
        return found, False


def already_answer(request, made, where=None):
    """The answer to a submission that made nothing new: "already recorded", and the page of
    what the first one made (or `where`)."""
    messages.info(request, _("This was already recorded."))
    return redirect(where if where is not None else made)


def replay(request, model: type[OnceKeyed], key: str | None, where: Callable | None = None):
    """already_answer() when this key made something already (`where(made)`: the page to show
    it on, default its own), else None: the view goes on to check the form."""
    made = made_before(model, key)
    if made is None:
        return None
    return already_answer(request, made, where(made) if where is not None else None)
