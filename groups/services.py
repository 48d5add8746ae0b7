"""Every write to KSM, members, memberships and cooperatives.

Views, admin, management commands and tests call these; each is one transaction and
validates like the forms do, with the database constraints as the last word.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.services import IssuedCode, login_create, login_deactivate, login_reset
from ksm_portal.scope import roles_changed, user_scope
from ksm_portal.services_base import validated_for_bulk, validated_save
from ksm_portal.signals import register_changed_in
from villages.models import Bumdes, Village
from villages.services import region_ksm_counts_add

from .models import (
    Cooperative,
    CooperativeMembership,
    Member,
    Membership,
    Officer,
    SelfHelpGroup,
)
from .validators import normalise_phone

GROUP_FIELDS = (
    "village",
    "name",
    "registration_number",
    "origin",
    "formed_date",
    "reactivated_date",
    "business_sector",
    "status",
    "meeting_day",
    "address",
)
MEMBER_FIELDS = (
    "nik",
    "family_card_number",
    "full_name",
    "sex",
    "birth_date",
    "village",
    "address",
    "phone",
    "user",
)
COOPERATIVE_FIELDS = (
    "name",
    "legal_entity_number",
    "established_date",
    "regency",
    "status",
    "address",
)


def _assign(instance, fields: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    for key, value in fields.items():
        setattr(instance, key, value)


@transaction.atomic
def group_register(
    *, actor: AbstractBaseUser | None, village: Village, once_key=None, **fields
) -> SelfHelpGroup:
    """A new KSM; `once_key` is the registration form's one-time key (ksm_portal/once.py)."""
    group = SelfHelpGroup(village=village, once_key=once_key)
    _assign(group, fields, GROUP_FIELDS)
    validated_save(group, actor=actor)
    region_ksm_counts_add({village.pk: 1})
    return group


@transaction.atomic
def group_update(
    *, actor: AbstractBaseUser | None, group: SelfHelpGroup, **fields
) -> SelfHelpGroup:
    # The village as saved (a bound form may already have changed the instance's).
    was_in = (
        SelfHelpGroup.objects.select_for_update()
        .values_list("village_id", flat=True)
        .get(pk=group.pk)
    )
    _assign(group, fields, GROUP_FIELDS)
    validated_save(group, actor=actor)
    if group.village_id != was_in:
        region_ksm_counts_add({was_in: -1, group.village_id: 1})
    return group


def _member_prepare(member: Member) -> None:
    member.phone = normalise_phone(member.phone)
    member.full_name = " ".join(member.full_name.split())


@transaction.atomic
def member_join(
    *,
    actor: AbstractBaseUser | None,
    group: SelfHelpGroup,
    role: str = Membership.Role.MEMBER,
    joined_date: datetime.date,
    once_key=None,
    **member_fields,
) -> Membership:
    """Make a person a member of the group, registering them first if their NIK is new.

    A person already registered (a member of another KSM) joins with the details on record;
    the ones typed now are not applied, since another facilitator may look after them."""
    existing = Member.objects.filter(nik=member_fields.get("nik")).first()
    if existing is not None:
        return membership_start(
            actor=actor,
            member=existing,
            group=group,
            role=role,
            joined_date=joined_date,
            once_key=once_key,
        )
    member = Member()
    _assign(member, member_fields, MEMBER_FIELDS)
    if not member.village_id:
        member.village = group.village
    _member_prepare(member)
    validated_save(member, actor=actor)
    return membership_start(
        actor=actor,
        member=member,
        group=group,
        role=role,
        joined_date=joined_date,
        once_key=once_key,
    )


@transaction.atomic
def membership_start(
    *,
    actor: AbstractBaseUser | None,
    member: Member,
    group: SelfHelpGroup,
    role: str = Membership.Role.MEMBER,
    joined_date: datetime.date,
    once_key=None,
) -> Membership:
    membership = Membership(
        member=member, group=group, role=role, joined_date=joined_date, once_key=once_key
    )
    return validated_save(membership, actor=actor)


@transaction.atomic
def member_update(*, actor: AbstractBaseUser | None, member: Member, **fields) -> Member:
    _assign(member, fields, MEMBER_FIELDS)
    _member_prepare(member)
    return validated_save(member, actor=actor)


@transaction.atomic
def membership_change_role(
    *, actor: AbstractBaseUser | None, membership: Membership, role: str
) -> Membership:
    # Re-read under a lock: a page loaded before the member left must not bring them back.
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_active:
        raise ValidationError(_("This membership has ended; its role can no longer change."))
    membership.role = role
    validated_save(membership, actor=actor)
    if role not in Membership.OFFICER_ROLES:
        _login_access_sync(membership.member.user)
    return membership


@transaction.atomic
def membership_end(
    *, actor: AbstractBaseUser | None, membership: Membership, left_date: datetime.date
) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_active:
        raise ValidationError(_("This membership has already ended."))
    membership.left_date = left_date
    validated_save(membership, actor=actor)
    _login_access_sync(membership.member.user)
    return membership


@transaction.atomic
def cooperative_register(*, actor: AbstractBaseUser | None, once_key=None, **fields) -> Cooperative:
    cooperative = Cooperative(once_key=once_key)
    _assign(cooperative, fields, COOPERATIVE_FIELDS)
    return validated_save(cooperative, actor=actor)


@transaction.atomic
def cooperative_update(
    *, actor: AbstractBaseUser | None, cooperative: Cooperative, **fields
) -> Cooperative:
    _assign(cooperative, fields, COOPERATIVE_FIELDS)
    return validated_save(cooperative, actor=actor)


@transaction.atomic
def cooperative_admit_group(
    *,
    actor: AbstractBaseUser | None,
    cooperative: Cooperative,
    group: SelfHelpGroup,
    joined_date: datetime.date,
) -> CooperativeMembership:
    membership = CooperativeMembership(
        cooperative=cooperative, group=group, joined_date=joined_date
    )
    return validated_save(membership, actor=actor)


@transaction.atomic
def cooperative_membership_end(
    *,
    actor: AbstractBaseUser | None,
    membership: CooperativeMembership,
    left_date: datetime.date,
) -> CooperativeMembership:
    membership = CooperativeMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.left_date is not None:
        raise ValidationError(_("This KSM has already left the cooperative."))
    membership.left_date = left_date
    return validated_save(membership, actor=actor)


# --- Officer logins --------------------------------------------------------------------------


def _login_access_sync(user) -> None:
    """After an office ends: a login whose holder has no role left anywhere stops working in
    the same transaction (staff accounts are managed in admin and left alone)."""
    if user is None:
        return
    user = get_user_model().objects.get(pk=user.pk)  # no scope cached from before the change
    if user.is_active and not user.is_staff and not user_scope(user).has_any_role:
        login_deactivate(user=user)


def _grant(*, actor, user, full_name: str, username: str) -> IssuedCode:
    """A new login, or a new code for a login that exists but was never activated or was
    switched off when its holder left office."""
    if user is None:
        return login_create(actor=actor, full_name=full_name, username=username)
    if user.is_active and user.has_usable_password():
        raise ValidationError(
            _(
                "%(name)s already has a login (%(username)s). If they forgot the password, "
                "reset the login."
            )
            % {"name": full_name, "username": user.username}
        )
    return login_reset(actor=actor, user=user)


def _locked_officer_membership(membership: Membership) -> Membership:
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("member__user")
        .get(pk=membership.pk)
    )
    if not membership.is_active or membership.role not in Membership.OFFICER_ROLES:
        raise ValidationError(
            _("Only a chair, secretary or treasurer in office can be given a login.")
        )
    return membership


@transaction.atomic
def membership_login_grant(*, actor, membership: Membership, username: str = "") -> IssuedCode:
    """Give a KSM officer a login: the account is made now, the officer sets the password
    with the code on their slip."""
    membership = _locked_officer_membership(membership)
    member = membership.member
    issued = _grant(actor=actor, user=member.user, full_name=member.full_name, username=username)
    if member.user_id != issued.user.pk:
        member.user = issued.user
        validated_save(member, actor=actor)
    return issued


@transaction.atomic
def membership_login_reset(*, actor, membership: Membership) -> IssuedCode:
    """A forgotten password: the old one stops working and a new code is issued."""
    membership = _locked_officer_membership(membership)
    if membership.member.user_id is None:
        raise ValidationError(_("This officer has no login yet; make one first."))
    return login_reset(actor=actor, user=membership.member.user)


@transaction.atomic
def officer_appoint(
    *,
    actor: AbstractBaseUser | None,
    entity: Bumdes | Cooperative,
    full_name: str,
    role: str,
    start_date: datetime.date,
    phone: str = "",
) -> Officer:
    """Record who holds an office of a BUMDes or a cooperative."""
    officer = Officer(
        full_name=" ".join(full_name.split()),
        phone=normalise_phone(phone),
        role=role,
        start_date=start_date,
        **{"bumdes" if isinstance(entity, Bumdes) else "cooperative": entity},
    )
    return validated_save(officer, actor=actor)


OFFICER_FIELDS = ("full_name", "phone", "user")


@transaction.atomic
def officer_update(*, actor: AbstractBaseUser | None, officer: Officer, **fields) -> Officer:
    """Correct an officer's name or phone, or link a login made elsewhere (admin, the demo)."""
    _assign(officer, fields, OFFICER_FIELDS)
    officer.full_name = " ".join(officer.full_name.split())
    officer.phone = normalise_phone(officer.phone)
    return validated_save(officer, actor=actor)


@transaction.atomic
def officer_end(
    *, actor: AbstractBaseUser | None, officer: Officer, end_date: datetime.date
) -> Officer:
    """The office ends; so does the officer's access to the entity, in this transaction."""
    officer = Officer.objects.select_for_update().get(pk=officer.pk)
    if officer.end_date is not None:
        raise ValidationError(_("This office has already ended."))
    officer.end_date = end_date
    validated_save(officer, actor=actor)
    _login_access_sync(officer.user)
    return officer


def _locked_current_officer(officer: Officer) -> Officer:
    officer = (
        Officer.objects.select_for_update(of=("self",)).select_related("user").get(pk=officer.pk)
    )
    if officer.end_date is not None:
        raise ValidationError(_("Only an officer in office can be given a login."))
    return officer


@transaction.atomic
def officer_login_grant(*, actor, officer: Officer, username: str = "") -> IssuedCode:
    officer = _locked_current_officer(officer)
    issued = _grant(actor=actor, user=officer.user, full_name=officer.full_name, username=username)
    if officer.user_id != issued.user.pk:
        officer.user = issued.user
        validated_save(officer, actor=actor)
    return issued


@transaction.atomic
def officer_login_reset(*, actor, officer: Officer) -> IssuedCode:
    officer = _locked_current_officer(officer)
    if officer.user_id is None:
        raise ValidationError(_("This officer has no login yet; make one first."))
    return login_reset(actor=actor, user=officer.user)


# --- Many at once (spreadsheet imports) ------------------------------------------------------


@transaction.atomic
def groups_register_bulk(
    *, actor: AbstractBaseUser | None, groups: list[SelfHelpGroup]
) -> list[SelfHelpGroup]:
    """Register many KSM in one transaction, each validated like `group_register`, with their
    history and the region counts."""
    if not groups:
        return []
    for group in groups:
        group.name = " ".join(group.name.split())
    validated_for_bulk(groups, actor=actor)
    saved = bulk_create_with_history(groups, SelfHelpGroup, default_user=actor)
    region_ksm_counts_add(Counter(group.village_id for group in groups))
    register_changed_in(group.village_id for group in groups)
    return saved


@dataclass
class Joining:
    """One person joining one KSM: `member` is the person on record, or a new unsaved one."""

    member: Member
    group: SelfHelpGroup
    role: str
    joined_date: datetime.date


@transaction.atomic
def members_join_bulk(*, actor: AbstractBaseUser | None, joinings: list[Joining]) -> int:
    """Many people join KSM in one transaction: the new people are registered first, then every
    membership starts, each validated like `member_join`. Returns the memberships made."""
    if not joinings:
        return 0
    new_members = []
    seen = set()
    for joining in joinings:
        member = joining.member
        if member.pk is None and id(member) not in seen:
            seen.add(id(member))
            if not member.village_id:
                member.village = joining.group.village
            _member_prepare(member)
            new_members.append(member)
    validated_for_bulk(new_members, actor=actor)
    bulk_create_with_history(new_members, Member, default_user=actor)
    memberships = [
        Membership(
            member=joining.member,
            group=joining.group,
            role=joining.role,
            joined_date=joining.joined_date,
        )
        for joining in joinings
    ]
    validated_for_bulk(memberships, actor=actor)
    bulk_create_with_history(memberships, Membership, default_user=actor)
    # No save signals for a bulk insert: the logins among the members get a new roles stamp.
    roles_changed(joining.member.user_id for joining in joinings)
    register_changed_in(joining.group.village_id for joining in joinings)
    return len(memberships)
