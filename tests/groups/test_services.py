"""The services that register KSM and members refuse bad data with a message where the user
typed it, and leave nothing half-saved behind."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils import timezone

from groups import services
from groups.models import (
    Cooperative,
    CooperativeMembership,
    Member,
    Membership,
    SelfHelpGroup,
)
from tests.groups.factories import (
    CooperativeMembershipFactory,
    MemberFactory,
    MembershipFactory,
    SelfHelpGroupFactory,
    make_nik,
)

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(1985, 5, 12)
FORMED = datetime.date(2016, 6, 1)


def _today():
    return timezone.localdate()


def _tomorrow():
    return _today() + datetime.timedelta(days=1)


def constraint_message(model: type[models.Model], name: str) -> str:
    (constraint,) = (c for c in model._meta.constraints if c.name == name)
    return str(constraint.get_violation_error_message())


def refused(service, *, field: str, **kwargs) -> list[str]:
    """Call a service that must refuse; return the messages it gives for `field`."""
    with pytest.raises(ValidationError) as error:
        service(**kwargs)
    messages = error.value.message_dict.get(field, [])
    assert messages, f"no message on {field!r}: {error.value.message_dict}"
    assert all(str(m).strip() for m in messages)
    return messages


def _group_fields(village, **overrides):
    fields = {
        "village": village,
        "name": "KSM Mawar",
        "registration_number": "001/KSM/2016",
        "origin": SelfHelpGroup.Origin.NEW,
        "formed_date": FORMED,
    }
    fields.update(overrides)
    return fields


def _person(district_code="33.25.01", *, sex="F", birth_date=BIRTH, serial=1, **overrides):
    fields = {
        "nik": make_nik(district_code, birth_date, sex, serial),
        "family_card_number": f"{district_code.replace('.', '')}1206160001",
        "full_name": "Siti Aminah",
        "sex": sex,
        "birth_date": birth_date,
    }
    fields.update(overrides)
    return fields


# --- Registering a KSM -------------------------------------------------------------------------


def test_a_facilitator_registers_a_new_ksm_and_is_recorded_as_its_author(village, facilitator):
    group = services.group_register(actor=facilitator, **_group_fields(village))

    group.refresh_from_db()
    assert group.village == village
    assert group.origin == SelfHelpGroup.Origin.NEW
    assert group.created_by == facilitator
    assert group.updated_by == facilitator


def test_a_reactivated_ksm_is_registered_with_its_reactivation_date(village, facilitator):
    group = services.group_register(
        actor=facilitator,
        **_group_fields(
            village,
            origin=SelfHelpGroup.Origin.REACTIVATED,
            formed_date=datetime.date(2008, 1, 1),
            reactivated_date=datetime.date(2016, 7, 1),
        ),
    )

    assert SelfHelpGroup.objects.reactivated().get() == group


@pytest.mark.parametrize("field", ["formed_date", "reactivated_date"])
def test_a_ksm_formed_or_reactivated_in_the_future_is_refused(village, facilitator, field):
    fields = _group_fields(
        village,
        origin=SelfHelpGroup.Origin.REACTIVATED,
        formed_date=FORMED,
        reactivated_date=datetime.date(2016, 7, 1),
    )
    fields[field] = _tomorrow()

    refused(services.group_register, field=field, actor=facilitator, **fields)

    assert not SelfHelpGroup.objects.exists()


def test_a_reactivated_ksm_without_reactivation_date_is_refused(village, facilitator):
    refused(
        services.group_register,
        field="reactivated_date",
        actor=facilitator,
        **_group_fields(village, origin=SelfHelpGroup.Origin.REACTIVATED),
    )

    assert not SelfHelpGroup.objects.exists()


def test_a_new_ksm_with_a_reactivation_date_is_refused(village, facilitator):
    refused(
        services.group_register,
        field="reactivated_date",
        actor=facilitator,
        **_group_fields(village, reactivated_date=datetime.date(2016, 7, 1)),
    )

    assert not SelfHelpGroup.objects.exists()


def test_a_registration_number_already_used_in_the_village_is_refused(ksm, facilitator):
    messages = refused(
        services.group_register,
        field=NON_FIELD_ERRORS,
        actor=facilitator,
        **_group_fields(ksm.village, registration_number=ksm.registration_number),
    )

    assert (
        constraint_message(SelfHelpGroup, "ksm_registration_number_unique_in_village") in messages
    )
    assert SelfHelpGroup.objects.count() == 1


def test_a_registration_number_used_in_another_village_is_accepted(ksm, other_village, staff_user):
    services.group_register(
        actor=staff_user,
        **_group_fields(other_village, registration_number=ksm.registration_number),
    )

    assert SelfHelpGroup.objects.filter(registration_number=ksm.registration_number).count() == 2


def test_updating_a_ksm_records_who_changed_it_and_keeps_its_history(ksm, facilitator, staff_user):
    services.group_update(actor=facilitator, group=ksm, name="KSM Mawar")
    services.group_update(actor=staff_user, group=ksm, name="KSM Mawar Merah", meeting_day=15)

    ksm.refresh_from_db()
    assert ksm.name == "KSM Mawar Merah"
    assert ksm.created_by is None  # made by a factory, not by a person
    assert ksm.updated_by == staff_user
    latest, previous = ksm.history.all()[:2]
    assert (previous.name, previous.updated_by) == ("KSM Mawar", facilitator)
    assert (latest.name, latest.meeting_day, latest.updated_by) == (
        "KSM Mawar Merah",
        15,
        staff_user,
    )
    changed = {change.field for change in latest.diff_against(previous).changes}
    assert {"name", "meeting_day"} <= changed


def test_a_refused_update_leaves_the_ksm_and_its_history_unchanged(ksm, facilitator):
    before = ksm.history.count()

    refused(
        services.group_update,
        field="formed_date",
        actor=facilitator,
        group=ksm,
        formed_date=_tomorrow(),
    )

    ksm.refresh_from_db()
    assert ksm.formed_date == FORMED
    assert ksm.history.count() == before


# --- Members joining ---------------------------------------------------------------------------


def test_member_join_registers_the_person_and_their_membership_together(ksm, facilitator):
    membership = services.member_join(
        actor=facilitator,
        group=ksm,
        joined_date=datetime.date(2016, 6, 10),
        phone="+62 812-3456-7890",
        **_person(ksm.village.district.code, full_name="  Siti   Aminah "),
    )

    member = Member.objects.get()
    assert membership.member == member
    assert membership.group == ksm
    assert membership.role == Membership.Role.MEMBER
    assert membership.is_active
    assert member.village == ksm.village
    assert member.phone == "081234567890"
    assert member.full_name == "Siti Aminah"
    assert (member.created_by, membership.created_by) == (facilitator, facilitator)
    assert member.history.count() == 1
    assert membership.history.count() == 1


def test_a_member_may_live_in_another_village_than_their_ksm(ksm, other_village, facilitator):
    services.member_join(
        actor=facilitator,
        group=ksm,
        joined_date=FORMED,
        village=other_village,
        **_person(other_village.district.code),
    )

    assert Member.objects.get().village == other_village


def test_a_young_member_born_in_2004_can_join(ksm, facilitator):
    """Members born 2000-2009: the last two digits of their birth year are 00-09."""
    born = datetime.date(2004, 8, 17)

    services.member_join(
        actor=facilitator,
        group=ksm,
        joined_date=datetime.date(2023, 1, 5),
        **_person(ksm.village.district.code, sex="M", birth_date=born),
    )

    assert Member.objects.get().birth_date == born


@pytest.mark.parametrize(
    ("field", "person", "joined_date"),
    [
        pytest.param("birth_date", {"birth_date": "tomorrow"}, FORMED, id="born-tomorrow"),
        pytest.param("joined_date", {}, "tomorrow", id="joins-tomorrow"),
        pytest.param("joined_date", {}, FORMED - datetime.timedelta(days=1), id="before-formed"),
        pytest.param("nik", {"nik": "33250152058500"}, FORMED, id="nik-too-short"),
        pytest.param("nik", {"nik": "9925015205850001"}, FORMED, id="nik-unknown-province"),
        pytest.param("nik", {"sex": "M"}, FORMED, id="womans-nik-for-a-man"),
        pytest.param("nik", {"birth_date": BIRTH.replace(day=13)}, FORMED, id="nik-other-date"),
        pytest.param("family_card_number", {"family_card_number": "123"}, FORMED, id="kk-short"),
        pytest.param("phone", {"phone": "0285 123"}, FORMED, id="landline"),
    ],
)
def test_member_join_refuses_bad_data_and_saves_nobody(
    ksm, facilitator, field, person, joined_date
):
    fields = _person(ksm.village.district.code)
    fields.update({k: _tomorrow() if v == "tomorrow" else v for k, v in person.items()})

    refused(
        services.member_join,
        field=field,
        actor=facilitator,
        group=ksm,
        joined_date=_tomorrow() if joined_date == "tomorrow" else joined_date,
        **fields,
    )

    assert not Member.objects.exists()
    assert not Membership.objects.exists()


def test_a_person_already_registered_joins_another_ksm_with_the_details_on_record(
    member, facilitator, other_village
):
    group = SelfHelpGroupFactory(village=other_village)
    name_on_record = member.full_name

    membership = services.member_join(
        actor=facilitator,
        group=group,
        joined_date=FORMED,
        **_person(nik=member.nik, sex=member.sex, birth_date=member.birth_date, full_name="X"),
    )

    assert Member.objects.count() == 1
    assert membership.member == member
    assert membership.group == group
    member.refresh_from_db()
    assert member.full_name == name_on_record


def test_a_person_cannot_join_the_same_ksm_twice(member, facilitator):
    group = member.memberships.get().group

    messages = refused(
        services.member_join,
        field="__all__",
        actor=facilitator,
        group=group,
        joined_date=FORMED,
        **_person(nik=member.nik, sex=member.sex, birth_date=member.birth_date),
    )

    assert messages
    assert group.memberships.filter(member=member).count() == 1


@pytest.mark.parametrize(
    ("role", "constraint"),
    [
        (Membership.Role.TREASURER, "membership_one_active_treasurer"),
        (Membership.Role.CHAIR, "membership_one_active_chair"),
    ],
)
def test_a_second_treasurer_or_chair_is_refused_and_the_new_person_is_not_kept(
    ksm, facilitator, role, constraint
):
    MembershipFactory(group=ksm, role=role)

    messages = refused(
        services.member_join,
        field=NON_FIELD_ERRORS,
        actor=facilitator,
        group=ksm,
        role=role,
        joined_date=FORMED,
        **_person(ksm.village.district.code, serial=77),
    )

    assert constraint_message(Membership, constraint) in messages
    assert Member.objects.count() == 1
    assert ksm.memberships.filter(role=role).count() == 1


def test_a_new_treasurer_can_start_once_the_old_one_has_left(ksm, facilitator):
    old = MembershipFactory(group=ksm, treasurer=True)
    services.membership_end(actor=facilitator, membership=old, left_date=datetime.date(2018, 1, 31))

    services.membership_start(
        actor=facilitator,
        member=MemberFactory(village=ksm.village),
        group=ksm,
        role=Membership.Role.TREASURER,
        joined_date=datetime.date(2018, 2, 1),
    )

    assert ksm.memberships.active().get(role=Membership.Role.TREASURER).member != old.member


def test_promoting_a_second_member_to_treasurer_is_refused(ksm, facilitator):
    MembershipFactory(group=ksm, treasurer=True)
    ordinary = MembershipFactory(group=ksm)

    messages = refused(
        services.membership_change_role,
        field=NON_FIELD_ERRORS,
        actor=facilitator,
        membership=ordinary,
        role=Membership.Role.TREASURER,
    )

    assert constraint_message(Membership, "membership_one_active_treasurer") in messages
    ordinary.refresh_from_db()
    assert ordinary.role == Membership.Role.MEMBER


def test_an_active_member_cannot_join_the_same_ksm_twice(member, facilitator):
    messages = refused(
        services.membership_start,
        field=NON_FIELD_ERRORS,
        actor=facilitator,
        member=member,
        group=member.memberships.get().group,
        joined_date=datetime.date(2017, 1, 1),
    )

    assert constraint_message(Membership, "membership_one_active_per_member_group") in messages
    assert member.memberships.count() == 1


def test_a_race_lost_to_the_database_still_gives_a_message_not_a_crash(
    ksm, facilitator, monkeypatch
):
    """Two facilitators name a treasurer at the same moment: both pass validation, the database
    keeps one and the other gets a ValidationError, not a server error."""
    MembershipFactory(group=ksm, treasurer=True)
    monkeypatch.setattr(Membership, "full_clean", lambda self, exclude=None: None)

    with pytest.raises(ValidationError) as error:
        services.membership_start(
            actor=facilitator,
            member=MemberFactory(village=ksm.village),
            group=ksm,
            role=Membership.Role.TREASURER,
            joined_date=FORMED,
        )

    assert error.value.messages
    assert ksm.memberships.filter(role=Membership.Role.TREASURER).count() == 1


# --- Members leaving ---------------------------------------------------------------------------


def test_ending_a_membership_records_the_leaving_date_and_who_recorded_it(member, facilitator):
    membership = member.memberships.get()

    services.membership_end(
        actor=facilitator, membership=membership, left_date=datetime.date(2019, 12, 31)
    )

    membership.refresh_from_db()
    assert membership.left_date == datetime.date(2019, 12, 31)
    assert not membership.is_active
    assert membership.updated_by == facilitator
    assert membership.history.first().left_date == datetime.date(2019, 12, 31)


def test_a_membership_cannot_be_ended_twice(member, facilitator):
    membership = member.memberships.get()
    services.membership_end(
        actor=facilitator, membership=membership, left_date=datetime.date(2019, 12, 31)
    )

    with pytest.raises(ValidationError) as error:
        services.membership_end(
            actor=facilitator, membership=membership, left_date=datetime.date(2020, 6, 30)
        )

    assert error.value.messages
    membership.refresh_from_db()
    assert membership.left_date == datetime.date(2019, 12, 31)


def test_a_membership_cannot_end_before_it_began(member, facilitator):
    membership = member.memberships.get()

    messages = refused(
        services.membership_end,
        field=NON_FIELD_ERRORS,
        actor=facilitator,
        membership=membership,
        left_date=membership.joined_date - datetime.timedelta(days=1),
    )

    assert constraint_message(Membership, "membership_left_after_joined") in messages
    membership.refresh_from_db()
    assert membership.is_active


def test_a_membership_cannot_end_in_the_future(member, facilitator):
    membership = member.memberships.get()

    refused(
        services.membership_end,
        field="left_date",
        actor=facilitator,
        membership=membership,
        left_date=_tomorrow(),
    )

    membership.refresh_from_db()
    assert membership.is_active


def test_an_ended_membership_keeps_its_role(member, facilitator):
    membership = member.memberships.get()
    services.membership_end(
        actor=facilitator, membership=membership, left_date=datetime.date(2019, 12, 31)
    )
    membership.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        services.membership_change_role(
            actor=facilitator, membership=membership, role=Membership.Role.SECRETARY
        )

    assert error.value.messages
    membership.refresh_from_db()
    assert membership.role == Membership.Role.MEMBER


def test_a_role_change_from_a_page_loaded_before_the_member_left_does_not_bring_them_back(
    member, facilitator, staff_user
):
    """Staff open the member's page; meanwhile the facilitator records that she left. Saving
    the role change must not silently make her an active member again."""
    opened_by_staff = Membership.objects.get(member=member)
    services.membership_end(
        actor=facilitator,
        membership=Membership.objects.get(member=member),
        left_date=datetime.date(2019, 12, 31),
    )

    with pytest.raises(ValidationError):
        services.membership_change_role(
            actor=staff_user, membership=opened_by_staff, role=Membership.Role.SECRETARY
        )

    membership = Membership.objects.get(member=member)
    assert membership.left_date == datetime.date(2019, 12, 31)
    assert membership.role == Membership.Role.MEMBER


def test_today_means_today_in_jakarta(ksm, facilitator, monkeypatch):
    """At 06:00 in Batang it is still yesterday in UTC: a meeting held this morning is not
    'in the future'."""
    morning_in_batang = datetime.datetime(2024, 3, 10, 23, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: morning_in_batang)

    membership = services.member_join(
        actor=facilitator,
        group=ksm,
        joined_date=datetime.date(2024, 3, 11),
        **_person(ksm.village.district.code),
    )

    assert membership.joined_date == datetime.date(2024, 3, 11)


# --- Cooperatives ------------------------------------------------------------------------------


def test_a_cooperative_is_registered_and_admits_a_ksm(regency, ksm, staff_user):
    cooperative = services.cooperative_register(
        actor=staff_user,
        name="Koperasi Batang Sejahtera",
        established_date=datetime.date(2017, 3, 1),
        regency=regency,
    )

    joined = services.cooperative_admit_group(
        actor=staff_user, cooperative=cooperative, group=ksm, joined_date=datetime.date(2017, 4, 1)
    )

    assert list(cooperative.groups.all()) == [ksm]
    assert (cooperative.created_by, joined.created_by) == (staff_user, staff_user)


def test_a_cooperative_established_in_the_future_is_refused(regency, staff_user):
    refused(
        services.cooperative_register,
        field="established_date",
        actor=staff_user,
        name="Koperasi Esok",
        established_date=_tomorrow(),
        regency=regency,
    )

    assert not Cooperative.objects.exists()


@pytest.mark.parametrize(
    "joined_date",
    [datetime.date(2017, 2, 28), "tomorrow"],
    ids=["before-established", "in-the-future"],
)
def test_a_ksm_cannot_join_a_cooperative_before_it_exists_or_in_the_future(
    ksm, cooperative, staff_user, joined_date
):
    refused(
        services.cooperative_admit_group,
        field="joined_date",
        actor=staff_user,
        cooperative=cooperative,
        group=ksm,
        joined_date=_tomorrow() if joined_date == "tomorrow" else joined_date,
    )

    assert not CooperativeMembership.objects.exists()


def test_a_ksm_already_in_a_cooperative_cannot_be_admitted_again(ksm, cooperative, staff_user):
    CooperativeMembershipFactory(cooperative=cooperative, group=ksm)

    messages = refused(
        services.cooperative_admit_group,
        field=NON_FIELD_ERRORS,
        actor=staff_user,
        cooperative=cooperative,
        group=ksm,
        joined_date=datetime.date(2018, 1, 1),
    )

    assert constraint_message(CooperativeMembership, "coop_membership_one_active") in messages
    assert CooperativeMembership.objects.count() == 1


def test_a_ksm_leaves_a_cooperative_once(ksm, cooperative, staff_user):
    joined = CooperativeMembershipFactory(cooperative=cooperative, group=ksm)
    services.cooperative_membership_end(
        actor=staff_user, membership=joined, left_date=datetime.date(2019, 1, 1)
    )

    with pytest.raises(ValidationError):
        services.cooperative_membership_end(
            actor=staff_user, membership=joined, left_date=datetime.date(2020, 1, 1)
        )

    joined.refresh_from_db()
    assert joined.left_date == datetime.date(2019, 1, 1)
