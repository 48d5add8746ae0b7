"""What the KSM pages share: the object, found through the user's scope (404 outside it;
403 when it is visible but not the user's to change)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from ..models import Membership, SelfHelpGroup


def editable_group(request, pk) -> SelfHelpGroup:
    group = get_object_or_404(SelfHelpGroup.objects.visible_to(request.user), pk=pk)
    if not SelfHelpGroup.objects.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied
    return group


def editable_membership(request, pk) -> Membership:
    membership = get_object_or_404(
        SelfHelpGroup.objects.visible_rows(Membership.objects.all(), request.user).select_related(
            "member", "group"
        ),
        pk=pk,
    )
    if not SelfHelpGroup.objects.editable_by(request.user).filter(pk=membership.group_id).exists():
        raise PermissionDenied
    return membership
