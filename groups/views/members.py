"""Members: finding them, joining a KSM, their details, ending a membership or changing its
role."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ksm_portal.forms import apply_validation_error
from ksm_portal.once import already_answer, create_once, replay, token_in_address
from ksm_portal.pagination import paginate
from villages.models import Village

from .. import services
from ..forms import (
    MemberForm,
    MemberJoinForm,
    MemberSearchForm,
    MembershipEndForm,
    MembershipRoleForm,
)
from ..models import Member, Membership, SelfHelpGroup
from ..selectors import member_search
from .common import editable_group, editable_membership


def _home_villages(group: SelfHelpGroup):
    """Members usually live in the group's own kecamatan; offer its villages."""
    return Village.objects.filter(district_id=group.village.district_id)


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request, pk):
    group = editable_group(request, pk)
    form = MemberJoinForm(
        request.POST or None,
        group=group,
        villages=_home_villages(group),
        token=request.GET.get("t"),
    )
    if request.method != "POST" and (fresh := token_in_address(request, form)):
        return fresh
    if answer := replay(request, Membership, form.token_key, where=lambda made: group):
        return answer
    if request.method == "POST" and form.is_valid():
        known = Member.objects.filter(nik=form.cleaned_data["nik"]).exists()
        try:
            membership, created = create_once(
                Membership,
                form.token_key,
                lambda: services.member_join(
                    actor=request.user,
                    group=group,
                    role=form.cleaned_data["role"],
                    joined_date=form.cleaned_data["joined_date"],
                    once_key=form.token_key,
                    **form.member_fields(),
                ),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if not created:
                return already_answer(request, membership, group)
            if known:
                messages.info(
                    request,
                    _(
                        "This NIK was already registered: the person has joined with the "
                        "details on record."
                    ),
                )
            messages.success(
                request,
                _("%(name)s has joined %(group)s.")
                % {"name": membership.member.full_name, "group": group.name},
            )
            if "add_another" in request.POST:
                return redirect("groups:member_add", pk=group.pk)
            return redirect(group)
    return render(
        request, "groups/member_form.html", {"form": form, "group": group, "member": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_update(request, pk):
    member = get_object_or_404(
        Member.objects.visible_to(request.user).select_related("village"), pk=pk
    )
    if not Member.objects.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied
    # Members live in or near the group's kecamatan: offer the villages of their district.
    villages = Village.objects.filter(district_id=member.village.district_id)
    form = MemberForm(request.POST or None, instance=member, villages=villages)
    memberships = SelfHelpGroup.objects.visible_rows(
        member.memberships.all(), request.user
    ).select_related("group__village")
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The member's details have been saved."))
            first = memberships.filter(left_date__isnull=True).first()
            return redirect(first.group if first else "groups:list")
    return render(
        request,
        "groups/member_form.html",
        {"form": form, "member": member, "memberships": memberships, "group": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_end(request, pk):
    membership = editable_membership(request, pk)
    form = MembershipEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_end(
                actor=request.user, membership=membership, left_date=form.cleaned_data["left_date"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is no longer a member of %(group)s.")
                % {"name": membership.member.full_name, "group": membership.group.name},
            )
            return redirect(membership.group)
    return render(request, "groups/membership_end.html", {"form": form, "membership": membership})


@login_required
@require_http_methods(["GET", "POST"])
def membership_role(request, pk):
    membership = editable_membership(request, pk)
    form = MembershipRoleForm(request.POST or None, initial={"role": membership.role})
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_change_role(
                actor=request.user, membership=membership, role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is now %(role)s.")
                % {
                    "name": membership.member.full_name,
                    "role": membership.get_role_display().lower(),
                },
            )
            return redirect(membership.group)
    return render(request, "groups/membership_role.html", {"form": form, "membership": membership})


# --- Cooperatives ------------------------------------------------------------------------------


@login_required
def member_search_view(request):
    """Members by name or NIK across the groups the user sees."""
    form = MemberSearchForm(request.GET or None)
    page = querystring = None
    found = more = 0
    if form.is_valid() and form.cleaned_data["q"]:
        members, found, more = member_search(user=request.user, text=form.cleaned_data["q"])
        page, querystring = paginate(request, members, count=found)
    return render(
        request,
        "groups/member_search.html",
        {"form": form, "page": page, "querystring": querystring, "found": found, "more": more},
    )
