"""Login throttling with django-axes: who is counted, and the page a locked-out login sees.

The site's login and the admin's both authenticate through Django's `authenticate()` with the
request, so `LoginThrottleBackend` (first in AUTHENTICATION_BACKENDS) refuses a locked-out
username or address before any password is checked. Activation codes have their own throttle
in `accounts.services.login_activate`.
"""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for logins that come with a request (every web login).

    A call without one (a management command, the test client's `login()`) is no web attempt:
    there is no address to count, so it is passed on to the next backend unchecked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def attempted_username(request, credentials) -> str | None:
    """The username attempts are counted under: as typed, without spaces or capitals, so that
    "Siti.Aminah " and "siti.aminah" count as one."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username")
    return username.strip().lower() if isinstance(username, str) else None


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out login sees, on the site and in admin alike (HTTP 429)."""
    return render(
        request,
        "accounts/locked_out.html",
        {
            "message": lockout_message(),
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def lockout_message() -> str:
    return _(
        "Too many wrong passwords for this login or from this device. Logging in is blocked "
        "for %(minutes)s minutes, even with the right password. Ask staff to unlock it sooner."
    ) % {"minutes": lockout_minutes()}
