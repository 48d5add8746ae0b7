"""Who may see and do what: one `Scope` per user, worked out once per session.

The scope is kept in the user's session under a stamp: the user's roles version (read with the
user row by `accounts.backends`), the user row's superuser and active flags, and today's date.
Every change of roles calls `roles_changed` in its transaction (the apps' receivers and bulk
services do), which gives the user a new roles version, so the next request in any worker
works the scope out again.

Every `visible_to` / `editable_by` / `postable_by` rule reads the user's scope instead of
asking the database again. Staff powers are Django permissions (held through the staff role
groups, see `accounts.roles`); what a facilitator or an officer may reach comes from the apps
that know it (facilitator assignments, KSM memberships, BUMDes and cooperative officers), each
registering a provider here, so this module imports no app.
"""

from collections.abc import Callable
from dataclasses import dataclass, fields

from django.db.models import Q

# The staff permissions (defined on accounts.StaffPermission): one rule per action.
STAFF_APP = "accounts"
SEE_ALL = "accounts.view_all_regions"
MANAGE_REGISTER = "accounts.change_register"
POST_ANYWHERE = "accounts.post_entries"
REOPEN_PERIODS = "accounts.reopen_periods"

EMPTY = frozenset()


@dataclass(frozen=True)
class Scope:
    """What one user may reach. Id sets are short (a facilitator's villages, an officer's
    groups), so rules can use them as literal `IN (...)` lists that hit the indexes."""

    # Staff permissions.
    sees_all: bool = False  # read every region, every book
    manages_register: bool = False  # register and change KSM, members, BUMDes, cooperatives
    posts_anywhere: bool = False  # post to and correct any books
    reopens_periods: bool = False  # reopen a closed month
    # A facilitator (pendamping): the villages assigned to them today.
    facilitator_village_ids: frozenset = EMPTY
    # KSM officers (chair, secretary, treasurer of an active membership).
    ksm_officer_ids: frozenset = EMPTY
    ksm_treasurer_ids: frozenset = EMPTY
    ksm_chair_ids: frozenset = EMPTY
    # BUMDes and cooperative officers (director or chair, secretary, treasurer).
    bumdes_officer_ids: frozenset = EMPTY
    bumdes_treasurer_ids: frozenset = EMPTY
    cooperative_officer_ids: frozenset = EMPTY
    cooperative_treasurer_ids: frozenset = EMPTY
    # Villages an officer reads because their KSM or BUMDes lies there.
    officer_village_ids: frozenset = EMPTY

    @property
    def is_facilitator(self) -> bool:
        return bool(self.facilitator_village_ids)

    @property
    def can_register(self) -> bool:
        """May register KSM, members and BUMDes somewhere."""
        return self.manages_register or self.is_facilitator

    @property
    def is_officer(self) -> bool:
        return bool(self.ksm_officer_ids or self.bumdes_officer_ids or self.cooperative_officer_ids)

    @property
    def is_staff_role(self) -> bool:
        return self.sees_all or self.manages_register or self.posts_anywhere

    @property
    def visible_village_ids(self) -> frozenset:
        return self.facilitator_village_ids | self.officer_village_ids

    @property
    def has_any_role(self) -> bool:
        return self.is_staff_role or self.is_facilitator or self.is_officer

    def sees_every_member_ksm(self, *, cooperative_id=None, bumdes_id=None) -> bool:
        """Inside a cooperative's or a BUMDes's affairs (its books, its member list): staff
        who see all regions and the entity's own officers see every member KSM; anyone else
        only the KSM in their own sight (their own KSM, their villages')."""
        if self.sees_all:
            return True
        if cooperative_id is not None:
            return cooperative_id in self.cooperative_officer_ids
        return bumdes_id is not None and bumdes_id in self.bumdes_officer_ids


NOBODY = Scope()

Provider = Callable[[object], dict]
_providers: list[Provider] = []
_FIELDS = {f.name for f in fields(Scope)}


def register_scope_provider(provider: Provider) -> None:
    """An app adds what it knows about a user: `provider(user)` returns Scope fields (id
    sets). Called from the app's `AppConfig.ready()`."""
    if provider not in _providers:
        _providers.append(provider)


def _staff_permissions(user) -> set[str]:
    """The staff permissions the user holds, directly or through a staff role group, in one
    query (Django's own `has_perm` takes two)."""
    if user.is_superuser:
        return {SEE_ALL, MANAGE_REGISTER, POST_ANYWHERE, REOPEN_PERIODS}
    from django.contrib.auth.models import Permission

    codenames = (
        Permission.objects.filter(Q(user=user) | Q(group__user=user))
        .filter(content_type__app_label=STAFF_APP)
        .values_list("codename", flat=True)
        .distinct()
    )
    return {f"{STAFF_APP}.{codename}" for codename in codenames}


# The session key under which a user's scope is kept between requests.
SESSION_KEY = "_ksm_scope"

Stamper = Callable[[list], None]
_stampers: list[Stamper] = []


def register_roles_stamper(stamper: Stamper) -> None:
    """The app that keeps the per-user roles stamp (accounts) registers how to change it:
    `stamper(user_ids)`."""
    if stamper not in _stampers:
        _stampers.append(stamper)


def roles_changed(user_ids) -> None:
    """What these users may reach has changed: any scope kept in their sessions is worked
    out again on their next request, in every worker. Call it in the transaction of the
    change (apps' signal receivers and services do)."""
    ids = sorted({uid for uid in user_ids if uid is not None})
    if not ids:
        return
    for stamper in _stampers:
        stamper(ids)


def _stamp(user) -> list | None:
    """What a kept scope must have been worked out under to be used: the user, their roles
    stamp (read with the user row by the login backend), the user row's own flags, and today's
    date (assignments and terms of office end by date). None when the user row came without
    its stamp (no session scope is used or kept then)."""
    if not hasattr(user, "roles_stamp"):
        return None
    from django.utils import timezone

    return [
        user.pk,
        user.roles_stamp or 0,
        bool(user.is_superuser),
        bool(user.is_active),
        timezone.localdate().isoformat(),
    ]


def roles_stamp(user) -> str | None:
    """The user's stamp as text, for what is kept per user beside the scope (their menu), or
    None when there is none (nothing may then be kept for them)."""
    stamp = _stamp(user) if getattr(user, "is_authenticated", False) else None
    return None if stamp is None else ":".join(str(part) for part in stamp)


def _kept(user) -> dict | None:
    """What the request user's session keeps under their current stamp (a new, empty record
    when the stamp changed), or None when there is no session to keep anything in."""
    session = getattr(user, "_ksm_session", None)
    if session is None:
        return None
    stamp = _stamp(user)
    if stamp is None:
        return None
    kept = session.get(SESSION_KEY)
    if not isinstance(kept, dict) or kept.get("stamp") != stamp:
        kept = {"stamp": stamp}
        session[SESSION_KEY] = kept
    return kept


def session_kept(user, name: str, compute: Callable[[], object]):
    """`compute()`'s JSON-able value, kept in the request user's session beside their scope
    and dropped with it when their roles stamp or the date changes (the login backend keeps
    Django's permission set this way)."""
    kept = _kept(user)
    if kept is None:
        return compute()
    if name not in kept:
        kept[name] = compute()
        user._ksm_session.modified = True
    return kept[name]


def _scope_from(values) -> "Scope | None":
    if not isinstance(values, dict) or set(values) != _FIELDS:
        return None
    return Scope(
        **{
            name: (bool(value) if isinstance(value, bool) else frozenset(value))
            for name, value in values.items()
        }
    )


def _scope_values(scope: "Scope") -> dict:
    values = {}
    for name in _FIELDS:
        value = getattr(scope, name)
        values[name] = value if isinstance(value, bool) else sorted(value)
    return values


def _compute(user) -> Scope:
    held = _staff_permissions(user)
    values: dict = {
        "sees_all": SEE_ALL in held,
        "manages_register": MANAGE_REGISTER in held,
        "posts_anywhere": POST_ANYWHERE in held,
        "reopens_periods": REOPEN_PERIODS in held,
    }
    for provider in _providers:
        for name, ids in provider(user).items():
            if name not in _FIELDS:
                raise TypeError(f"unknown scope field {name!r} from {provider!r}")
            values[name] = values.get(name, EMPTY) | frozenset(ids)
    return Scope(**values)


def user_scope(user) -> Scope:
    """The user's scope, kept on the user object for the request and, for a request's user
    (see `ScopeSessionMiddleware`), in the session while the user's roles stamp and the date
    are those it was worked out under: an unchanged session reads no role again."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    cached = getattr(user, "_ksm_scope", None)
    if cached is not None:
        return cached
    kept = _kept(user)
    scope = _scope_from(kept.get("scope")) if kept is not None else None
    if scope is None:
        scope = _compute(user)
        if kept is not None:
            kept["scope"] = _scope_values(scope)
            user._ksm_session.modified = True
    user._ksm_scope = scope
    return scope


def forget_scope(user) -> None:
    """Drop a cached scope after the user's roles changed within the same request."""
    for name in (
        "_ksm_scope",
        "_ksm_roles",
        "_perm_cache",
        "_group_perm_cache",
        "_user_perm_cache",
    ):
        if hasattr(user, name):
            delattr(user, name)
    session = getattr(user, "_ksm_session", None)
    if session is not None and SESSION_KEY in session:
        del session[SESSION_KEY]


class ScopeSessionMiddleware:
    """After AuthenticationMiddleware: lets `user_scope` keep the request user's scope in
    their session. The user is still loaded lazily (a page that never looks at it reads no
    user row)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.contrib.auth.middleware import get_user
        from django.utils.functional import SimpleLazyObject

        def load():
            user = get_user(request)
            if getattr(user, "is_authenticated", False):
                user._ksm_session = request.session
            return user

        request.user = SimpleLazyObject(load)
        return self.get_response(request)


def track_roles(model, users_of: Callable[[object], object]) -> None:
    """Connect `model`'s signals so that saving or deleting one of its rows calls
    `roles_changed` for the users `users_of(row)` names, before the change (the stored row:
    a login moved to someone else loses it) and after. For an app's `ready()`."""
    from django.db.models.signals import post_delete, post_save, pre_save

    def before(sender, instance, raw=False, **kwargs):
        if raw or instance.pk is None:
            return
        stored = sender._default_manager.filter(pk=instance.pk).first()
        instance._roles_users_before = set(users_of(stored)) if stored is not None else set()

    def after_save(sender, instance, raw=False, **kwargs):
        if raw:
            return
        before_ids = getattr(instance, "_roles_users_before", set())
        roles_changed(before_ids | set(users_of(instance)))

    def after_delete(sender, instance, origin=None, **kwargs):
        # Logins being deleted take their roles (and sessions) with them: nothing to stamp,
        # and a stamp row made now would outlive its login.
        model = getattr(origin, "model", None) or type(origin)
        if origin is not None and model._meta.label == _user_label():
            return
        roles_changed(users_of(instance))

    uid = f"ksm_portal.scope.track_roles.{model._meta.label}"
    pre_save.connect(before, sender=model, weak=False, dispatch_uid=f"{uid}.pre_save")
    post_save.connect(after_save, sender=model, weak=False, dispatch_uid=f"{uid}.post_save")
    post_delete.connect(after_delete, sender=model, weak=False, dispatch_uid=f"{uid}.post_delete")


def _user_label() -> str:
    from django.conf import settings

    return settings.AUTH_USER_MODEL
