"""Roles kept in sessions (`ksm_portal.scope`): a facilitator assignment made, changed or
ended gives its facilitator a new roles stamp (one ending by date needs none: the stamp
holds the date)."""

from ksm_portal.scope import track_roles


def connect():
    from .models import FacilitatorAssignment

    track_roles(FacilitatorAssignment, lambda assignment: [assignment.user_id])
