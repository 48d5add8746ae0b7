"""Every rule on KSM, members and memberships holds in the database itself: a bulk import or an
`.update()` that skips Django's validation is refused all the same."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from groups.models import Cooperative, CooperativeMembership, Member, Membership, SelfHelpGroup
from tests.groups.factories import (
    CooperativeFactory,
    CooperativeMembershipFactory,
    MemberFactory,
    MembershipFactory,
    SelfHelpGroupFactory,
    make_nik,
)

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(1985, 5, 12)


def _refused_by_database(*rows):
    model = type(rows[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.bulk_create(rows)


def _update_refused_by_database(instance, **fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        type(instance).objects.filter(pk=instance.pk).update(**fields)


def _member(village, **fields):
    """An unsaved member of `village`, valid unless `fields` say otherwise."""
    fields.setdefault("sex", Member.Sex.FEMALE)
    fields.setdefault("birth_date", BIRTH)
    return MemberFactory.build(village=village, **fields)


# --- KSM ---------------------------------------------------------------------------------------


def test_a_new_and_a_reactivated_ksm_are_both_accepted(village):
    SelfHelpGroup.objects.bulk_create(
        [
            SelfHelpGroupFactory.build(village=village, new=True),
            SelfHelpGroupFactory.build(village=village, reactivated=True),
        ]
    )

    assert SelfHelpGroup.objects.in_village(village).new().count() == 1
    assert SelfHelpGroup.objects.in_village(village).reactivated().count() == 1


def test_a_reactivated_ksm_without_reactivation_date_is_refused(village):
    _refused_by_database(
        SelfHelpGroupFactory.build(village=village, reactivated=True, reactivated_date=None)
    )


def test_a_new_ksm_with_a_reactivation_date_is_refused(village):
    _refused_by_database(
        SelfHelpGroupFactory.build(
            village=village, new=True, reactivated_date=datetime.date(2016, 7, 1)
        )
    )


def test_turning_a_new_ksm_into_a_reactivated_one_without_a_date_is_refused(ksm):
    _update_refused_by_database(ksm, origin=SelfHelpGroup.Origin.REACTIVATED)


def test_a_ksm_cannot_be_reactivated_before_it_was_formed(village):
    _refused_by_database(
        SelfHelpGroupFactory.build(
            village=village,
            reactivated=True,
            formed_date=datetime.date(2016, 8, 1),
            reactivated_date=datetime.date(2016, 7, 1),
        )
    )


def test_a_registration_number_is_used_once_in_a_village(ksm):
    _refused_by_database(
        SelfHelpGroupFactory.build(village=ksm.village, registration_number=ksm.registration_number)
    )


def test_two_villages_may_use_the_same_registration_number(ksm, other_village):
    SelfHelpGroup.objects.bulk_create(
        [
            SelfHelpGroupFactory.build(
                village=other_village, registration_number=ksm.registration_number
            )
        ]
    )

    assert SelfHelpGroup.objects.filter(registration_number=ksm.registration_number).count() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("origin", "revived"),
        ("status", "sleeping"),
        ("business_sector", "mining"),
        ("meeting_day", 0),
        ("meeting_day", 32),
        ("name", ""),
    ],
)
def test_a_ksm_with_an_impossible_value_is_refused_by_the_database(ksm, field, value):
    _update_refused_by_database(ksm, **{field: value})


# --- Members and their NIK ---------------------------------------------------------------------


def test_a_member_whose_nik_matches_sex_birth_date_and_district_is_accepted(village):
    woman = _member(village, sex="F", nik=make_nik(village.district.code, BIRTH, "F", 1))
    man = _member(village, sex="M", nik=make_nik(village.district.code, BIRTH, "M", 2))
    leap_day = datetime.date(1988, 2, 29)
    born_on_leap_day = _member(
        village, sex="F", birth_date=leap_day, nik=make_nik("33.25.01", leap_day, "F", 3)
    )

    for member in (woman, man, born_on_leap_day):
        member.full_clean()
    Member.objects.bulk_create([woman, man, born_on_leap_day])

    assert woman.nik == "3325015205850001"
    assert man.nik == "3325011205850002"
    assert Member.objects.filter(village=village).count() == 3


@pytest.mark.parametrize(
    "birth_date",
    [datetime.date(2000, 1, 1), datetime.date(2004, 8, 17), datetime.date(1909, 3, 3)],
    ids=str,
)
def test_a_member_born_in_the_first_decade_of_a_century_is_accepted(village, birth_date):
    """Young adults born 2000-2009 are KSM members too: the year's last two digits are 00-09."""
    member = _member(
        village,
        sex="M",
        birth_date=birth_date,
        nik=make_nik(village.district.code, birth_date, "M", 1),
    )

    member.full_clean()
    Member.objects.bulk_create([member])

    assert Member.objects.filter(birth_date=birth_date).exists()


@pytest.mark.parametrize(
    "nik",
    [
        pytest.param("33250152058500a1", id="not-only-digits"),
        pytest.param("332501520585001", id="fifteen-digits"),
        pytest.param("992501520585 001", id="space-inside"),
        pytest.param("9925015205850001", id="province-99-does-not-exist"),
        pytest.param("0025015205850001", id="province-00"),
        pytest.param("3300015205850001", id="regency-00"),
        pytest.param("3325005205850001", id="district-00"),
        pytest.param("3325015213850001", id="month-13"),
        pytest.param("3325015205850000", id="serial-0000"),
    ],
)
def test_a_malformed_nik_is_refused_by_the_database(village, nik):
    _refused_by_database(_member(village, sex="F", nik=nik))


def test_a_nik_with_another_birth_date_is_refused_by_the_database(village):
    nik = make_nik(village.district.code, BIRTH, "F", 1)

    _refused_by_database(_member(village, sex="F", nik=nik, birth_date=datetime.date(1985, 5, 13)))
    _refused_by_database(_member(village, sex="F", nik=nik, birth_date=datetime.date(1985, 6, 12)))
    _refused_by_database(_member(village, sex="F", nik=nik, birth_date=datetime.date(1986, 5, 12)))


def test_a_womans_nik_on_a_man_is_refused_by_the_database(village):
    _refused_by_database(
        _member(village, sex="M", nik=make_nik(village.district.code, BIRTH, "F", 1))
    )


def test_a_mans_nik_on_a_woman_is_refused_by_the_database(village):
    _refused_by_database(
        _member(village, sex="F", nik=make_nik(village.district.code, BIRTH, "M", 1))
    )


def test_changing_a_members_sex_without_a_new_nik_is_refused_by_the_database(member):
    other = Member.Sex.MALE if member.sex == Member.Sex.FEMALE else Member.Sex.FEMALE

    _update_refused_by_database(member, sex=other)


def test_the_same_nik_cannot_be_registered_twice(member, other_village):
    _refused_by_database(
        _member(other_village, nik=member.nik, sex=member.sex, birth_date=member.birth_date)
    )


def test_a_nik_that_disagrees_with_sex_or_birth_date_is_reported_on_the_nik_field(village):
    wrong_sex = _member(village, sex="M", nik=make_nik(village.district.code, BIRTH, "F", 1))
    wrong_date = _member(
        village, sex="F", birth_date=BIRTH.replace(day=13), nik=make_nik("33.25.01", BIRTH, "F", 2)
    )

    for member in (wrong_sex, wrong_date):
        with pytest.raises(ValidationError) as error:
            member.full_clean()
        assert error.value.message_dict["nik"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("family_card_number", "12345"),
        ("family_card_number", "9925010101010001"),
        ("phone", "+6281234567890"),
        ("phone", "0212345"),
        ("full_name", ""),
        ("sex", "X"),
    ],
)
def test_a_member_with_an_impossible_value_is_refused_by_the_database(member, field, value):
    _update_refused_by_database(member, **{field: value})


# --- Memberships -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Membership.Role.CHAIR, Membership.Role.TREASURER])
def test_a_second_active_chair_or_treasurer_is_refused(ksm, role):
    MembershipFactory(group=ksm, role=role)

    _refused_by_database(MembershipFactory.build(group=ksm, member=MemberFactory(), role=role))


@pytest.mark.parametrize("role", [Membership.Role.CHAIR, Membership.Role.TREASURER])
def test_an_ended_chair_or_treasurer_does_not_block_a_successor(ksm, role):
    MembershipFactory(group=ksm, role=role, ended=True)

    Membership.objects.bulk_create(
        [MembershipFactory.build(group=ksm, member=MemberFactory(), role=role)]
    )

    assert ksm.memberships.active().filter(role=role).count() == 1


def test_promoting_a_second_member_to_treasurer_with_update_is_refused(ksm):
    MembershipFactory(group=ksm, treasurer=True)
    ordinary = MembershipFactory(group=ksm)

    _update_refused_by_database(ordinary, role=Membership.Role.TREASURER)


def test_a_ksm_may_have_several_secretaries_and_many_members(ksm):
    MembershipFactory.create_batch(2, group=ksm, secretary=True)
    MembershipFactory.create_batch(3, group=ksm)

    assert ksm.memberships.active().count() == 5


def test_a_member_has_one_active_membership_per_ksm(ksm):
    membership = MembershipFactory(group=ksm)

    _refused_by_database(
        Membership(group=ksm, member=membership.member, joined_date=datetime.date(2017, 1, 1))
    )


def test_a_member_who_left_may_rejoin_the_same_ksm(ksm):
    left = MembershipFactory(group=ksm, ended=True)

    Membership.objects.bulk_create(
        [Membership(group=ksm, member=left.member, joined_date=datetime.date(2018, 1, 1))]
    )

    assert Membership.objects.filter(group=ksm, member=left.member).count() == 2


def test_a_member_may_belong_to_two_ksm(ksm, other_village):
    membership = MembershipFactory(group=ksm)

    MembershipFactory(group=SelfHelpGroupFactory(village=other_village), member=membership.member)

    assert membership.member.memberships.active().count() == 2


def test_a_membership_cannot_end_before_it_began(member):
    membership = member.memberships.get()

    _update_refused_by_database(
        membership, left_date=membership.joined_date - datetime.timedelta(days=1)
    )


def test_an_unknown_role_is_refused_by_the_database(member):
    _update_refused_by_database(member.memberships.get(), role="patron")


# --- Cooperatives ------------------------------------------------------------------------------


def test_a_ksm_is_an_active_member_of_a_cooperative_once(ksm, cooperative):
    CooperativeMembershipFactory(cooperative=cooperative, group=ksm)

    _refused_by_database(
        CooperativeMembership(
            cooperative=cooperative, group=ksm, joined_date=datetime.date(2018, 1, 1)
        )
    )


def test_a_ksm_that_left_a_cooperative_may_join_it_again(ksm, cooperative):
    CooperativeMembershipFactory(cooperative=cooperative, group=ksm, ended=True)

    CooperativeMembership.objects.bulk_create(
        [
            CooperativeMembership(
                cooperative=cooperative, group=ksm, joined_date=datetime.date(2019, 1, 1)
            )
        ]
    )

    assert CooperativeMembership.objects.filter(cooperative=cooperative, group=ksm).count() == 2


def test_a_ksm_cannot_leave_a_cooperative_before_joining(ksm, cooperative):
    joined = CooperativeMembershipFactory(cooperative=cooperative, group=ksm)

    _update_refused_by_database(joined, left_date=joined.joined_date - datetime.timedelta(days=1))


def test_two_cooperatives_cannot_share_a_legal_entity_number(regency):
    CooperativeFactory(regency=regency, legal_entity_number="AHU-0012345.AH.01.26.2018")

    _refused_by_database(
        CooperativeFactory.build(regency=regency, legal_entity_number="AHU-0012345.AH.01.26.2018")
    )


def test_cooperatives_still_being_formed_may_lack_a_legal_entity_number(regency):
    CooperativeFactory.create_batch(2, regency=regency, legal_entity_number="")

    assert Cooperative.objects.filter(legal_entity_number="").count() == 2


def test_an_unknown_cooperative_status_is_refused_by_the_database(cooperative):
    _update_refused_by_database(cooperative, status="merged")
