"""Every write to logins: making an officer's login, issuing and redeeming activation codes,
ending a login when its holder has no role left.

No e-mail or SMS: the facilitator hands the officer a slip with their username and a one-time
code; the officer sets their own password with it. Codes are kept hashed, expire, work once,
and wrong guesses are throttled per username and per address.
"""

import datetime
import re
import secrets
import unicodedata
from dataclasses import dataclass

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ActivationCode, LoginEvent

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to misread on a slip
CODE_LENGTH = 8
CODE_LIFETIME = datetime.timedelta(days=14)
THROTTLE_WINDOW = datetime.timedelta(minutes=15)
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_ADDRESS = 20


@dataclass
class IssuedCode:
    """A new code, in clear only here: shown once on the slip, then only its hash is kept."""

    user: object
    code: str
    expires_at: datetime.datetime

    @property
    def display(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"


def username_suggest(full_name: str) -> str:
    """A free username from a person's name: "Siti Nur Aminah" -> "siti.aminah" (then
    "siti.aminah2", ...)."""
    ascii_name = unicodedata.normalize("NFKD", full_name).encode("ascii", "ignore").decode()
    words = [w for w in re.split(r"[^a-z0-9]+", ascii_name.lower()) if w]
    base = ".".join(words[:1] + words[-1:] if len(words) > 1 else words) or "pengurus"
    base = base[:30]
    User = get_user_model()
    taken = set(User.objects.filter(username__startswith=base).values_list("username", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}{number}" in taken:
        number += 1
    return f"{base}{number}"


def _clean_username(username: str) -> str:
    username = (username or "").strip().lower()
    if not re.fullmatch(r"[a-z0-9._-]{3,30}", username):
        raise ValidationError(
            {
                "username": _(
                    "A username is 3 to 30 letters, digits, dots, dashes or underscores, "
                    "without spaces."
                )
            }
        )
    if get_user_model().objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is already taken.")})
    return username


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """What the officer typed, as it was issued: dashes, spaces and case do not matter."""
    return re.sub(r"[\s-]+", "", (code or "")).upper()


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def activation_code_issue(*, actor, user) -> IssuedCode:
    """A fresh code for the login; an earlier code still open stops working."""
    now = timezone.now()
    ActivationCode.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    code = _new_code()
    row = ActivationCode.objects.create(
        user=user,
        code_hash=make_password(code),
        created_by=_actor(actor),
        expires_at=now + CODE_LIFETIME,
    )
    return IssuedCode(user=user, code=code, expires_at=row.expires_at)


@transaction.atomic
def login_create(*, actor, full_name: str, username: str = "") -> IssuedCode:
    """A new login with no password yet, and its activation code."""
    username = _clean_username(username) if username else username_suggest(full_name)
    names = full_name.split()
    User = get_user_model()
    user = User(
        username=username,
        first_name=" ".join(names[:-1]) if len(names) > 1 else full_name,
        last_name=names[-1] if len(names) > 1 else "",
    )
    user.set_unusable_password()
    user.save()
    return activation_code_issue(actor=actor, user=user)


@transaction.atomic
def login_reset(*, actor, user) -> IssuedCode:
    """A forgotten password or a lost slip: the old password stops working (which also ends
    the login's open sessions) and a new code is issued."""
    User = get_user_model()
    user = User.objects.select_for_update().get(pk=user.pk)
    user.set_unusable_password()
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    return activation_code_issue(actor=actor, user=user)


@transaction.atomic
def login_deactivate(*, user) -> None:
    """The holder has no role left anywhere: the login stops working at once. A facilitator
    who gives them a role again makes it work again with a new code."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    ActivationCode.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def _failures_since_unlock(since, **who) -> int:
    """Failed activations within the window, counted from staff's last unlock of `who`."""
    events = LoginEvent.objects.filter(at__gte=since, **who)
    unlocked = (
        events.filter(kind=LoginEvent.Kind.UNLOCKED).order_by("-at").values_list("at", flat=True)
    ).first()
    return events.filter(kind=LoginEvent.Kind.ACTIVATION_FAILED, at__gt=unlocked or since).count()


def _throttled(username: str, ip_address: str | None) -> bool:
    since = timezone.now() - THROTTLE_WINDOW
    if _failures_since_unlock(since, username=username) >= MAX_FAILURES_PER_USERNAME:
        return True
    return bool(
        ip_address
        and _failures_since_unlock(since, ip_address=ip_address) >= MAX_FAILURES_PER_ADDRESS
    )


@transaction.atomic
def login_unlock(*, username: str, ip_address: str | None = None) -> LoginEvent:
    """Staff lift the locks on a login: the password lockout (django-axes) of the username and
    of the address, and the activation-code throttle, which counts failures from this record."""
    from axes.utils import reset

    reset(username=username)
    if ip_address:
        reset(ip=ip_address)
    return LoginEvent.objects.create(
        kind=LoginEvent.Kind.UNLOCKED, username=username[:150], ip_address=ip_address
    )


def login_activate(*, username: str, code: str, password: str, ip_address: str | None = None):
    """The officer sets their own password with the code from their slip. Returns the user.

    Throttled: after a handful of wrong guesses for a username (or many from one address) no
    code is even checked for a while, and a code guessed wrongly too often stops working."""
    username = (username or "").strip().lower()
    if _throttled(username, ip_address):
        raise ValidationError(
            _(
                "Too many wrong attempts. Wait %(minutes)s minutes and try again, or ask your "
                "facilitator for a new code."
            )
            % {"minutes": int(THROTTLE_WINDOW.total_seconds() // 60)}
        )
    problem = None
    with transaction.atomic():
        row = (
            ActivationCode.objects.select_for_update()
            .usable()
            .filter(user__username__iexact=username, user__is_active=True)
            .select_related("user")
            .first()
        )
        if row is None or not check_password(normalise_code(code), row.code_hash):
            problem = _("The username or the activation code is not right.")
        else:
            user = row.user
            password_validation.validate_password(password, user)
            user.set_password(password)
            user.save(update_fields=["password"])
            row.used_at = timezone.now()
            row.save(update_fields=["used_at"])
            LoginEvent.objects.create(
                kind=LoginEvent.Kind.ACTIVATION_OK, username=username, ip_address=ip_address
            )
            return user
    # Recorded outside the failed attempt, so the record and the count stay.
    with transaction.atomic():
        LoginEvent.objects.create(
            kind=LoginEvent.Kind.ACTIVATION_FAILED, username=username[:150], ip_address=ip_address
        )
        if row is not None:
            ActivationCode.objects.filter(pk=row.pk).update(failures=row.failures + 1)
            if row.failures + 1 >= ActivationCode.MAX_FAILURES:
                ActivationCode.objects.filter(pk=row.pk).update(revoked_at=timezone.now())
    raise ValidationError(problem)


def login_event_record(*, succeeded: bool, username: str, ip_address: str | None) -> LoginEvent:
    """One login or failed login in the audit trail (the staff activity page shows them)."""
    kind = LoginEvent.Kind.LOGIN_OK if succeeded else LoginEvent.Kind.LOGIN_FAILED
    return LoginEvent.objects.create(
        kind=kind, username=(username or "").strip()[:150], ip_address=ip_address
    )


def roles_stamp_bump(user_ids) -> None:
    """A new roles stamp for these logins (`ksm_portal.scope.roles_changed` calls it): any
    scope kept in their sessions no longer matches and is worked out again on their next
    request. One statement, in the caller's transaction."""
    from .models import RolesVersion

    ids = list(
        get_user_model()._default_manager.filter(pk__in=list(user_ids)).values_list("pk", flat=True)
    )
    if not ids:
        return
    stamp = secrets.randbits(62)
    RolesVersion.objects.bulk_create(
        [RolesVersion(user_id=pk, stamp=stamp) for pk in ids],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["stamp"],
    )
