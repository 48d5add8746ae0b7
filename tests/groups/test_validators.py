"""Checks a facilitator meets when typing a NIK, a family card number or a phone number.

Messages will be Indonesian once the catalogue is translated, so these tests hold the error
codes and the presence of a message, never the English wording.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from groups.validators import (
    nik_mismatch,
    normalise_phone,
    validate_family_card_number,
    validate_nik,
    validate_phone,
)
from tests.groups.factories import make_nik

BIRTH = datetime.date(1985, 5, 12)


def _error(validator, value) -> ValidationError:
    with pytest.raises(ValidationError) as error:
        validator(value)
    assert error.value.messages and all(str(m).strip() for m in error.value.messages)
    return error.value


@pytest.mark.parametrize(
    "nik",
    [
        make_nik("33.25.01", BIRTH, "F", 1),
        make_nik("33.25.01", BIRTH, "M", 9999),
        make_nik("11.01.01", datetime.date(2000, 12, 31), "F", 12),
        make_nik("97.01.01", datetime.date(1988, 2, 29), "F", 1),
        make_nik("33.25.15", datetime.date(1970, 1, 1), "M", 1),
    ],
)
def test_a_well_formed_nik_passes(nik):
    assert validate_nik(nik) is None


@pytest.mark.parametrize(
    "nik",
    ["", "332501520585000", "33250152058500011", "3325-01-52058501", "33250152O5850001", None],
)
def test_a_nik_that_is_not_sixteen_digits_is_refused(nik):
    assert _error(validate_nik, nik).code == "nik_digits"


@pytest.mark.parametrize(
    "nik",
    [
        pytest.param("9925015205850001", id="unknown-province-99"),
        pytest.param("2025015205850001", id="unknown-province-20"),
        pytest.param("3300015205850001", id="regency-00"),
        pytest.param("3325005205850001", id="district-00"),
        pytest.param("3325010005850001", id="day-00"),
        pytest.param("3325013205850001", id="day-32"),
        pytest.param("3325014005850001", id="day-40"),
        pytest.param("3325017205850001", id="day-72"),
        pytest.param("3325011200850001", id="month-00"),
        pytest.param("3325011213850001", id="month-13"),
        pytest.param("3325015205850000", id="serial-0000"),
    ],
)
def test_a_nik_with_an_impossible_region_date_or_serial_is_refused(nik):
    assert _error(validate_nik, nik).code == "nik_invalid"


@pytest.mark.parametrize(
    "nik",
    [
        pytest.param("3325013102850001", id="31-february"),
        pytest.param("3325017104850001", id="31-april-woman"),
        pytest.param("3325017002850001", id="30-february-woman"),
    ],
)
def test_a_nik_whose_birth_date_does_not_exist_is_refused(nik):
    assert _error(validate_nik, nik).code == "nik_invalid_date"


def test_a_nik_agrees_with_the_holders_sex_and_birth_date():
    assert nik_mismatch(make_nik("33.25.01", BIRTH, "F", 1), "F", BIRTH) is None
    assert nik_mismatch(make_nik("33.25.01", BIRTH, "M", 1), "M", BIRTH) is None


def test_a_womans_nik_given_to_a_man_is_explained():
    assert nik_mismatch(make_nik("33.25.01", BIRTH, "F", 1), "M", BIRTH)


def test_a_mans_nik_given_to_a_woman_is_explained():
    assert nik_mismatch(make_nik("33.25.01", BIRTH, "M", 1), "F", BIRTH)


@pytest.mark.parametrize(
    "birth_date",
    [datetime.date(1985, 5, 13), datetime.date(1985, 6, 12), datetime.date(1986, 5, 12)],
    ids=["other-day", "other-month", "other-year"],
)
def test_a_nik_with_another_birth_date_is_explained_with_both_dates(birth_date):
    problem = nik_mismatch(make_nik("33.25.01", BIRTH, "F", 1), "F", birth_date)

    assert problem
    assert "12-05-85" in problem
    assert birth_date.strftime("%d-%m-%Y") in problem


@pytest.mark.parametrize("number", ["3325011206160001", "1101010101010001", "9701000000000001"])
def test_a_well_formed_family_card_number_passes(number):
    assert validate_family_card_number(number) is None


@pytest.mark.parametrize("number", ["", "332501120616000", "33250112061600011", "3325 0112061600"])
def test_a_family_card_number_that_is_not_sixteen_digits_is_refused(number):
    assert _error(validate_family_card_number, number).code == "kk_digits"


@pytest.mark.parametrize("number", ["9925011206160001", "3300011206160001", "0025011206160001"])
def test_a_family_card_number_from_no_known_region_is_refused(number):
    assert _error(validate_family_card_number, number).code == "kk_invalid"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("081234567890", "081234567890"),
        ("+6281234567890", "081234567890"),
        ("6281234567890", "081234567890"),
        ("+62 812-3456-7890", "081234567890"),
        ("0812 3456 7890", "081234567890"),
        ("(0812) 3456.7890", "081234567890"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_phone_number_typed_any_usual_way_is_stored_as_08(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize("phone", ["", "081234567", "0812345678901"])
def test_a_mobile_number_or_none_passes(phone):
    assert validate_phone(phone) is None


@pytest.mark.parametrize("phone", ["02855551234", "08123", "08123456789012", "+6281234567890"])
def test_a_landline_or_malformed_phone_number_is_refused(phone):
    assert _error(validate_phone, phone).code == "phone_invalid"
