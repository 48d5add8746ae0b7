"""The group page's health panel: today's figures from the books (the month-by-month table
loads when the reader opens it)."""

from django import template
from django.utils import timezone

from ksm_portal.caching import kept

from ..selectors.health import group_health, health_stamp

register = template.Library()

# Kept while the book's entries, the group's meetings, its loans' schedules and its memberships
# are the same (the stamp); the time limit bounds what no stamp counts, such as a row changed
# in the admin.
HEALTH_SECONDS = 600


@register.inclusion_tag("finance/_group_health.html")
def group_health_panel(group, memberships=None):
    """`memberships`: all the group's memberships, when the page read them (their joining and
    leaving dates are part of the stamp); without them the figures are worked out each time."""
    today = timezone.localdate()
    stamp = health_stamp(group) if memberships is not None else None
    if stamp is None:
        current = group_health(group, today)
    else:
        joined = tuple((m.pk, m.joined_date, m.left_date, m.member_id) for m in memberships)
        current = kept(
            "group_health",
            (group.pk, stamp, joined, today),
            lambda: group_health(group, today),
            HEALTH_SECONDS,
        )
    return {"group": group, "current": current}
