"""The facilitator's agenda: their start of the day."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from ..forms import FollowUpCloseForm
from ..selectors.agenda import (
    ACTIONS_AHEAD_DAYS,
    ASSESS_EVERY_DAYS,
    BOOKS_CURRENT_DAYS,
    VISIT_EVERY_DAYS,
    facilitator_agenda,
)


@login_required
def agenda(request):
    today = timezone.localdate()
    return render(
        request,
        "training/agenda.html",
        {
            "agenda": facilitator_agenda(user=request.user, today=today),
            "today": today,
            "close_form": FollowUpCloseForm(),
            "visit_days": VISIT_EVERY_DAYS,
            "books_days": BOOKS_CURRENT_DAYS,
            "assess_days": ASSESS_EVERY_DAYS,
            "ahead_days": ACTIONS_AHEAD_DAYS,
        },
    )
