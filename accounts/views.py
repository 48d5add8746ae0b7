"""Activation with a code from a slip, and changing one's own password."""

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from ksm_portal.forms import apply_validation_error

from . import services
from .forms import ActivationForm
from .slips import SLIP_SESSION_KEY, SLIP_SHOWN_FOR


def client_address(request) -> str | None:
    """The caller's address as the server saw it (behind a proxy, the proxy sets
    REMOTE_ADDR through the WSGI server's forwarded-allow settings)."""
    return request.META.get("REMOTE_ADDR") or None


@sensitive_post_parameters("code", "password1", "password2")
@require_http_methods(["GET", "POST"])
def activate(request):
    form = ActivationForm(request.POST or None, initial={"username": request.GET.get("u", "")})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_activate(
                username=form.cleaned_data["username"],
                code=form.cleaned_data["code"],
                password=form.cleaned_data["password1"],
                ip_address=client_address(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            login(request, user, backend="accounts.backends.PortalBackend")
            messages.success(
                request, _("Your login is ready. Use your username and new password next time.")
            )
            return redirect("home")
    return render(request, "accounts/activate.html", {"form": form})


@login_required
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)  # stay logged in on this phone
        messages.success(request, _("Your password has been changed."))
        return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def slip(request):
    """The activation slip just made, to hand over or print. The code is shown only here and
    only for a short while; after that, a reset makes a new one."""
    data = request.session.get(SLIP_SESSION_KEY)
    made = parse_datetime(data["made_at"]) if data else None
    if not data or made is None or timezone.now() - made > SLIP_SHOWN_FOR:
        request.session.pop(SLIP_SESSION_KEY, None)
        return render(request, "accounts/slip_gone.html", status=410)
    slip = {**data, "expires_at": parse_datetime(data["expires_at"])}
    return render(request, "accounts/slip.html", {"slip": slip})
