from decimal import Decimal

import pytest

from finance.money import rupiah


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1250000"), "Rp 1.250.000"),
        (Decimal("0"), "Rp 0"),
        (Decimal("999"), "Rp 999"),
        (Decimal("1250.5"), "Rp 1.250,50"),
        (Decimal("-5000"), "-Rp 5.000"),
        (Decimal("1000000000000"), "Rp 1.000.000.000.000"),
    ],
)
def test_rupiah_is_written_with_dots_for_thousands(value, shown):
    assert rupiah(value) == shown
