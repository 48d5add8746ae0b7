"""Trainings: list, create and edit, invite KSM, record attendance, materials, coverage."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from groups.models import Membership, SelfHelpGroup
from groups.selectors import roles_for
from ksm_portal.exports import list_format, list_response
from ksm_portal.forms import apply_validation_error
from ksm_portal.once import already_answer, create_once, replay, token_in_address
from ksm_portal.pagination import paginate
from villages.models import Village

from .. import exports, services
from ..forms import AttendanceForm, InviteForm, MaterialForm, TrainingEventForm
from ..models import Attendance, Material, TrainingEvent
from ..selectors.coverage import (
    coverage_report,
    groups_needing_training,
    needs_of,
    scope_for,
)
from .common import can_edit_event, default_regency_code, editable_event, visible_event


@login_required
def event_list(request):
    today = timezone.localdate()
    when = request.GET.get("when", "upcoming")
    events = TrainingEvent.objects.visible_to(request.user).select_related("village")
    if when == "past":
        events = events.filter(end_date__lt=today).order_by("-start_date", "-id")
    else:
        when = "upcoming"
        events = events.filter(end_date__gte=today).order_by("start_date", "id")
    fmt = list_format(request)
    if fmt:
        shown = _("Past") if when == "past" else _("Upcoming and ongoing")
        return list_response(request, exports.events_export(events, [(_("Trainings"), shown)]), fmt)
    page, querystring = paginate(request, events)
    return render(
        request,
        "training/event_list.html",
        {
            "page": page,
            "querystring": querystring,
            "when": when,
            "can_create": roles_for(request.user).can_register,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request):
    if not roles_for(request.user).can_register:
        raise PermissionDenied
    form = TrainingEventForm(
        request.POST or None,
        villages=Village.objects.editable_by(request.user),
        user=request.user,
        token=request.GET.get("t"),
    )
    if request.method != "POST" and (fresh := token_in_address(request, form)):
        return fresh
    if answer := replay(request, TrainingEvent, form.token_key):
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            event, created = create_once(
                TrainingEvent,
                form.token_key,
                lambda: services.training_create(
                    actor=request.user,
                    topics=form.cleaned_data["topics"],
                    once_key=form.token_key,
                    **form.service_fields(),
                ),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if not created:
                return already_answer(request, event)
            messages.success(request, _("The training has been saved. Now invite the KSM."))
            return redirect("training:event_invite", pk=event.pk)
    return render(request, "training/event_form.html", {"form": form, "event": None})


@login_required
@require_http_methods(["GET", "POST"])
def event_update(request, pk):
    event = editable_event(request, pk)
    form = TrainingEventForm(
        request.POST or None,
        instance=event,
        villages=Village.objects.editable_by(request.user),
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.training_update(
                actor=request.user,
                event=event,
                topics=form.cleaned_data["topics"],
                **form.service_fields(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The training has been updated."))
            return redirect(event)
    return render(request, "training/event_form.html", {"form": form, "event": event})


@login_required
def event_detail(request, pk):
    event = visible_event(request, pk)
    invitations = (
        SelfHelpGroup.objects.visible_rows(event.invitations.all(), request.user)
        .select_related("group__village")
        .order_by("group__village__code", "group__name")
    )
    attended = dict(
        event.attendances.order_by()
        .values("group_id")
        .annotate(n=Count("pk"))
        .values_list("group_id", "n")
    )
    rows = [(invitation, attended.get(invitation.group_id, 0)) for invitation in invitations]
    by_role = dict(
        event.attendances.order_by().values("role").annotate(n=Count("pk")).values_list("role", "n")
    )
    can_edit = can_edit_event(request.user, event)
    return render(
        request,
        "training/event_detail.html",
        {
            "event": event,
            "topics": event.topics.all(),
            "rows": rows,
            "by_role": [(label, by_role.get(value, 0)) for value, label in Membership.Role.choices],
            "attendance_total": sum(by_role.values()),
            "materials": event.materials.order_by("title", "pk"),
            "can_edit": can_edit,
            "material_form": MaterialForm(event=event) if can_edit else None,
            "started": event.start_date <= timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_invite(request, pk):
    event = editable_event(request, pk)
    # The KSM of the training's kecamatan that the user looks after: a bounded list.
    choices = (
        SelfHelpGroup.objects.editable_by(request.user)
        .filter(village__district_id=event.village.district_id)
        .exclude(status=SelfHelpGroup.Status.DISSOLVED)
        .select_related("village")
        .order_by("village__code", "name", "pk")
    )
    invited = set(event.invitations.values_list("group_id", flat=True))
    form = InviteForm(request.POST or None, groups=choices, initial={"groups": sorted(invited)})
    if request.method == "POST" and form.is_valid():
        try:
            added = services.training_invite(
                actor=request.user, event=event, groups=form.cleaned_data["groups"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(count)d KSM newly invited.") % {"count": added},
            )
            return redirect(event)
    return render(
        request, "training/event_invite.html", {"form": form, "event": event, "invited": invited}
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_attendance(request, pk, group_pk):
    event = editable_event(request, pk)
    invitation = get_object_or_404(
        event.invitations.select_related("group__village"), group_id=group_pk
    )
    group = invitation.group
    memberships = (
        Membership.objects.filter(group=group, joined_date__lte=event.end_date)
        .exclude(left_date__lt=event.start_date)
        .select_related("member")
        .order_by("role", "member__full_name")
    )
    # officers first: chair, member, secretary, treasurer is alphabetical; order by rank
    rank = {role: index for index, role in enumerate(Membership.Role.values)}
    memberships = sorted(memberships, key=lambda m: (rank[m.role], m.member.full_name))
    existing = {a.member_id: a for a in Attendance.objects.filter(event=event, group=group)}
    form = AttendanceForm(request.POST or None, memberships=memberships, existing=existing)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.attendance_set_for_group(
                actor=request.user, event=event, group=group, rows=form.attendance_rows()
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("Attendance saved: %(count)d from %(group)s.")
                % {"count": len(saved), "group": group.name},
            )
            return redirect(event)
    return render(
        request,
        "training/event_attendance.html",
        {
            "form": form,
            "event": event,
            "group": group,
            "started": event.start_date <= timezone.localdate(),
        },
    )


@login_required
@require_POST
def material_add(request, pk):
    event = editable_event(request, pk)
    form = MaterialForm(request.POST, request.FILES, event=event)
    if answer := replay(request, Material, form.token_key, where=lambda made: event):
        return answer
    if form.is_valid():
        try:
            material, created = create_once(
                Material,
                form.token_key,
                lambda: services.material_add(
                    actor=request.user,
                    event=event,
                    title=form.cleaned_data["title"],
                    upload=form.cleaned_data["file"],
                    once_key=form.token_key,
                ),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if not created:
                return already_answer(request, material, event)
            messages.success(request, _("The material has been uploaded."))
            return redirect(event)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect(event)


@login_required
def material_download(request, pk):
    material = get_object_or_404(
        Material.objects.filter(event__in=TrainingEvent.objects.visible_to(request.user)), pk=pk
    )
    try:
        handle = material.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=material.original_name,
        content_type=material.content_type,
    )


# --- Coverage ---------------------------------------------------------------------------------


@login_required
def coverage(request):
    roles = roles_for(request.user)
    if not (roles.is_staff or roles.is_facilitator):
        raise PermissionDenied
    area = request.GET.get("area") or default_regency_code(request.user)
    if not area:
        return render(request, "training/coverage.html", {"report": None})
    scope = scope_for(area)
    if scope is None:
        raise Http404
    report = coverage_report(user=request.user, scope=scope)
    needing = groups_needing_training(user=request.user, scope=scope, topics=report.topics)
    fmt = list_format(request)
    if fmt:
        # ?list=needs: who still needs training, instead of the coverage table.
        if request.GET.get("list") == "needs":
            return list_response(request, exports.needs_export(needing, report, scope), fmt)
        return list_response(request, exports.coverage_export(report, scope), fmt)
    page, querystring = paginate(request, needing)
    needs = [(group, needs_of(group, report.topics)) for group in page.object_list]
    return render(
        request,
        "training/coverage.html",
        {
            "report": report,
            "scope": scope,
            "page": page,
            "needs": needs,
            "querystring": querystring,
        },
    )
