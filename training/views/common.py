"""What the training pages share: finding objects through the user's scope (404 outside it,
403 where the user may look but not record) and a safe way back."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme

from groups.models import SelfHelpGroup
from ksm_portal.scope import user_scope
from villages.models import Regency, Village

from ..models import TrainingEvent


def visible_group(request, pk) -> SelfHelpGroup:
    return get_object_or_404(
        SelfHelpGroup.objects.visible_to(request.user).select_related("village__district"), pk=pk
    )


def can_record(user, group: SelfHelpGroup) -> bool:
    """Facilitators of the village and staff record visits and assessments; officers read.
    The register's rule, from the user's scope (no query)."""
    return group.is_editable_by(user)


def can_visit(user, group: SelfHelpGroup) -> bool:
    """Only a facilitator assigned to the KSM's village records a visit there (the visit is
    theirs): staff without the village read the visits, they do not make them."""
    return group.village_id in user_scope(user).facilitator_village_ids


def recordable_group(request, pk) -> SelfHelpGroup:
    group = visible_group(request, pk)
    if not can_record(request.user, group):
        raise PermissionDenied
    return group


def visible_event(request, pk) -> TrainingEvent:
    return get_object_or_404(
        TrainingEvent.objects.visible_to(request.user).select_related(
            "village__district", "organiser"
        ),
        pk=pk,
    )


def can_edit_event(user, event: TrainingEvent) -> bool:
    return TrainingEvent.objects.editable_by(user).filter(pk=event.pk).exists()


def editable_event(request, pk) -> TrainingEvent:
    event = visible_event(request, pk)
    if not can_edit_event(request.user, event):
        raise PermissionDenied
    return event


def redirect_back(request, fallback):
    """To the page named in `next` when it is one of ours, else to `fallback`."""
    target = request.POST.get("next") or request.GET.get("next")
    # Only a printable path of this site: a bare word ("0", "home") would be taken by
    # redirect() for a view name, and a line break cannot go in a header; both were a 500.
    if (
        target
        and target.startswith("/")
        and target.isprintable()
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return HttpResponseRedirect(target)
    return redirect(fallback)


def default_regency_code(user) -> str | None:
    """The regency a facilitator works in (their first village's), else the first regency
    that has KSM: one index probe per regency, never a join over every KSM."""
    village = Village.objects.assigned_to(user).select_related("district__regency").first()
    if village is not None:
        return village.district.regency.code
    return (
        Regency.objects.filter(
            Exists(SelfHelpGroup.objects.filter(village__district__regency=OuterRef("pk")))
        )
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
