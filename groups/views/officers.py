"""Officers and their logins: a KSM's chair, secretary and treasurer (memberships with a
role), and the officers of a BUMDes or a cooperative. The people who look after an entity
(its facilitators, program staff) record its officers and give them logins; the login's code
is shown once, on a slip to hand over."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.forms import LoginGrantForm
from accounts.services import username_suggest
from accounts.slips import show_slip
from ksm_portal.forms import apply_validation_error
from villages.models import Bumdes

from .. import services
from ..forms import MembershipEndForm, OfficerForm
from ..models import BUMDES_ROLES, COOPERATIVE_ROLES, Cooperative, Officer
from .common import editable_membership

ENTITIES = {
    "bumdes": (Bumdes, BUMDES_ROLES),
    "cooperative": (Cooperative, COOPERATIVE_ROLES),
}


# --- KSM officers' logins ---------------------------------------------------------------------


@dataclass
class LoginHolder:
    """Whoever a login is made for (a KSM officer's membership, a BUMDes or cooperative
    officer), as the grant, reset and slip pages need them."""

    name: str
    role: str
    entity: object
    login: object  # the user account, or None
    grant: Callable  # grant(actor=, username=) -> IssuedCode
    reset: Callable  # reset(actor=) -> IssuedCode


def _membership_holder(membership) -> LoginHolder:
    return LoginHolder(
        name=membership.member.full_name,
        role=membership.get_role_display(),
        entity=membership.group,
        login=membership.member.user,
        grant=lambda **kw: services.membership_login_grant(membership=membership, **kw),
        reset=lambda **kw: services.membership_login_reset(membership=membership, **kw),
    )


def _slip(request, holder: LoginHolder, issued):
    return show_slip(
        request,
        issued,
        holder=holder.name,
        role=holder.role,
        entity=str(holder.entity),
        back_url=holder.entity.get_absolute_url(),
    )


def _grant_page(request, holder: LoginHolder):
    """Make the login (or a new code for one never activated) and show its slip."""
    form = LoginGrantForm(request.POST or None, initial={"username": username_suggest(holder.name)})
    if holder.login is not None:
        del form.fields["username"]  # the login exists: only a new code is made
    if request.method == "POST" and form.is_valid():
        try:
            issued = holder.grant(
                actor=request.user, username=form.cleaned_data.get("username", "")
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return _slip(request, holder, issued)
    return render(
        request,
        "groups/login_grant.html",
        {
            "form": form,
            "holder": holder.name,
            "role": holder.role,
            "entity": holder.entity,
            "existing": holder.login,
        },
    )


def _reset_page(request, holder: LoginHolder):
    """A forgotten password: confirm, then a new code on a slip."""
    if request.method == "POST":
        try:
            issued = holder.reset(actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(holder.entity)
        return _slip(request, holder, issued)
    return render(
        request,
        "groups/login_reset.html",
        {"holder": holder.name, "login": holder.login, "entity": holder.entity},
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_login(request, pk):
    """Give a KSM officer a login (or a new code for one never activated)."""
    return _grant_page(request, _membership_holder(editable_membership(request, pk)))


@login_required
@require_http_methods(["GET", "POST"])
def membership_login_reset(request, pk):
    return _reset_page(request, _membership_holder(editable_membership(request, pk)))


# --- BUMDes and cooperative officers -------------------------------------------------------


def _editable_entity(request, kind: str, pk: int):
    if kind not in ENTITIES:
        raise PermissionDenied
    model, _roles = ENTITIES[kind]
    entity = get_object_or_404(model.objects.visible_to(request.user), pk=pk)
    if not model.objects.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied
    return entity


def _editable_officer(request, pk) -> Officer:
    officer = get_object_or_404(
        Officer.objects.filter(
            Q(bumdes__in=Bumdes.objects.visible_to(request.user))
            | Q(cooperative__in=Cooperative.objects.visible_to(request.user))
        ).select_related("bumdes", "cooperative", "user"),
        pk=pk,
    )
    entity = officer.entity
    if not type(entity).objects.editable_by(request.user).filter(pk=entity.pk).exists():
        raise PermissionDenied
    return officer


@login_required
@require_http_methods(["GET", "POST"])
def officer_add(request, kind, pk):
    entity = _editable_entity(request, kind, pk)
    form = OfficerForm(request.POST or None, roles=ENTITIES[kind][1])
    if request.method == "POST" and form.is_valid():
        try:
            officer = services.officer_appoint(
                actor=request.user, entity=entity, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is recorded as %(role)s.")
                % {"name": officer.full_name, "role": officer.get_role_display().lower()},
            )
            return redirect(entity)
    return render(request, "groups/officer_form.html", {"form": form, "entity": entity})


@login_required
@require_http_methods(["GET", "POST"])
def officer_end(request, pk):
    officer = _editable_officer(request, pk)
    form = MembershipEndForm(request.POST or None)
    form.fields["left_date"].label = _("left office on")
    if request.method == "POST" and form.is_valid():
        try:
            services.officer_end(
                actor=request.user, officer=officer, end_date=form.cleaned_data["left_date"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("%(name)s has left office.") % {"name": officer.full_name})
            return redirect(officer.entity)
    return render(request, "groups/officer_end.html", {"form": form, "officer": officer})


def _officer_holder(officer) -> LoginHolder:
    return LoginHolder(
        name=officer.full_name,
        role=officer.get_role_display(),
        entity=officer.entity,
        login=officer.user,
        grant=lambda **kw: services.officer_login_grant(officer=officer, **kw),
        reset=lambda **kw: services.officer_login_reset(officer=officer, **kw),
    )


@login_required
@require_http_methods(["GET", "POST"])
def officer_login(request, pk):
    return _grant_page(request, _officer_holder(_editable_officer(request, pk)))


@login_required
@require_http_methods(["GET", "POST"])
def officer_login_reset(request, pk):
    return _reset_page(request, _officer_holder(_editable_officer(request, pk)))
