"""KSM pages: the list, a KSM's page, registering and changing a KSM."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ksm_portal.exports import applied_filters, list_format, list_response
from ksm_portal.forms import apply_validation_error
from ksm_portal.once import already_answer, create_once, replay, token_in_address
from ksm_portal.pagination import paginate
from villages.models import Bumdes, Village

from .. import exports, services
from ..filters import GroupFilter
from ..forms import GroupForm
from ..models import SelfHelpGroup
from ..selectors import group_list, group_officers, roles_for
from .common import editable_group


@login_required
def group_list_view(request):
    filterset = GroupFilter(
        request.GET or None, queryset=group_list(user=request.user), user=request.user
    )
    # A region outside the user's scope (or any bad value) lists nothing, with the field's error.
    groups = (
        filterset.queryset.none()
        if filterset.is_bound and not filterset.is_valid()
        else filterset.qs
    )
    fmt = list_format(request)
    if fmt:
        # ?list=members: the members of the KSM listed, instead of the KSM.
        export = (
            exports.members_export
            if request.GET.get("list") == "members"
            else exports.groups_export
        )
        return list_response(request, export(groups, applied_filters(filterset.form)), fmt)
    page, querystring = paginate(request, groups)
    # htmx swaps just the search block (filters + results): less to send on a weak connection.
    template = "groups/_group_search.html" if request.htmx else "groups/group_list.html"
    return render(
        request, template, {"filter": filterset, "page": page, "querystring": querystring}
    )


@login_required
def group_detail(request, pk):
    group = get_object_or_404(
        # The books app sits above this one: its Book comes through the reverse relation.
        SelfHelpGroup.objects.visible_to(request.user).select_related(
            "village__district__regency", "book"
        ),
        pk=pk,
    )
    fmt = list_format(request)
    if fmt:
        return list_response(request, exports.group_members_export(group), fmt)
    memberships = list(
        group.memberships.select_related("member__user").order_by("member__full_name")
    )
    active = [m for m in memberships if m.is_active]
    past = [m for m in memberships if not m.is_active]
    context = {
        "group": group,
        "memberships": memberships,
        "officers": group_officers(group, memberships),
        "active_memberships": active,
        "past_memberships": past,
        "cooperative_memberships": group.cooperative_memberships.select_related("cooperative"),
        "bumdes": Bumdes.objects.filter(village_id=group.village_id).first(),
        "history": group.history.select_related("history_user").order_by("-history_date")[:20],
        "can_edit": group.is_editable_by(request.user),
        # The books app sits above this one: reach its Book through the reverse relation.
        "book": getattr(group, "book", None),
    }
    return render(request, "groups/group_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def group_create(request):
    villages = Village.objects.editable_by(request.user)
    if not roles_for(request.user).can_register:
        raise PermissionDenied
    form = GroupForm(
        request.POST or None, villages=villages, user=request.user, token=request.GET.get("t")
    )
    if request.method != "POST" and (fresh := token_in_address(request, form)):
        return fresh
    if answer := replay(request, SelfHelpGroup, form.token_key):
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            group, created = create_once(
                SelfHelpGroup,
                form.token_key,
                lambda: services.group_register(
                    actor=request.user, once_key=form.token_key, **form.cleaned_data
                ),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if not created:
                return already_answer(request, group)
            messages.success(request, _("KSM %(name)s has been registered.") % {"name": group.name})
            return redirect(group)
    return render(request, "groups/group_form.html", {"form": form, "group": None})


@login_required
@require_http_methods(["GET", "POST"])
def group_update(request, pk):
    group = editable_group(request, pk)
    form = GroupForm(
        request.POST or None, instance=group, villages=Village.objects.editable_by(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.group_update(actor=request.user, group=group, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The KSM has been updated."))
            return redirect(group)
    return render(request, "groups/group_form.html", {"form": form, "group": group})
