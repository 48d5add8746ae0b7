"""The group page's health panel: today's figures from the books (the month-by-month table
loads when the reader opens it)."""

from django import template
from django.utils import timezone

from ..selectors.health import group_health

register = template.Library()


@register.inclusion_tag("finance/_group_health.html")
def group_health_panel(group):
    return {"group": group, "current": group_health(group, timezone.localdate())}
