"""Who may see and do what: one `Scope` per user, worked out once per request.

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


def user_scope(user) -> Scope:
    """The user's scope, computed on first use and kept on the user object (one per request:
    `request.user` is loaded anew for every request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    cached = getattr(user, "_ksm_scope", None)
    if cached is not None:
        return cached
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
    scope = Scope(**values)
    user._ksm_scope = scope
    return scope


def forget_scope(user) -> None:
    """Drop a cached scope after the user's roles changed within the same request."""
    if hasattr(user, "_ksm_scope"):
        del user._ksm_scope
    if hasattr(user, "_perm_cache"):
        del user._perm_cache
    if hasattr(user, "_group_perm_cache"):
        del user._group_perm_cache
    if hasattr(user, "_user_perm_cache"):
        del user._user_perm_cache
