"""Mentoring visits: a KSM's history, recording a visit with its follow-ups, closing them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from groups.models import SelfHelpGroup
from ksm_portal.exports import list_format, list_response
from ksm_portal.forms import apply_validation_error
from ksm_portal.once import already_answer, create_once, replay, token_in_address
from ksm_portal.pagination import paginate

from .. import exports, services
from ..forms import FollowUpAddForm, FollowUpCloseForm, FollowUpFormSet, VisitForm
from ..models import FollowUpAction, Visit
from .common import can_record, can_visit, redirect_back, visible_group


@login_required
def visit_list(request):
    visits = (
        Visit.objects.visible_to(request.user)
        .select_related("group__village", "facilitator")
        .order_by("-visit_date", "-id")
    )
    if request.GET.get("mine"):
        visits = visits.filter(facilitator=request.user)
    fmt = list_format(request)
    if fmt:
        filters = [(_("Visits"), _("Mine"))] if request.GET.get("mine") else []
        return list_response(request, exports.visits_export(visits, filters), fmt)
    page, querystring = paginate(request, visits)
    return render(
        request,
        "training/visit_list.html",
        {"page": page, "querystring": querystring, "mine": bool(request.GET.get("mine"))},
    )


@login_required
def group_visits(request, pk):
    group = visible_group(request, pk)
    visits = group.visits.select_related("facilitator").order_by("-visit_date", "-id")
    fmt = list_format(request)
    if fmt:
        return list_response(request, exports.visits_export(visits, [], group=group), fmt)
    page, querystring = paginate(request, visits)
    return render(
        request,
        "training/group_visits.html",
        {
            "group": group,
            "page": page,
            "querystring": querystring,
            "open_actions": group.follow_up_actions.open()
            .select_related("visit")
            .order_by("due_date", "pk")[:50],
            "can_record": can_record(request.user, group),
            "can_visit": can_visit(request.user, group),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_create(request, pk):
    group = visible_group(request, pk)
    if not can_visit(request.user, group):
        raise PermissionDenied
    form = VisitForm(request.POST or None, group=group, token=request.GET.get("t"))
    if request.method != "POST" and (fresh := token_in_address(request, form)):
        return fresh
    if answer := replay(request, Visit, form.token_key):
        return answer
    actions = FollowUpFormSet(request.POST or None, prefix="actions")
    if request.method == "POST" and form.is_valid() and actions.is_valid():
        data = form.cleaned_data
        planned = [
            {
                "description": line["description"],
                "responsible": line["responsible"],
                "due_date": line["due_date"],
            }
            for line in actions.cleaned_data
            if line and not line.get("is_empty")
        ]
        try:
            visit, created = create_once(
                Visit,
                form.token_key,
                lambda: services.visit_record(
                    actor=request.user,
                    group=group,
                    facilitator=request.user,
                    visit_date=data["visit_date"],
                    attendees=data["attendees"],
                    other_attendees=data["other_attendees"],
                    topics=data["topics"],
                    discussion=data["discussion"],
                    findings=data["findings"],
                    actions=planned,
                    once_key=form.token_key,
                ),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if not created:
                return already_answer(request, visit)
            messages.success(
                request,
                _("The visit to %(group)s on %(date)s has been recorded.")
                % {"group": group.name, "date": visit.visit_date.strftime("%d-%m-%Y")},
            )
            return redirect(visit)
    return render(
        request, "training/visit_form.html", {"form": form, "actions": actions, "group": group}
    )


def _visible_visit(request, pk) -> Visit:
    return get_object_or_404(
        Visit.objects.visible_to(request.user).select_related("group__village", "facilitator"),
        pk=pk,
    )


def _visit_page(request, visit: Visit, add_form=None, status=200):
    recordable = can_record(request.user, visit.group)
    if recordable and add_form is None:
        add_form = FollowUpAddForm(prefix="add", visit=visit)
    return render(
        request,
        "training/visit_detail.html",
        {
            "visit": visit,
            "group": visit.group,
            "actions": visit.actions.select_related("closed_by").order_by("due_date", "pk"),
            "attendees": visit.attendees.order_by("full_name"),
            "topics": visit.topics.all(),
            "can_record": recordable,
            "add_form": add_form if recordable else None,
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
def visit_detail(request, pk):
    return _visit_page(request, _visible_visit(request, pk))


@login_required
@require_POST
def followup_add(request, pk):
    """One more follow-up action for a visit already recorded (the visit form has room for
    a few; what comes up later is added here)."""
    visit = _visible_visit(request, pk)
    if not can_record(request.user, visit.group):
        raise PermissionDenied
    form = FollowUpAddForm(request.POST, prefix="add", visit=visit)
    if answer := replay(request, FollowUpAction, form.token_key, where=lambda made: visit):
        return answer
    if form.is_valid():
        try:
            action, created = create_once(
                FollowUpAction,
                form.token_key,
                lambda: services.followup_add(
                    actor=request.user,
                    visit=visit,
                    description=form.cleaned_data["description"],
                    responsible=form.cleaned_data["responsible"],
                    due_date=form.cleaned_data["due_date"],
                    once_key=form.token_key,
                ),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if not created:
                return already_answer(request, visit)
            messages.success(
                request, _("Follow-up action added: %(action)s") % {"action": action.description}
            )
            return redirect(visit)
    return _visit_page(request, visit, add_form=form, status=400)


@login_required
@require_POST
def followup_close(request, pk):
    action = get_object_or_404(
        FollowUpAction.objects.visible_to(request.user).select_related("visit", "group"), pk=pk
    )
    if not SelfHelpGroup.objects.editable_by(request.user).filter(pk=action.group_id).exists():
        raise PermissionDenied
    form = FollowUpCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether the action was done or dropped."))
        return redirect_back(request, action.visit)
    try:
        services.followup_close(
            actor=request.user,
            action=action,
            status=form.cleaned_data["status"],
            closed_date=timezone.localdate(),
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if form.cleaned_data["status"] == FollowUpAction.Status.DONE:
            text = _("Done: %(action)s")
        else:
            text = _("Dropped: %(action)s")
        messages.success(request, text % {"action": action.description})
    return redirect_back(request, action.visit)
