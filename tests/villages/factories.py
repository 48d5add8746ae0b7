"""Regions with well-shaped Kemendagri codes, BUMDes and facilitator assignments.

Each code is built from its parent's code, so a village made by a factory always sits in the
right district, regency and province, and a NIK built from its district code is valid.
"""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from villages.models import Bumdes, District, FacilitatorAssignment, Province, Regency, Village

# Kemendagri province codes that a NIK may start with (see groups.validators.PROVINCE_PREFIX).
PROVINCE_NAMES = {
    "33": "Jawa Tengah",
    "32": "Jawa Barat",
    "35": "Jawa Timur",
    "34": "DI Yogyakarta",
    "36": "Banten",
    "31": "DKI Jakarta",
    "51": "Bali",
    "52": "Nusa Tenggara Barat",
    "73": "Sulawesi Selatan",
    "12": "Sumatera Utara",
}
PROVINCE_CODES = list(PROVINCE_NAMES)

PILOT_START = datetime.date(2016, 5, 1)


class ProvinceFactory(DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: PROVINCE_CODES[n % len(PROVINCE_CODES)])
    name = factory.LazyAttribute(lambda o: PROVINCE_NAMES.get(o.code, f"Provinsi {o.code}"))


# Generated codes stay clear of the ones tests write out (Batang 33.25, its kecamatan
# 33.25.01-15, villages .2001-.2002), so a sequence that comes round cannot collide with them.
class RegencyFactory(DjangoModelFactory):
    class Meta:
        model = Regency

    province = factory.SubFactory(ProvinceFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.province.code}.{n % 49 + 50:02d}")
    name = factory.LazyAttribute(lambda o: f"Kabupaten {o.code}")


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District

    regency = factory.SubFactory(RegencyFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.regency.code}.{n % 49 + 50:02d}")
    name = factory.LazyAttribute(lambda o: f"Kecamatan {o.code}")


class VillageFactory(DjangoModelFactory):
    class Meta:
        model = Village

    district = factory.SubFactory(DistrictFactory)
    # Desa codes 2100-2999: clear of the .2001 and .2002 that tests write out.
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.district.code}.{2100 + n % 900:04d}")
    name = factory.LazyAttribute(lambda o: f"Desa {o.code}")


class BumdesFactory(DjangoModelFactory):
    class Meta:
        model = Bumdes

    village = factory.SubFactory(VillageFactory)
    name = factory.LazyAttribute(lambda o: f"BUMDes {o.village.name}")
    established_date = datetime.date(2017, 1, 10)
    business_units = "Simpan pinjam\nPengelolaan air bersih"


class FacilitatorAssignmentFactory(DjangoModelFactory):
    """A facilitator assigned to a village since the pilot began, with no end date."""

    class Meta:
        model = FacilitatorAssignment

    user = factory.SubFactory("tests.groups.factories.UserFactory")
    village = factory.SubFactory(VillageFactory)
    start_date = PILOT_START
    end_date = None

    class Params:
        ended = factory.Trait(
            end_date=factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
        )
        future = factory.Trait(
            start_date=factory.LazyFunction(
                lambda: timezone.localdate() + datetime.timedelta(days=7)
            )
        )
