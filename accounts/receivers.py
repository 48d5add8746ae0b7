"""Logins into the audit trail: Django's own login signals, each recorded as a LoginEvent
(who, from where, when; a failure with the username that was tried)."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from ksm_portal.scope import roles_changed

from .services import login_event_record


def _address(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


@receiver(user_logged_in, dispatch_uid="accounts.login_recorded")
def login_recorded(sender, request, user, **kwargs):
    login_event_record(succeeded=True, username=user.get_username(), ip_address=_address(request))


@receiver(user_login_failed, dispatch_uid="accounts.login_failure_recorded")
def login_failure_recorded(sender, credentials, request=None, **kwargs):
    login_event_record(
        succeeded=False,
        username=str(credentials.get("username", "")),
        ip_address=_address(request),
    )


# Roles: a login's staff groups and permissions. Group and permission rows come from Django;
# what a facilitator or an officer may reach is tracked by the apps that keep it.


def _users_of_groups(group_ids) -> list[int]:
    from django.contrib.auth import get_user_model

    users = get_user_model()._default_manager
    return list(users.filter(groups__in=list(group_ids)).values_list("pk", flat=True))


def _users_of_permissions(permission_ids) -> list[int]:
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    ids = list(permission_ids)
    users = get_user_model()._default_manager
    return list(
        users.filter(Q(user_permissions__in=ids) | Q(groups__permissions__in=ids))
        .values_list("pk", flat=True)
        .distinct()
    )


def _user_groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """user.groups / group.user_set, and user.user_permissions / permission.user_set."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        roles_changed([instance.pk])
    elif action == "pre_clear":
        roles_changed(instance.user_set.values_list("pk", flat=True))
    else:
        roles_changed(pk_set or ())


def _group_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """group.permissions / permission.group_set."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        roles_changed(_users_of_groups([instance.pk]))
    elif action == "pre_clear":
        roles_changed(_users_of_groups(instance.group_set.values_list("pk", flat=True)))
    else:
        roles_changed(_users_of_groups(pk_set or ()))


def _group_deleted(sender, instance, **kwargs):
    roles_changed(_users_of_groups([instance.pk]))


def _permission_deleted(sender, instance, **kwargs):
    roles_changed(_users_of_permissions([instance.pk]))


def connect_roles_receivers():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.db.models.signals import m2m_changed, pre_delete

    from ksm_portal.scope import register_roles_stamper

    from .services import roles_stamp_bump

    register_roles_stamper(roles_stamp_bump)
    user = get_user_model()
    m2m_changed.connect(
        _user_groups_changed, sender=user.groups.through, dispatch_uid="accounts.roles.groups"
    )
    m2m_changed.connect(
        _user_groups_changed,
        sender=user.user_permissions.through,
        dispatch_uid="accounts.roles.user_permissions",
    )
    m2m_changed.connect(
        _group_permissions_changed,
        sender=Group.permissions.through,
        dispatch_uid="accounts.roles.group_permissions",
    )
    pre_delete.connect(_group_deleted, sender=Group, dispatch_uid="accounts.roles.group_deleted")
    pre_delete.connect(
        _permission_deleted, sender=Permission, dispatch_uid="accounts.roles.permission_deleted"
    )
