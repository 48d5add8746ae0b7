"""Properties of schedules and allocation, for any loan the forms allow."""

import datetime
import itertools
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from finance.schedule import allocate, build_schedule, position

loans = st.fixed_dictionaries(
    {
        "principal": st.integers(min_value=1, max_value=500_000_000).map(Decimal),
        "monthly_rate": st.decimals(min_value=0, max_value=10, places=2),
        "term_months": st.integers(min_value=1, max_value=60),
        "method": st.sampled_from(["flat", "declining"]),
    }
)
FIRST = datetime.date(2017, 1, 31)


@given(loans)
def test_a_schedules_principal_sums_to_the_loan_in_whole_rupiah(loan):
    rows = build_schedule(first_due_date=FIRST, **loan)
    assert sum(row.principal for row in rows) == loan["principal"]
    assert all(row.principal >= 0 and row.interest >= 0 for row in rows)
    assert all(row.principal == row.principal.to_integral_value() for row in rows)
    assert [row.number for row in rows] == list(range(1, loan["term_months"] + 1))
    assert all(a.due_date < b.due_date for a, b in itertools.pairwise(rows))


@given(loans, st.lists(st.integers(min_value=1, max_value=600_000_000), max_size=8))
def test_repayments_never_take_the_balance_below_zero(loan, amounts):
    rows = build_schedule(first_due_date=FIRST, **loan)
    balance, principal_paid, interest_paid = loan["principal"], Decimal(0), Decimal(0)
    day = FIRST
    for amount in map(Decimal, amounts):
        pos = position(
            instalments=rows,
            on_date=day,
            balance=balance,
            principal_paid=principal_paid,
            interest_paid=interest_paid,
            fines_paid=Decimal(0),
            payments=[],
        )
        fine, interest, principal, excess = allocate(amount, fines_due=Decimal(0), pos=pos)
        assert fine + interest + principal + excess == amount
        if excess:
            assert amount > pos.payoff  # refused: more than the loan owes
            continue
        balance -= principal
        principal_paid += principal
        interest_paid += interest
        assert balance >= 0
        day += datetime.timedelta(days=20)
    assert principal_paid + balance == loan["principal"]
