"""The group page's health panel: the last six months' figures from the books."""

from django import template
from django.utils import timezone

from ..selectors.health import group_health_months

register = template.Library()


@register.inclusion_tag("finance/_group_health.html")
def group_health_panel(group):
    months = group_health_months(group, timezone.localdate(), months=6)
    return {"group": group, "current": months[0], "months": months}
