"""KSM, member and cooperative pages. Every object comes through `visible_to` (404 outside the
user's scope) and every write through a service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from finance.models import Book
from ksm_portal.forms import apply_validation_error
from ksm_portal.pagination import paginate
from villages.models import Bumdes, Village

from . import services
from .filters import GroupFilter
from .forms import (
    CooperativeAdmitForm,
    CooperativeForm,
    GroupForm,
    MemberForm,
    MemberJoinForm,
    MembershipEndForm,
    MembershipRoleForm,
)
from .models import Cooperative, CooperativeMembership, Member, Membership, SelfHelpGroup
from .selectors import cooperative_ksm_counts, group_list, group_officers, roles_for


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
    page, querystring = paginate(request, groups)
    # htmx swaps just the search block (filters + results): less to send on a weak connection.
    template = "groups/_group_search.html" if request.htmx else "groups/group_list.html"
    return render(
        request, template, {"filter": filterset, "page": page, "querystring": querystring}
    )


@login_required
def group_detail(request, pk):
    group = get_object_or_404(
        SelfHelpGroup.objects.visible_to(request.user).select_related("village__district__regency"),
        pk=pk,
    )
    memberships = group.memberships.select_related("member").order_by("member__full_name")
    active = [m for m in memberships if m.is_active]
    past = [m for m in memberships if not m.is_active]
    context = {
        "group": group,
        "officers": group_officers(group),
        "active_memberships": active,
        "past_memberships": past,
        "cooperative_memberships": group.cooperative_memberships.select_related("cooperative"),
        "bumdes": Bumdes.objects.filter(village_id=group.village_id).first(),
        "history": group.history.select_related("history_user").order_by("-history_date")[:20],
        "can_edit": SelfHelpGroup.objects.editable_by(request.user).filter(pk=group.pk).exists(),
        "book": Book.objects.filter(group=group).first(),
    }
    return render(request, "groups/group_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def group_create(request):
    villages = Village.objects.editable_by(request.user)
    if not roles_for(request.user).can_register:
        raise PermissionDenied
    form = GroupForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_register(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("KSM %(name)s has been registered.") % {"name": group.name})
            return redirect(group)
    return render(request, "groups/group_form.html", {"form": form, "group": None})


def _editable_group(request, pk) -> SelfHelpGroup:
    group = get_object_or_404(SelfHelpGroup.objects.visible_to(request.user), pk=pk)
    if not SelfHelpGroup.objects.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied
    return group


@login_required
@require_http_methods(["GET", "POST"])
def group_update(request, pk):
    group = _editable_group(request, pk)
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


def _home_villages(group: SelfHelpGroup):
    """Members usually live in the group's own kecamatan; offer its villages."""
    return Village.objects.filter(district_id=group.village.district_id)


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request, pk):
    group = _editable_group(request, pk)
    form = MemberJoinForm(request.POST or None, group=group, villages=_home_villages(group))
    if request.method == "POST" and form.is_valid():
        known = Member.objects.filter(nik=form.cleaned_data["nik"]).exists()
        try:
            membership = services.member_join(
                actor=request.user,
                group=group,
                role=form.cleaned_data["role"],
                joined_date=form.cleaned_data["joined_date"],
                **form.member_fields(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
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
    memberships = member.memberships.filter(
        group__in=SelfHelpGroup.objects.visible_to(request.user)
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


def _editable_membership(request, pk) -> Membership:
    membership = get_object_or_404(
        Membership.objects.filter(
            group__in=SelfHelpGroup.objects.visible_to(request.user)
        ).select_related("member", "group"),
        pk=pk,
    )
    if not SelfHelpGroup.objects.editable_by(request.user).filter(pk=membership.group_id).exists():
        raise PermissionDenied
    return membership


@login_required
@require_http_methods(["GET", "POST"])
def membership_end(request, pk):
    membership = _editable_membership(request, pk)
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
    membership = _editable_membership(request, pk)
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
def cooperative_list(request):
    cooperatives = (
        Cooperative.objects.visible_to(request.user)
        .select_related("regency")
        .order_by("name", "id")
    )
    query = request.GET.get("q", "").strip()
    if query:
        cooperatives = cooperatives.filter(name__icontains=query)
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
            "can_create": request.user.is_staff,
        },
    )


@login_required
def cooperative_detail(request, pk):
    cooperative = get_object_or_404(
        Cooperative.objects.visible_to(request.user).select_related("regency"), pk=pk
    )
    visible_groups = SelfHelpGroup.objects.visible_to(request.user)
    memberships = (
        cooperative.memberships.filter(group__in=visible_groups)
        .select_related("group__village")
        .order_by("left_date", "group__name")
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
    if not request.user.is_staff:
        raise PermissionDenied
    form = CooperativeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cooperative = services.cooperative_register(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
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
