"""Amounts are read as Indonesians write rupiah, in the digits 0 to 9 only: another script's
digits (Arabic-Indic 1234) are refused rather than read as 1234, and an ambiguous "0.001" or
"1.00" (is the dot a decimal point?) is refused rather than read as Rp 1 or Rp 100."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from finance.forms.meetings import SheetAmountField
from finance.forms.records import AMOUNT_DIGITS, AMOUNT_EXAMPLE, parse_amount
from finance.forms.setup import RateField
from finance.models import JournalEntry
from finance.money import rupiah
from finance.services.posting import MAX_AMOUNT, clean_amount
from tests.finance.test_entry_views import submit
from tests.web.support import field_errors, logged_in, translated

ARABIC_1234 = "\u0661\u0662\u0663\u0664"  # what the issue found accepted
OTHER_SCRIPTS = [
    ARABIC_1234,
    "\u06f1\u06f2\u06f3\u06f4",  # Persian
    "\u0967\u0968\u0969\u096a",  # Devanagari
    "\u09e7\u09e8\u09e9\u09ea",  # Bengali
    "\uff11\uff12\uff13\uff14",  # full-width, as some phone keyboards type
    "25.\u0660\u0660\u0660",  # mixed
    "Rp \u0661\u0662.\u0663\u0664\u0665",
]
AMBIGUOUS = ["0.001", "0.500", "1.00", "1.0", "01.000", "00.250", "1.0000", "25.00,50"]


def refusal(text) -> str:
    with pytest.raises(ValidationError) as error:
        parse_amount(text)
    return error.value.messages[0]


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("25000", "25000"),
        ("25.000", "25000"),
        ("Rp 25.000", "25000"),
        ("Rp. 25.000,-", "25000"),
        ("1.250,50", "1250.50"),
        ("1.000.000", "1000000"),
        ("0,50", "0.50"),
    ],
)
def test_amounts_as_indonesians_write_them_are_read(typed, amount):
    assert parse_amount(typed) == Decimal(amount)


@pytest.mark.parametrize("typed", OTHER_SCRIPTS)
def test_digits_of_other_scripts_are_refused_with_a_message(typed):
    assert refusal(typed) == str(AMOUNT_DIGITS)


@pytest.mark.parametrize("typed", AMBIGUOUS)
def test_an_ambiguous_thousands_dot_is_refused(typed):
    assert refusal(typed) == str(AMOUNT_EXAMPLE)


def test_the_service_refuses_other_scripts_digits_too():
    with pytest.raises(ValidationError):
        clean_amount(ARABIC_1234)


def test_the_meeting_sheet_and_the_rate_boxes_refuse_other_scripts_digits():
    with pytest.raises(ValidationError):
        SheetAmountField().clean("\u0662\u0665.\u0660\u0660\u0660")
    with pytest.raises(ValidationError):
        RateField().clean("\u0661,\u0665")


@pytest.mark.django_db
def test_a_cash_entry_in_arabic_digits_is_refused_and_nothing_written(book, treasurer):
    client = logged_in(treasurer)
    response = submit(
        client, book, "cash-in", source="grant", amount=ARABIC_1234, description="Hibah"
    )
    assert response.status_code == 200
    assert field_errors(response, "amount") == [
        translated("Write the amount with the digits 0 to 9, e.g. 25000 or 25.000.")
    ]
    assert not JournalEntry.objects.exists()


amounts = st.decimals(min_value=Decimal("0.01"), max_value=MAX_AMOUNT, places=2)


@given(amounts)
def test_every_amount_as_the_portal_writes_it_reads_back_the_same(amount):
    assert parse_amount(rupiah(amount)) == amount
    assert parse_amount(rupiah(amount, sign=False)) == amount


@given(st.integers(min_value=1, max_value=int(MAX_AMOUNT)))
def test_every_whole_amount_reads_the_same_grouped_or_not(number):
    assert parse_amount(str(number)) == parse_amount(f"{number:,}".replace(",", ".")) == number


@given(st.text(max_size=30))
def test_any_text_is_read_as_a_positive_ascii_amount_or_refused_with_a_message(text):
    try:
        amount = parse_amount(text)
    except ValidationError as error:
        assert error.messages
    else:
        assert amount > 0
        assert " ".join(text.split()).isascii()
