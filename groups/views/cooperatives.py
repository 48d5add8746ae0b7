"""Cooperatives and the KSM that are their members."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ksm_portal.exports import list_format, list_response
from ksm_portal.forms import apply_validation_error
from ksm_portal.once import already_answer, create_once, replay, token_in_address
from ksm_portal.pagination import paginate
from ksm_portal.scope import user_scope

from .. import exports, services
from ..forms import CooperativeAdmitForm, CooperativeForm, MembershipEndForm
from ..models import Cooperative, CooperativeMembership, SelfHelpGroup
from ..selectors import cooperative_ksm_counts


@login_required
def cooperative_list(request):
    cooperatives = (
        Cooperative.objects.visible_to(request.user)
        .select_related("regency")
        .order_by("name", "id")
    )
    query = request.GET.get("q", "").strip()
    if query:
        cooperatives = cooperatives.filter(name__icontains=query)
    fmt = list_format(request)
    if fmt:
        filters = [(_("Search"), query)] if query else []
        return list_response(request, exports.cooperatives_export(cooperatives, filters), fmt)
    page, querystring = paginate(request, cooperatives)
    # Member KSM counted for this page's cooperatives only, not for the whole table.
    counts = cooperative_ksm_counts([c.pk for c in page.object_list])
    for cooperative in page.object_list:
        cooperative.ksm_count = counts.get(cooperative.pk, 0)
    return render(
        request,
        "groups/cooperative_list.html",
        {
            "page": page,
            "querystring": querystring,
            "q": query,
            "can_create": user_scope(request.user).manages_register,
        },
    )


@login_required
def cooperative_detail(request, pk):
    cooperative = get_object_or_404(
        Cooperative.objects.visible_to(request.user).select_related("regency"), pk=pk
    )
    memberships = cooperative.memberships.all()
    if not user_scope(request.user).sees_every_member_ksm(cooperative_id=cooperative.pk):
        # A member KSM's officer or a facilitator: the KSM in their own sight only.
        memberships = SelfHelpGroup.objects.visible_rows(memberships, request.user)
    memberships = memberships.select_related("group__village").order_by("left_date", "group__name")
    fmt = list_format(request)
    if fmt:
        return list_response(
            request, exports.cooperative_members_export(cooperative, memberships), fmt
        )
    can_edit = Cooperative.objects.editable_by(request.user).filter(pk=pk).exists()
    page, querystring = paginate(request, memberships, per_page=50)
    return render(
        request,
        "groups/cooperative_detail.html",
        {
            "cooperative": cooperative,
            "page": page,
            "querystring": querystring,
            "can_edit": can_edit,
            "admit_form": CooperativeAdmitForm() if can_edit else None,
        },
    )


def _editable_cooperative(request, pk) -> Cooperative:
    cooperative = get_object_or_404(Cooperative.objects.visible_to(request.user), pk=pk)
    if not Cooperative.objects.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied
    return cooperative


@login_required
@require_http_methods(["GET", "POST"])
def cooperative_create(request):
    if not user_scope(request.user).manages_register:
        raise PermissionDenied
    form = CooperativeForm(request.POST or None, user=request.user, token=request.GET.get("t"))
    if request.method != "POST" and (fresh := token_in_address(request, form)):
        return fresh
    if answer := replay(request, Cooperative, form.token_key):
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            cooperative, created = create_once(
                Cooperative,
                form.token_key,
                lambda: services.cooperative_register(
                    actor=request.user, once_key=form.token_key, **form.cleaned_data
                ),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if not created:
                return already_answer(request, cooperative)
            messages.success(request, _("The cooperative has been registered."))
            return redirect(cooperative)
    return render(request, "groups/cooperative_form.html", {"form": form, "cooperative": None})


@login_required
@require_http_methods(["GET", "POST"])
def cooperative_update(request, pk):
    cooperative = _editable_cooperative(request, pk)
    form = CooperativeForm(request.POST or None, instance=cooperative)
    if request.method == "POST" and form.is_valid():
        try:
            services.cooperative_update(
                actor=request.user, cooperative=cooperative, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The cooperative has been updated."))
            return redirect(cooperative)
    return render(
        request, "groups/cooperative_form.html", {"form": form, "cooperative": cooperative}
    )


@login_required
@require_POST
def cooperative_admit(request, pk):
    cooperative = _editable_cooperative(request, pk)
    form = CooperativeAdmitForm(request.POST)
    if form.is_valid():
        try:
            services.cooperative_admit_group(
                actor=request.user,
                cooperative=cooperative,
                group=form.cleaned_data["group"],
                joined_date=form.cleaned_data["joined_date"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(group)s has joined the cooperative.") % {"group": form.cleaned_data["group"]},
            )
            return redirect(cooperative)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect(cooperative)


@login_required
@require_POST
def cooperative_membership_end(request, pk):
    membership = get_object_or_404(
        CooperativeMembership.objects.filter(
            cooperative__in=Cooperative.objects.editable_by(request.user)
        ),
        pk=pk,
    )
    form = MembershipEndForm(request.POST)
    if form.is_valid():
        try:
            services.cooperative_membership_end(
                actor=request.user, membership=membership, left_date=form.cleaned_data["left_date"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The KSM has left the cooperative."))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(membership.cooperative)
