"""Logins into the audit trail: Django's own login signals, each recorded as a LoginEvent
(who, from where, when; a failure with the username that was tried)."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

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
