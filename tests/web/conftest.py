"""Fixtures for the page tests: logged-in clients and a second village nobody here looks after.

"Village B" is `other_village` (another province, assigned to nobody) with a KSM, a member,
a BUMDes and a cooperative whose only member KSM lies there.
"""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from groups.models import Cooperative, Membership, SelfHelpGroup
from tests.groups.factories import (
    CooperativeFactory,
    CooperativeMembershipFactory,
    MembershipFactory,
    SelfHelpGroupFactory,
)
from tests.villages.factories import BumdesFactory
from tests.web.support import logged_in
from villages.models import Bumdes, Village


@pytest.fixture
def staff_client(staff_user):
    return logged_in(staff_user)


@pytest.fixture
def facilitator_client(facilitator):
    return logged_in(facilitator)


@pytest.fixture
def treasurer_client(treasurer):
    return logged_in(treasurer)


@dataclass
class VillageB:
    village: Village
    ksm: SelfHelpGroup
    membership: Membership
    bumdes: Bumdes
    cooperative: Cooperative

    def pages(self) -> dict[str, str]:
        """Every page that shows or changes something of village B."""
        return {
            "KSM detail": reverse("groups:detail", args=[self.ksm.pk]),
            "KSM edit": reverse("groups:update", args=[self.ksm.pk]),
            "add member": reverse("groups:member_add", args=[self.ksm.pk]),
            "member edit": reverse("groups:member_update", args=[self.membership.member_id]),
            "membership end": reverse("groups:membership_end", args=[self.membership.pk]),
            "membership role": reverse("groups:membership_role", args=[self.membership.pk]),
            "BUMDes detail": reverse("villages:bumdes_detail", args=[self.bumdes.pk]),
            "BUMDes edit": reverse("villages:bumdes_update", args=[self.bumdes.pk]),
            "cooperative detail": reverse("groups:cooperative_detail", args=[self.cooperative.pk]),
        }


@pytest.fixture
def village_b(other_village):
    ksm = SelfHelpGroupFactory(village=other_village, name="KSM Desa Seberang")
    cooperative = CooperativeFactory(
        regency=other_village.district.regency, name="Koperasi Seberang"
    )
    CooperativeMembershipFactory(cooperative=cooperative, group=ksm)
    return VillageB(
        village=other_village,
        ksm=ksm,
        membership=MembershipFactory(group=ksm),
        bumdes=BumdesFactory(village=other_village),
        cooperative=cooperative,
    )


# --- Browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """The browser of a pendamping in Batang asks for Indonesian, the portal's own language."""
    return {**browser_context_args, "locale": "id-ID"}
