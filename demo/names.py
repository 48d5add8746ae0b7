"""Plausible Javanese names and identity numbers for demo and synthetic data.

Shared by `seed_demo` (the Batang pilot) and `generate_scale` (national-shaped volume), so both
make members whose NIK agrees with their sex and birth date exactly as groups.validators and the
Member check constraint demand.
"""

import datetime
import random


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FEMALE_SINGLE = words(
    "Suparmi Sumiyati Ngatini Rukmini Tumini Wartini Kasmini Sulastri Partini Musripah "
    "Khotimah Maesaroh Rohmah Juwariyah Rusmini Istiqomah Fatimah Sutinah Carini Darsih "
    "Warsini Kuswati Tarwiyah Sunarti Suwarni Yatmi Rokhayah Solikhah Masruroh Latifah "
    "Muawanah Zulaikha Ngatiyah"
)
FEMALE_FIRST = words("Sri Siti Dwi Tri Nur Puji Endang Umi Eni Wiwik Ani Yuli Nurul")
FEMALE_SECOND = words(
    "Wahyuni Aminah Lestari Rahayu Mulyani Hidayah Astuti Susilowati Handayani Rahmawati "
    "Kulsum Khotimah Wulandari Susanti Sunarsih Aini Khomsatun"
)

MALE_SINGLE = words(
    "Sutrisno Warsito Darsono Kasno Rasimin Tarjo Sukirno Mulyono Karyono Suwarno Wagiman "
    "Paiman Rohadi Casmadi Carwadi Dasuki Tarsono Suparno Sukardi Kuswanto Wasito Sumarno "
    "Tasripin Rusmanto Kardi Slamet"
)
MALE_FIRST = words(
    "Ahmad Muhammad Agus Budi Joko Eko Teguh Bambang Edi Nur Abdul Slamet Sugeng Heru Bayu"
)
MALE_SECOND = words(
    "Santoso Susilo Prasetyo Wahyudi Riyadi Supriyadi Purnomo Setiawan Fauzi Rohman Kholis "
    "Hidayat Saputra Nugroho Rofiq"
)

# "Sido Makmur" (becomes prosperous), "Ngudi Rahayu" (striving for well-being), ...
KSM_FIRST_WORDS = words("Sido Ngudi Sumber Mekar Tunas Karya Maju Mugi Sri Tani")
KSM_SECOND_WORDS = words("Makmur Rejeki Mulyo Lestari Rahayu Santoso Jaya Mandiri Sejahtera Utomo")
KSM_NAMES = tuple(f"KSM {a} {b}" for a in KSM_FIRST_WORDS for b in KSM_SECOND_WORDS)

PHONE_PREFIXES = words("0812 0813 0821 0822 0852 0853 0857 0858 0877 0878 0895 0896")


def person_name(rng: random.Random, sex: str) -> str:
    """A one- or two-part Javanese name, as commonly written on a KTP."""
    if sex == "F":
        if rng.random() < 0.45:
            return rng.choice(FEMALE_SINGLE)
        return f"{rng.choice(FEMALE_FIRST)} {rng.choice(FEMALE_SECOND)}"
    if rng.random() < 0.45:
        return rng.choice(MALE_SINGLE)
    return f"{rng.choice(MALE_FIRST)} {rng.choice(MALE_SECOND)}"


def nik(region6: str, sex: str, birth_date: datetime.date, serial: int) -> str:
    """NIK = region (6 digits) + birth DDMMYY with 40 added to the day for women + serial."""
    if not 1 <= serial <= 9999:
        raise ValueError(f"NIK serial out of range: {serial}")
    day = birth_date.day + (40 if sex == "F" else 0)
    return f"{region6}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


def family_card_number(region6: str, issued: datetime.date, serial: int) -> str:
    """KK number = region (6 digits) + issue date DDMMYY + serial (4 digits)."""
    return f"{region6}{issued.day:02d}{issued.month:02d}{issued.year % 100:02d}{serial % 10000:04d}"


def phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + "".join(rng.choices("0123456789", k=rng.choice((7, 8))))


def random_date(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return datetime.date.fromordinal(rng.randint(start.toordinal(), end.toordinal()))
