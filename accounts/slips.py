"""The activation slip: what a facilitator hands to an officer after making their login."""

import datetime

from django.shortcuts import redirect
from django.utils import timezone

from .services import IssuedCode

SLIP_SESSION_KEY = "activation_slip"
SLIP_SHOWN_FOR = datetime.timedelta(minutes=30)


def show_slip(request, issued: IssuedCode, *, holder: str, role: str, entity: str, back_url: str):
    """Keep the new code in the session for the slip page (not in the address, not in a log)
    and go there."""
    request.session[SLIP_SESSION_KEY] = {
        "username": issued.user.username,
        "code": issued.display,
        "expires_at": issued.expires_at.isoformat(),
        "holder": holder,
        "role": role,
        "entity": entity,
        "back_url": back_url,
        "made_at": timezone.now().isoformat(),
    }
    return redirect("accounts:slip")
