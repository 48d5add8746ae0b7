from decimal import Decimal

import pytest

from finance.money import rupiah


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1250000"), "Rp\u00a01.250.000"),
        (Decimal("0"), "Rp\u00a00"),
        (Decimal("999"), "Rp\u00a0999"),
        (Decimal("1250.5"), "Rp\u00a01.250,50"),
        (Decimal("-5000"), "-\u2060Rp\u00a05.000"),
        (Decimal("1000000000000"), "Rp\u00a01.000.000.000.000"),
    ],
)
def test_rupiah_is_written_with_dots_for_thousands(value, shown):
    assert rupiah(value) == shown


def test_an_amount_on_a_page_does_not_break_after_rp_or_its_minus():
    shown = rupiah(Decimal("-1250000"))
    assert shown == "-\u2060Rp\u00a01.250.000"
    assert " " not in shown  # no ordinary space where a line could break
    assert shown.replace("\u2060", "").replace("\u00a0", " ") == "-Rp 1.250.000"


def test_plain_text_keeps_an_ordinary_space_for_spreadsheets_and_terminals():
    assert rupiah(Decimal("-5000"), plain=True) == "-Rp 5.000"
    assert rupiah(Decimal("1250000"), plain=True) == "Rp 1.250.000"
    assert rupiah(Decimal("-5000"), sign=False) == "-5.000"
