"""Which years the alive demo closes and whose surplus its KSM have shared, by the last month
it loads (the last complete month before the day it runs)."""

import datetime

import pytest

from demo.alive import last_closed_year, shared_year


@pytest.mark.parametrize(
    ("until", "closed", "shared"),
    [
        ("2026-11", 2025, 2025),  # November: last year closed and shared in February
        ("2026-12", 2026, 2025),  # December has ended: closed, but its SHU is next February's
        ("2027-01", 2026, 2025),  # January: 2026 closed, its meeting not yet held
        ("2027-02", 2026, 2026),  # February's meeting shared 2026
        ("2019-03", 2018, 2018),  # the tests' short demo
    ],
)
def test_years_closed_and_shared(until, closed, shared):
    month = datetime.date.fromisoformat(f"{until}-01")
    assert last_closed_year(month) == closed
    assert shared_year(month) == shared
    assert shared <= closed
