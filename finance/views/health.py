"""A group's health month by month: loaded into the group page when the reader opens it."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone

from groups.models import SelfHelpGroup

from ..selectors.health import group_health_months


@login_required
def group_health_months_view(request, group_id):
    group = get_object_or_404(SelfHelpGroup.objects.visible_to(request.user), pk=group_id)
    months = group_health_months(group, timezone.localdate(), months=6)
    template = (
        "finance/_group_health_months.html" if request.htmx else "finance/group_health_months.html"
    )
    return render(request, template, {"group": group, "months": months})


urlpatterns = [
    path("ksm/<int:group_id>/health/", group_health_months_view, name="group_health_months"),
]
