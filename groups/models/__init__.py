"""Self-help groups (KSM), their members and memberships, cooperatives built on KSM, and the
officers of BUMDes and cooperatives."""

from .cooperatives import Cooperative, CooperativeMembership, CooperativeQuerySet
from .ksm import BusinessSector, SelfHelpGroup, SelfHelpGroupQuerySet
from .members import NIK_MATCHES_BIRTH, Member, MemberQuerySet, Membership, MembershipQuerySet
from .officers import BUMDES_ROLES, COOPERATIVE_ROLES, Officer, OfficerQuerySet, OfficerRole

__all__ = [
    "BUMDES_ROLES",
    "COOPERATIVE_ROLES",
    "NIK_MATCHES_BIRTH",
    "BusinessSector",
    "Cooperative",
    "CooperativeMembership",
    "CooperativeQuerySet",
    "Member",
    "MemberQuerySet",
    "Membership",
    "MembershipQuerySet",
    "Officer",
    "OfficerQuerySet",
    "OfficerRole",
    "SelfHelpGroup",
    "SelfHelpGroupQuerySet",
]
