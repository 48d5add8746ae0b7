"""KSM, members with valid NIK, memberships, cooperatives and user accounts."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from groups.models import Cooperative, CooperativeMembership, Member, Membership, SelfHelpGroup
from tests.villages.factories import RegencyFactory, VillageFactory
from villages.services import region_ksm_counts_add

PASSWORD = "rahasia-ksm-2016"


def make_nik(district_code: str, birth_date: datetime.date, sex: str, serial: int) -> str:
    """A NIK as Dukcapil issues it: district (6 digits), DDMMYY with day + 40 for women, serial.

    >>> make_nik("33.25.01", datetime.date(1985, 5, 12), "F", 7)
    '3325015205850007'
    """
    day = birth_date.day + (40 if sex == Member.Sex.FEMALE else 0)
    return (
        f"{district_code.replace('.', '')}"
        f"{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}"
        f"{serial:04d}"
    )


def make_family_card_number(district_code: str, serial: int) -> str:
    """A Kartu Keluarga number: district (6 digits), issue date DDMMYY, serial."""
    return f"{district_code.replace('.', '')}120616{serial:04d}"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"pengguna{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    first_name = factory.Faker("first_name", locale="id_ID")
    last_name = factory.Faker("last_name", locale="id_ID")
    password = factory.django.Password(PASSWORD)
    is_active = True
    is_staff = False

    @factory.post_generation
    def staff_role(self, create, extracted, **kwargs):
        """`UserFactory(staff_role=ADMINISTRATORS)`: staff status and that staff role's group
        (accounts.roles)."""
        if create and extracted:
            self.is_staff = True
            self.save(update_fields=["is_staff"])
            self.groups.add(Group.objects.get(name=extracted))


class SelfHelpGroupFactory(DjangoModelFactory):
    """A newly formed KSM of the pilot; `reactivated=True` makes one revived in 2016."""

    class Meta:
        model = SelfHelpGroup

    village = factory.SubFactory(VillageFactory)
    name = factory.Sequence(lambda n: f"KSM Sejahtera {n}")
    registration_number = factory.Sequence(lambda n: f"{n % 1000:03d}/KSM/2016")
    origin = SelfHelpGroup.Origin.NEW
    formed_date = datetime.date(2016, 6, 1)
    reactivated_date = None
    business_sector = SelfHelpGroup.Sector.SAVINGS_LOANS
    meeting_day = 10

    class Params:
        new = factory.Trait(origin=SelfHelpGroup.Origin.NEW, reactivated_date=None)
        reactivated = factory.Trait(
            origin=SelfHelpGroup.Origin.REACTIVATED,
            formed_date=datetime.date(2009, 3, 1),
            reactivated_date=datetime.date(2016, 7, 15),
        )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Counted into its regions' KSM counts, as `group_register` counts a KSM."""
        group = super()._create(model_class, *args, **kwargs)
        region_ksm_counts_add({group.village_id: 1})
        return group


class MemberFactory(DjangoModelFactory):
    """A person with a NIK that matches their sex, birth date and home district."""

    class Meta:
        model = Member

    village = factory.SubFactory(VillageFactory)
    sex = factory.Iterator([Member.Sex.FEMALE, Member.Sex.MALE])
    birth_date = factory.Faker(
        "date_between", start_date=datetime.date(1950, 1, 1), end_date=datetime.date(2008, 12, 31)
    )
    nik = factory.LazyAttributeSequence(
        lambda o, n: make_nik(o.village.district.code, o.birth_date, o.sex, n % 9999 + 1)
    )
    family_card_number = factory.LazyAttributeSequence(
        lambda o, n: make_family_card_number(o.village.district.code, n % 9999 + 1)
    )
    full_name = factory.Faker("name", locale="id_ID")
    address = "RT 02 RW 01"
    phone = factory.Sequence(lambda n: f"0812{n % 10**8:08d}")
    user = None


class MembershipFactory(DjangoModelFactory):
    """A member of a KSM since it was formed; traits for the officers and for having left."""

    class Meta:
        model = Membership

    group = factory.SubFactory(SelfHelpGroupFactory)
    member = factory.SubFactory(MemberFactory, village=factory.SelfAttribute("..group.village"))
    role = Membership.Role.MEMBER
    joined_date = factory.LazyAttribute(lambda o: o.group.formed_date)
    left_date = None

    class Params:
        chair = factory.Trait(role=Membership.Role.CHAIR)
        secretary = factory.Trait(role=Membership.Role.SECRETARY)
        treasurer = factory.Trait(role=Membership.Role.TREASURER)
        ended = factory.Trait(
            left_date=factory.LazyAttribute(lambda o: o.joined_date + datetime.timedelta(days=365))
        )


class CooperativeFactory(DjangoModelFactory):
    class Meta:
        model = Cooperative

    name = factory.Sequence(lambda n: f"Koperasi Maju Bersama {n}")
    legal_entity_number = ""
    established_date = datetime.date(2017, 3, 1)
    regency = factory.SubFactory(RegencyFactory)
    status = Cooperative.Status.ACTIVE


class CooperativeMembershipFactory(DjangoModelFactory):
    """A KSM in a cooperative since the later of the two was founded."""

    class Meta:
        model = CooperativeMembership

    cooperative = factory.SubFactory(CooperativeFactory)
    group = factory.SubFactory(SelfHelpGroupFactory)
    joined_date = factory.LazyAttribute(
        lambda o: max(o.cooperative.established_date, o.group.formed_date)
    )
    left_date = None

    class Params:
        ended = factory.Trait(
            left_date=factory.LazyAttribute(lambda o: o.joined_date + datetime.timedelta(days=365))
        )
