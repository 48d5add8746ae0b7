"""Reads shared by views, reports and the benchmark."""

from functools import cached_property

from django.db.models import Count, IntegerField, Prefetch, Value

from ksm_portal.scope import roles_stamp, user_scope
from villages.models import Village

from .models import CooperativeMembership, Member, Membership, Officer, SelfHelpGroup


def officer_scope(user) -> dict:
    """The scope provider for officers (registered in GroupsConfig.ready): the KSM where the
    user holds an office through an active membership, and the BUMDes and cooperatives where
    they are in office. Two small indexed queries."""
    # One round trip: (KSM id or None, BUMDes id or None, cooperative id or None, role,
    # village id or None) for each office held.
    ksm = Membership.objects.active().officers().filter(member__user=user).order_by()
    offices = Officer.objects.current().filter(user=user).order_by()
    rows = ksm.values_list(
        "group_id",
        Value(None, IntegerField()),
        Value(None, IntegerField()),
        "role",
        "group__village_id",
    ).union(
        offices.values_list(
            Value(None, IntegerField()),
            "bumdes_id",
            "cooperative_id",
            "role",
            "bumdes__village_id",
        ),
        all=True,
    )
    ksm, offices = [], []
    for group, bumdes, cooperative, role, village in rows:
        if group is not None:
            ksm.append((group, role, village))
        else:
            offices.append((bumdes, cooperative, role, village))
    treasurer = Membership.Role.TREASURER
    return {
        "ksm_officer_ids": {group for group, _role, _village in ksm},
        "ksm_treasurer_ids": {group for group, role, _village in ksm if role == treasurer},
        "ksm_chair_ids": {g for g, role, _v in ksm if role == Membership.Role.CHAIR},
        "bumdes_officer_ids": {b for b, _c, _r, _v in offices if b},
        "bumdes_treasurer_ids": {b for b, _c, role, _v in offices if b and role == treasurer},
        "cooperative_officer_ids": {c for _b, c, _r, _v in offices if c},
        "cooperative_treasurer_ids": {c for _b, c, role, _v in offices if c and role == treasurer},
        "officer_village_ids": {v for _g, _r, v in ksm} | {v for *_rest, v in offices if v},
    }


class Roles:
    """What the user is, for menus and the start page: a view of their scope, with the
    offices they hold loaded only when a page lists them."""

    def __init__(self, user):
        self.user = user
        self.scope = user_scope(user)

    @property
    def is_staff(self) -> bool:
        return self.scope.sees_all

    @property
    def stamp(self) -> str | None:
        """Changes whenever what the menu shows may change (see `ksm_portal.scope`)."""
        return roles_stamp(self.user)

    @property
    def manages_register(self) -> bool:
        return self.scope.manages_register

    @property
    def is_facilitator(self) -> bool:
        return self.scope.is_facilitator

    @property
    def is_officer(self) -> bool:
        return self.scope.is_officer

    @property
    def can_register(self) -> bool:
        """May register KSM, members and BUMDes somewhere."""
        return self.scope.can_register

    @cached_property
    def officer_memberships(self) -> list:
        if not self.scope.ksm_officer_ids:
            return []
        return list(
            Membership.objects.active()
            .officers()
            .filter(member__user=self.user)
            .select_related("group__village", "group__book")
            .order_by("group__name")
        )

    @cached_property
    def offices(self) -> list:
        """BUMDes and cooperative offices held now."""
        if not (self.scope.bumdes_officer_ids or self.scope.cooperative_officer_ids):
            return []
        return list(
            Officer.objects.current()
            .filter(user=self.user)
            .select_related("bumdes__village", "bumdes__book", "cooperative__book")
            .order_by("role")
        )


def roles_for(user) -> Roles:
    """What the user is, computed once per request and kept on the user object."""
    cached = getattr(user, "_ksm_roles", None)
    if cached is not None:
        return cached
    roles = Roles(user)
    if getattr(user, "is_authenticated", False):
        user._ksm_roles = roles
    return roles


def group_list(*, user, filters: dict | None = None):
    """The KSM a user may see, with what the list shows, ready for a FilterSet."""
    return SelfHelpGroup.objects.visible_to(user).select_related("village__district__regency")


def cooperative_ksm_counts(cooperative_ids: list[int]) -> dict[int, int]:
    """{cooperative id: number of KSM that are members now} for the given cooperatives."""
    return dict(
        CooperativeMembership.objects.filter(
            cooperative_id__in=cooperative_ids, left_date__isnull=True
        )
        .order_by()
        .values("cooperative_id")
        .annotate(n=Count("id"))
        .values_list("cooperative_id", "n")
    )


def group_officers(group: SelfHelpGroup, memberships=None) -> list[Membership]:
    """The KSM's officers now, by role; taken from `memberships` (loaded with member__user)
    when the page has them already."""
    if memberships is not None:
        officers = [m for m in memberships if m.is_active and m.role in Membership.OFFICER_ROLES]
        return sorted(officers, key=lambda m: m.role)
    return list(
        group.memberships.active().officers().select_related("member__user").order_by("role")
    )


def home_context(user) -> dict:
    """What each role sees first: their villages and groups, kept short and linked."""
    roles = roles_for(user)
    context = {"roles": roles}
    if roles.is_facilitator:
        villages = (
            Village.objects.assigned_to(user).select_related("district__regency").order_by("code")
        )
        context["villages"] = villages[:50]
    if roles.is_facilitator or roles.is_staff:
        context["recent_groups"] = (
            SelfHelpGroup.objects.visible_to(user)
            .select_related("village")
            .order_by("-updated_at")[:10]
        )
    return context


# A search finds at most this many members; past it the page asks for a narrower search,
# so a common name never counts millions of rows.
MEMBER_SEARCH_LIMIT = 500


def member_search(*, user, text: str):
    """(page's queryset, how many found up to MEMBER_SEARCH_LIMIT, whether there are more):
    members in the user's scope whose NIK starts with the digits or whose name contains the
    text. A NIK prefix is read as a range on the NIK's unique index; a name through the
    trigram index (groups migration 0002)."""
    members = Member.objects.visible_to(user)
    if text.isdigit():
        if len(text) == 16:
            members = members.filter(nik=text)
        else:
            members = members.filter(nik__gte=text)
            if text.strip("9"):  # the range's end: the next prefix (none after 99…9)
                members = members.filter(nik__lt=str(int(text) + 1).zfill(len(text)))
    else:
        members = members.filter(full_name__icontains=text)
    found = len(members.order_by().values_list("pk", flat=True)[: MEMBER_SEARCH_LIMIT + 1])
    members = members.order_by("full_name", "id").prefetch_related(
        Prefetch(
            "memberships",
            queryset=SelfHelpGroup.objects.visible_rows(
                Membership.objects.active().select_related("group__village"), user
            ),
            to_attr="active_memberships",
        )
    )
    return members, min(found, MEMBER_SEARCH_LIMIT), found > MEMBER_SEARCH_LIMIT
