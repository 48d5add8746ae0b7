"""Rules that hold whichever way a row is written: services, forms, or Django admin (which
validates with the model's clean(), as every service does)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from groups import services
from groups.models import Member, Membership, SelfHelpGroup
from tests.groups.factories import MembershipFactory, SelfHelpGroupFactory

pytestmark = pytest.mark.django_db


def test_a_membership_dated_before_the_ksm_was_formed_fails_model_validation(ksm, member):
    membership = Membership(
        member=member,
        group=SelfHelpGroupFactory(village=ksm.village),
        joined_date=datetime.date(1990, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert "joined_date" in error.value.message_dict


def test_a_ksm_formed_in_the_future_fails_model_validation(village):
    group = SelfHelpGroup(
        village=village,
        name="KSM Esok",
        registration_number="9",
        origin="new",
        formed_date=datetime.date(2100, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        group.full_clean()
    assert "formed_date" in error.value.message_dict


def test_moving_the_formation_date_after_members_joined_is_refused(ksm, member, facilitator):
    with pytest.raises(ValidationError) as error:
        services.group_update(actor=facilitator, group=ksm, formed_date=datetime.date(2016, 8, 1))
    assert "formed_date" in error.value.message_dict
    ksm.refresh_from_db()
    assert ksm.formed_date == datetime.date(2016, 6, 1)


def test_a_dissolved_ksm_takes_no_new_members(ksm, facilitator):
    services.group_update(actor=facilitator, group=ksm, status=SelfHelpGroup.Status.DISSOLVED)
    newcomer = MembershipFactory(group=SelfHelpGroupFactory(village=ksm.village)).member
    with pytest.raises(ValidationError):
        services.membership_start(
            actor=facilitator, member=newcomer, group=ksm, joined_date=datetime.date(2017, 1, 1)
        )
    assert not ksm.memberships.filter(member=newcomer).exists()


def test_a_facilitator_may_no_longer_edit_someone_who_moved_to_another_village(
    member, facilitator, other_village
):
    assert Member.objects.editable_by(facilitator).filter(pk=member.pk).exists()
    services.membership_end(
        actor=facilitator, membership=member.memberships.get(), left_date=datetime.date(2017, 1, 1)
    )
    services.membership_start(
        actor=None,
        member=member,
        group=SelfHelpGroupFactory(village=other_village),
        joined_date=datetime.date(2017, 1, 2),
    )

    assert not Member.objects.editable_by(facilitator).filter(pk=member.pk).exists()
    assert Member.objects.visible_to(facilitator).filter(pk=member.pk).exists()  # history
