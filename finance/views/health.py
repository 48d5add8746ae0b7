"""A group's health month by month: loaded into the group page when the reader opens it, or
as a PDF with the portal's report header (?format=pdf)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import SelfHelpGroup
from ksm_portal import exports
from ksm_portal.db_router import replica_reads

from ..selectors.health import group_health_months


@login_required
@replica_reads
def group_health_months_view(request, group_id):
    group = get_object_or_404(
        SelfHelpGroup.objects.visible_to(request.user).select_related("village"), pk=group_id
    )
    fmt = request.GET.get("format")
    if fmt not in (None, "", "pdf"):
        raise Http404(_("The group health comes as a PDF."))
    today = timezone.localdate()
    months = group_health_months(group, today, months=6)
    if fmt == "pdf":
        # The first month is today's figures: the panel's own.
        context = {"group": group, "months": months, "current": months[0]}
        name = exports.filename("kesehatan-ksm", group.pk, today)
        return exports.pdf_response(request, "finance/group_health_print.html", context, name)
    template = (
        "finance/_group_health_months.html" if request.htmx else "finance/group_health_months.html"
    )
    return render(request, template, {"group": group, "months": months})


urlpatterns = [
    path("ksm/<int:group_id>/health/", group_health_months_view, name="group_health_months"),
]
