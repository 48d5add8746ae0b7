"""Checks of Indonesian identity numbers: NIK (KTP) and family card (Kartu Keluarga) numbers.

A NIK is 16 digits: 1-6 the region (province, regency, district) where it was issued, 7-12 the
birth date as DDMMYY with 40 added to the day for women, 13-16 a serial that is never 0000.
The same patterns are database check constraints on Member (see groups.models).
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Kemendagri province codes in use (Sumatra 11-19, Riau Islands 21, Java 31-36, Bali and
# Nusa Tenggara 51-53, Kalimantan 61-65, Sulawesi 71-76, Maluku 81-82, Papua 91-97).
PROVINCE_PREFIX = r"(1[1-9]|21|3[1-6]|5[1-3]|6[1-5]|7[1-6]|8[1-2]|9[1-7])"
NIK_PATTERN = (
    r"^" + PROVINCE_PREFIX + r"(0[1-9]|[1-9][0-9])(0[1-9]|[1-9][0-9])"
    r"(0[1-9]|[12][0-9]|3[01]|4[1-9]|[56][0-9]|7[01])(0[1-9]|1[0-2])[0-9]{2}[0-9]{4}$"
)
FAMILY_CARD_PATTERN = r"^" + PROVINCE_PREFIX + r"(0[1-9]|[1-9][0-9])[0-9]{12}$"
PHONE_PATTERN = r"^08[0-9]{7,11}$"


@dataclass(frozen=True)
class NikBirth:
    day: int
    month: int
    year_2digit: int
    is_female: bool


def nik_birth(nik: str) -> NikBirth:
    day = int(nik[6:8])
    return NikBirth(
        day=day - 40 if day > 40 else day,
        month=int(nik[8:10]),
        year_2digit=int(nik[10:12]),
        is_female=day > 40,
    )


def validate_nik(value: str) -> None:
    if not re.fullmatch(r"\d{16}", value or ""):
        raise ValidationError(_("A NIK is exactly 16 digits."), code="nik_digits")
    if not re.fullmatch(NIK_PATTERN, value) or value.endswith("0000"):
        raise ValidationError(
            _(
                "This NIK is not valid: check the region code (digits 1-6), "
                "the birth date (digits 7-12) and the serial number (digits 13-16)."
            ),
            code="nik_invalid",
        )
    birth = nik_birth(value)
    try:
        # Year 2000 is a leap year, so 29 February is accepted here and judged in Member.clean.
        datetime.date(2000, birth.month, birth.day)
    except ValueError:
        raise ValidationError(
            _("The birth date in this NIK (digits 7-12) is not a real date."),
            code="nik_invalid_date",
        ) from None


def nik_mismatch(nik: str, sex: str, birth_date: datetime.date) -> str | None:
    """Why a valid-shaped NIK disagrees with the member's sex and birth date, or None."""
    birth = nik_birth(nik)
    if birth.is_female != (sex == "F"):
        return str(
            _("The NIK says the holder is a woman (day of birth + 40) but the sex is male.")
            if birth.is_female
            else _("The NIK says the holder is a man but the sex is female (day + 40 for women).")
        )
    if (birth.day, birth.month, birth.year_2digit) != (
        birth_date.day,
        birth_date.month,
        birth_date.year % 100,
    ):
        return str(
            _("The birth date in the NIK (%(nik_date)s) differs from the birth date %(date)s.")
            % {
                "nik_date": f"{birth.day:02d}-{birth.month:02d}-{birth.year_2digit:02d}",
                "date": birth_date.strftime("%d-%m-%Y"),
            }
        )
    return None


def validate_family_card_number(value: str) -> None:
    if not re.fullmatch(r"\d{16}", value or ""):
        raise ValidationError(
            _("A family card (KK) number is exactly 16 digits."), code="kk_digits"
        )
    if not re.fullmatch(FAMILY_CARD_PATTERN, value):
        raise ValidationError(
            _("This family card number does not start with a valid region code."),
            code="kk_invalid",
        )


def normalise_phone(value: str) -> str:
    """Accept 0812..., +62812..., 62812... with spaces or dashes; store 0812..."""
    digits = re.sub(r"[\s\-().]", "", value or "")
    if digits.startswith("+62"):
        digits = "0" + digits[3:]
    elif digits.startswith("62"):
        digits = "0" + digits[2:]
    return digits


def validate_phone(value: str) -> None:
    if value and not re.fullmatch(PHONE_PATTERN, value):
        raise ValidationError(_("Write a mobile number like 081234567890."), code="phone_invalid")
