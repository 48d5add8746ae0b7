"""Grading: a KSM's level history, starting and confirming an assessment, and the regency's
distribution of levels with the movement between assessments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from groups.selectors import roles_for
from ksm_portal.exports import list_format, list_response
from ksm_portal.forms import apply_validation_error
from villages.models import Regency

from .. import exports, services
from ..forms import AssessmentForm, AssessmentStartForm
from ..models import Assessment
from ..selectors.grading import level_distribution, level_history
from .common import can_record, default_regency_code, recordable_group, visible_group


@login_required
def group_assessments(request, pk):
    group = visible_group(request, pk)
    recordable = can_record(request.user, group)
    return render(
        request,
        "training/group_assessments.html",
        {
            "group": group,
            "history": level_history(group)[:50],
            "draft": group.assessments.filter(status=Assessment.Status.DRAFT).first(),
            "can_record": recordable,
            "start_form": AssessmentStartForm() if recordable else None,
        },
    )


@login_required
@require_POST
def assessment_start(request, pk):
    group = recordable_group(request, pk)
    form = AssessmentStartForm(request.POST)
    if form.is_valid():
        try:
            assessment = services.assessment_start(
                actor=request.user,
                group=group,
                assessment_date=form.cleaned_data["assessment_date"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return redirect(assessment)
    return render(
        request,
        "training/group_assessments.html",
        {
            "group": group,
            "history": level_history(group)[:50],
            "draft": group.assessments.filter(status=Assessment.Status.DRAFT).first(),
            "can_record": True,
            "start_form": form,
        },
        status=400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_detail(request, pk):
    assessment = get_object_or_404(
        Assessment.objects.visible_to(request.user).select_related(
            "group__village", "level", "previous_level", "assessor"
        ),
        pk=pk,
    )
    group = assessment.group
    editable = assessment.is_draft and can_record(request.user, group)
    if request.method == "POST" and not editable:
        raise PermissionDenied
    answers = list(
        assessment.answers.select_related("criterion__area").order_by(
            "criterion__area__sort_order", "criterion__sort_order", "criterion__code"
        )
    )
    form = AssessmentForm(
        request.POST or None, answers=answers, initial={"notes": assessment.notes}
    )
    if request.method == "POST" and form.is_valid():
        confirm = "confirm" in request.POST
        service = services.assessment_confirm if confirm else services.assessment_save
        try:
            service(
                actor=request.user,
                assessment=assessment,
                scores=form.scores(),
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if confirm:
                assessment.refresh_from_db()
                messages.success(
                    request,
                    _("Assessment confirmed: %(group)s is at level %(level)s (%(score)s).")
                    % {
                        "group": group.name,
                        "level": assessment.level.name,
                        "score": number_format(assessment.score, 2),
                    },
                )
            else:
                messages.success(request, _("The answers have been kept; confirm when ready."))
            return redirect(assessment)
    areas = []
    for answer, field in form.lines():
        area = answer.criterion.area
        if not areas or areas[-1][0] != area:
            areas.append((area, []))
        areas[-1][1].append((answer, field))
    return render(
        request,
        "training/assessment_detail.html",
        {
            "assessment": assessment,
            "group": group,
            "form": form,
            "areas": areas,
            "editable": editable,
        },
    )


@login_required
def grading_overview(request):
    roles = roles_for(request.user)
    if not (roles.is_staff or roles.is_facilitator):
        raise PermissionDenied
    regencies = Regency.objects.order_by("code")
    code = request.GET.get("regency") or default_regency_code(request.user)
    if not code:
        return render(request, "training/grading_overview.html", {"distribution": None})
    regency = get_object_or_404(Regency, code=code)
    distribution = level_distribution(user=request.user, regency=regency)
    fmt = list_format(request)
    if fmt:
        return list_response(request, exports.grading_export(distribution), fmt)
    return render(
        request,
        "training/grading_overview.html",
        {
            "distribution": distribution,
            "regency": regency,
            "regencies": regencies if roles.is_staff else None,
        },
    )
