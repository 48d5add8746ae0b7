"""Who sees and changes what: staff everything, a facilitator the villages assigned to them
today, a treasurer their own group (read only), everyone else nothing."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from groups.models import Cooperative, Member, SelfHelpGroup
from tests.groups.factories import (
    CooperativeMembershipFactory,
    MembershipFactory,
    SelfHelpGroupFactory,
    UserFactory,
)
from tests.villages.factories import BumdesFactory, FacilitatorAssignmentFactory
from villages.models import Bumdes, Village

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_villages(village, other_village, ksm):
    """Village A (the `facilitator`'s) and village B, each with a KSM, members and a BUMDes."""
    ksm_b = SelfHelpGroupFactory(village=other_village)
    return {
        "ksm_a": ksm,
        "ksm_b": ksm_b,
        "member_a": MembershipFactory(group=ksm).member,
        "member_b": MembershipFactory(group=ksm_b).member,
        "bumdes_a": BumdesFactory(village=village),
        "bumdes_b": BumdesFactory(village=other_village),
    }


def _visible(model, user):
    return set(model.objects.visible_to(user))


def _editable(model, user):
    return set(model.objects.editable_by(user))


def test_staff_see_and_change_everything(two_villages, staff_user):
    for model in (SelfHelpGroup, Member, Village, Bumdes):
        assert _visible(model, staff_user) == set(model.objects.all())
        assert _editable(model, staff_user) == set(model.objects.all())
    assert len(_visible(SelfHelpGroup, staff_user)) == 2


def test_a_facilitator_sees_and_changes_only_their_villages_ksm(two_villages, facilitator):
    assert _visible(SelfHelpGroup, facilitator) == {two_villages["ksm_a"]}
    assert _editable(SelfHelpGroup, facilitator) == {two_villages["ksm_a"]}


def test_a_facilitator_does_not_see_another_villages_members(two_villages, facilitator):
    assert _visible(Member, facilitator) == {two_villages["member_a"]}
    assert _editable(Member, facilitator) == {two_villages["member_a"]}


def test_a_facilitator_sees_only_their_village_and_its_bumdes(two_villages, facilitator, village):
    assert _visible(Village, facilitator) == {village}
    assert _editable(Village, facilitator) == {village}
    assert _visible(Bumdes, facilitator) == {two_villages["bumdes_a"]}
    assert _editable(Bumdes, facilitator) == {two_villages["bumdes_a"]}


def test_a_facilitator_still_sees_members_who_have_left_their_villages_ksm(ksm, facilitator):
    former = MembershipFactory(group=ksm, ended=True).member

    assert former in _visible(Member, facilitator)


def test_a_member_of_a_ksm_in_village_b_is_hidden_even_if_they_live_in_village_a(
    village, other_village, facilitator
):
    lives_in_a = MembershipFactory(
        group=SelfHelpGroupFactory(village=other_village), member__village=village
    ).member

    assert lives_in_a not in _visible(Member, facilitator)


@pytest.mark.parametrize(
    "assignment",
    [
        pytest.param({"ended": True}, id="ended-yesterday"),
        pytest.param({"future": True}, id="starts-next-week"),
    ],
)
def test_a_facilitator_sees_nothing_outside_a_current_assignment(two_villages, assignment):
    facilitator = FacilitatorAssignmentFactory(
        village=two_villages["ksm_a"].village, **assignment
    ).user

    for model in (SelfHelpGroup, Member, Village, Bumdes, Cooperative):
        assert not _visible(model, facilitator)
        assert not _editable(model, facilitator)


def test_an_assignment_ending_today_still_counts_today(ksm):
    facilitator = FacilitatorAssignmentFactory(
        village=ksm.village, end_date=timezone.localdate()
    ).user
    FacilitatorAssignmentFactory(village=ksm.village, user=facilitator, ended=True)

    assert _visible(SelfHelpGroup, facilitator) == {ksm}


def test_a_facilitator_of_two_villages_sees_both(two_villages, facilitator, other_village):
    FacilitatorAssignmentFactory(user=facilitator, village=other_village)

    assert _visible(SelfHelpGroup, facilitator) == {two_villages["ksm_a"], two_villages["ksm_b"]}


def test_a_treasurer_sees_only_their_own_group_and_cannot_change_it(two_villages, treasurer):
    ksm_a = two_villages["ksm_a"]
    SelfHelpGroupFactory(village=ksm_a.village)  # a neighbouring KSM in the same village

    assert _visible(SelfHelpGroup, treasurer) == {ksm_a}
    assert not _editable(SelfHelpGroup, treasurer)
    assert two_villages["member_a"] in _visible(Member, treasurer)
    assert two_villages["member_b"] not in _visible(Member, treasurer)
    assert not _editable(Member, treasurer)
    assert _visible(Village, treasurer) == {ksm_a.village}
    assert not _editable(Village, treasurer)
    assert not _editable(Bumdes, treasurer)


def test_a_treasurer_who_handed_over_the_books_sees_nothing(ksm, treasurer):
    ksm.memberships.filter(member__user=treasurer).update(left_date=datetime.date(2019, 1, 1))

    assert not _visible(SelfHelpGroup, treasurer)
    assert not _visible(Member, treasurer)


@pytest.mark.parametrize("role", ["chair", "secretary"])
def test_the_other_officers_see_their_own_group_too(ksm, role):
    account = UserFactory()
    MembershipFactory(group=ksm, role=role, member__user=account)

    assert _visible(SelfHelpGroup, account) == {ksm}
    assert not _editable(SelfHelpGroup, account)


def test_an_ordinary_member_account_sees_nothing(two_villages, member_user):
    for model in (SelfHelpGroup, Member, Village, Bumdes, Cooperative):
        assert not _visible(model, member_user)
        assert not _editable(model, member_user)


def test_a_user_with_no_role_sees_nothing(two_villages, user):
    for model in (SelfHelpGroup, Member, Village, Bumdes, Cooperative):
        assert not _visible(model, user)
        assert not _editable(model, user)


def test_an_anonymous_visitor_sees_nothing(two_villages):
    anonymous = AnonymousUser()

    for model in (SelfHelpGroup, Member, Village, Bumdes, Cooperative):
        assert not _visible(model, anonymous)
        assert not _editable(model, anonymous)


@pytest.mark.parametrize("who", ["staff_user", "facilitator", "treasurer"])
def test_a_deactivated_account_sees_nothing(two_villages, request, who):
    account = request.getfixturevalue(who)
    account.is_active = False
    account.save()

    for model in (SelfHelpGroup, Member, Village, Bumdes, Cooperative):
        assert not _visible(model, account)
        assert not _editable(model, account)


# --- Cooperatives ------------------------------------------------------------------------------


def test_a_facilitator_sees_a_cooperative_that_a_ksm_of_their_village_belongs_to(
    ksm, cooperative, facilitator
):
    CooperativeMembershipFactory(cooperative=cooperative, group=ksm)

    assert _visible(Cooperative, facilitator) == {cooperative}


def test_a_facilitator_does_not_see_a_cooperative_of_other_villages_ksm(
    other_village, cooperative, facilitator
):
    CooperativeMembershipFactory(
        cooperative=cooperative, group=SelfHelpGroupFactory(village=other_village)
    )

    assert not _visible(Cooperative, facilitator)


def test_a_facilitator_no_longer_sees_a_cooperative_their_ksm_has_left(
    ksm, cooperative, facilitator
):
    CooperativeMembershipFactory(cooperative=cooperative, group=ksm, ended=True)

    assert not _visible(Cooperative, facilitator)


def test_a_facilitator_sees_a_cooperative_once_even_with_several_ksm_in_it(
    ksm, village, cooperative, facilitator
):
    CooperativeMembershipFactory(cooperative=cooperative, group=ksm)
    CooperativeMembershipFactory(
        cooperative=cooperative, group=SelfHelpGroupFactory(village=village)
    )

    assert list(Cooperative.objects.visible_to(facilitator)) == [cooperative]


def test_only_staff_change_cooperatives(ksm, cooperative, facilitator, treasurer, staff_user):
    CooperativeMembershipFactory(cooperative=cooperative, group=ksm)

    assert _editable(Cooperative, staff_user) == {cooperative}
    assert not _editable(Cooperative, facilitator)
    assert not _editable(Cooperative, treasurer)
    assert _visible(Cooperative, treasurer) == {cooperative}


def test_the_ksm_pages_edit_check_follows_the_same_rule_as_editable_by(
    two_villages, staff_user, facilitator, treasurer
):
    for user in (staff_user, facilitator, treasurer):
        for ksm in (two_villages["ksm_a"], two_villages["ksm_b"]):
            editable = SelfHelpGroup.objects.editable_by(user).filter(pk=ksm.pk).exists()
            assert ksm.is_editable_by(user) == editable
    assert two_villages["ksm_a"].is_editable_by(facilitator)
    assert not two_villages["ksm_b"].is_editable_by(facilitator)
    assert not two_villages["ksm_a"].is_editable_by(treasurer)
