"""Every write to KSM, members, memberships and cooperatives.

Views, admin, management commands and tests call these; each is one transaction and
validates like the forms do, with the database constraints as the last word.
"""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ksm_portal.services_base import validated_save
from villages.models import Village

from .models import (
    Cooperative,
    CooperativeMembership,
    Member,
    Membership,
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
def group_register(*, actor: AbstractBaseUser | None, village: Village, **fields) -> SelfHelpGroup:
    group = SelfHelpGroup(village=village)
    _assign(group, fields, GROUP_FIELDS)
    return validated_save(group, actor=actor)


@transaction.atomic
def group_update(
    *, actor: AbstractBaseUser | None, group: SelfHelpGroup, **fields
) -> SelfHelpGroup:
    _assign(group, fields, GROUP_FIELDS)
    return validated_save(group, actor=actor)


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
    **member_fields,
) -> Membership:
    """Make a person a member of the group, registering them first if their NIK is new.

    A person already registered (a member of another KSM) joins with the details on record;
    the ones typed now are not applied, since another facilitator may look after them."""
    existing = Member.objects.filter(nik=member_fields.get("nik")).first()
    if existing is not None:
        return membership_start(
            actor=actor, member=existing, group=group, role=role, joined_date=joined_date
        )
    member = Member()
    _assign(member, member_fields, MEMBER_FIELDS)
    if not member.village_id:
        member.village = group.village
    _member_prepare(member)
    validated_save(member, actor=actor)
    return membership_start(
        actor=actor, member=member, group=group, role=role, joined_date=joined_date
    )


@transaction.atomic
def membership_start(
    *,
    actor: AbstractBaseUser | None,
    member: Member,
    group: SelfHelpGroup,
    role: str = Membership.Role.MEMBER,
    joined_date: datetime.date,
) -> Membership:
    membership = Membership(member=member, group=group, role=role, joined_date=joined_date)
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
    return validated_save(membership, actor=actor)


@transaction.atomic
def membership_end(
    *, actor: AbstractBaseUser | None, membership: Membership, left_date: datetime.date
) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_active:
        raise ValidationError(_("This membership has already ended."))
    membership.left_date = left_date
    return validated_save(membership, actor=actor)


@transaction.atomic
def cooperative_register(*, actor: AbstractBaseUser | None, **fields) -> Cooperative:
    cooperative = Cooperative()
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
