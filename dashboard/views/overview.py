"""The program overview: a staff report of one regency, district by district."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import SelfHelpGroup
from ksm_portal.charts import Chart, Series, bar_chart
from ksm_portal.db_router import replica_reads
from ksm_portal.exports import filename, pdf_response
from ksm_portal.scope import user_scope
from villages.models import Regency

from ..selectors.overview import DistrictOrigins, program_overview

FRAME = {"base_template": "dashboard/_frame.html"}


@login_required
@replica_reads
def overview(request, regency_code=None):
    """Program figures for one regency (staff only: facilitators see their villages
    elsewhere)."""
    if not user_scope(request.user).sees_all:
        raise PermissionDenied
    regencies = Regency.objects.select_related("province").order_by("code")
    if regency_code is None:
        regency_code = request.GET.get("regency") or (
            regencies.filter(ksm_count__gt=0).values_list("code", flat=True).first()
        )
        if regency_code is None:
            return render(request, "dashboard/overview.html", {"regency": None, **FRAME})
        regency = get_object_or_404(regencies, code=regency_code)
        return redirect("dashboard:overview", regency_code=regency.code)
    regency = get_object_or_404(regencies, code=regency_code)
    context = program_overview(regency=regency, page_number=request.GET.get("page"))
    context.update(
        regency=regency,
        regencies=regencies,
        origin_chart=origin_chart(regency, context["district_origins"]),
    )
    if request.GET.get("format") == "pdf":
        name = filename("ikhtisar-program", regency.name, timezone.localdate())
        return pdf_response(request, "dashboard/overview.html", context, name)
    return render(request, "dashboard/overview.html", {**FRAME, **context})


def origin_chart(regency: Regency, districts: list[DistrictOrigins]) -> Chart:
    """New and reactivated KSM stacked per district; each bar opens the KSM list behind it."""
    base = reverse("groups:list")

    def url(district: DistrictOrigins, origin: str = "") -> str:
        query = {"regency": regency.pk, "district": district.district_id}
        if origin:
            query["origin"] = origin
        return f"{base}?{urlencode(query)}"

    return bar_chart(
        chart_id="chart-ksm-origin",
        title=_("KSM newly formed and reactivated by district"),
        labels=[district.name for district in districts],
        urls=[url(district) for district in districts],
        series=[
            Series(
                _("New"),
                [district.ksm_new for district in districts],
                urls=[url(district, SelfHelpGroup.Origin.NEW) for district in districts],
            ),
            Series(
                _("Reactivated"),
                [district.ksm_reactivated for district in districts],
                urls=[url(district, SelfHelpGroup.Origin.REACTIVATED) for district in districts],
            ),
        ],
        stacked=True,
        category_heading=_("District"),
    )
