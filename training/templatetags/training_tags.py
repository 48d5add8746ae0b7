from django import template
from django.utils import timezone

from training.models import Assessment, FollowUpAction, Visit
from training.views.common import can_record, can_visit

register = template.Library()

PANEL_VISITS = 3
PANEL_ACTIONS = 5


@register.inclusion_tag("training/_group_panel.html", takes_context=True)
def group_mentoring_panel(context, group):
    """The group page's mentoring panel: latest visits, open follow-up actions, current level.
    The page has already checked that the user may see the group."""
    request = context.get("request")
    user = getattr(request, "user", None)
    open_actions = FollowUpAction.objects.open().filter(group=group)
    return {
        "group": group,
        "request": request,
        "visits": list(
            Visit.objects.filter(group=group)
            .select_related("facilitator")
            .order_by("-visit_date", "-id")[:PANEL_VISITS]
        ),
        "open_actions": list(
            open_actions.select_related("visit").order_by("due_date", "pk")[:PANEL_ACTIONS]
        ),
        "open_count": open_actions.count(),
        "current": Assessment.objects.filter(group=group, is_current=True)
        .select_related("level", "previous_level")
        .first(),
        "can_record": bool(user) and can_record(user, group),
        "can_visit": bool(user) and can_visit(user, group),
        "today": timezone.localdate(),
    }
