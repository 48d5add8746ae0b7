"""Declining-balance (efektif) loans charge interest on the principal actually owed: a partial
prepayment replans the rest of the loan on the new balance, as a new schedule version linked to
the repayment, and the old version is kept. Flat loans are not replanned. Every figure is worked
out by hand in the comments."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from finance.models import Loan
from finance.schedule import build_schedule, replan_after_prepayment
from finance.selectors.loans import loan_position
from finance.services import (
    entry_reverse,
    loan_apply,
    loan_approve,
    loan_disburse,
    loan_product_save,
    loan_repay,
)
from finance.services.meetings import SheetLine, meeting_record
from tests.web.support import element, logged_in, parse, translated

pytestmark = pytest.mark.django_db
D = Decimal
DISBURSED = datetime.date(2017, 1, 10)
FIRST_DUE = datetime.date(2017, 2, 10)


def _loan(book, saver, chair, method: str, **fines) -> Loan:
    """Rp 1.200.000 at 2% a month over 12 months, no fee (and no fine unless given): Rp
    100.000 principal a month; the first interest is 2% of 1.200.000 = 24.000 either way."""
    product = loan_product_save(
        book=book,
        name=f"Pinjaman {method}",
        interest_method=method,
        monthly_rate=D("2"),
        max_term_months=12,
        **fines,
    )
    loan = loan_apply(
        book=book,
        product=product,
        member=saver,
        principal=1_200_000,
        term_months=12,
        purpose="Modal warung",
        applied_date=datetime.date(2017, 1, 5),
    )
    loan_approve(loan=loan, decided_date=datetime.date(2017, 1, 6), approved_by_member=chair)
    loan_disburse(loan=loan, disbursed_date=DISBURSED, first_due_date=FIRST_DUE)
    loan.refresh_from_db()
    return loan


def _prepay(loan):
    """On the first due date: instalment 1 (24.000 interest + 100.000 principal) and 550.000
    of principal ahead of the schedule: 674.000 in all, leaving 1.200.000 - 650.000 = 550.000."""
    return loan_repay(loan=loan, amount=674_000, paid_date=FIRST_DUE)


def test_after_a_prepayment_later_interest_is_charged_on_the_new_balance(funded, saver, chair):
    loan = _loan(funded, saver, chair, "declining")
    # Before: instalment 2's interest is 2% of 1.100.000 = 22.000.
    assert loan.schedules.get().instalments.get(number=2).interest == D(22_000)
    posted = _prepay(loan)
    loan.refresh_from_db()
    assert (loan.balance, loan.interest_paid) == (D(550_000), D(24_000))

    new = loan.schedules.get(version=2)
    assert new.prepayment_entry == posted.entry
    assert new.start_date == FIRST_DUE
    rows = list(new.instalments.order_by("number"))
    # Instalments 2 to 12 keep their numbers and due dates; 550.000 over 11 = 50.000 each.
    assert [r.number for r in rows] == list(range(2, 13))
    assert rows[0].due_date == datetime.date(2017, 3, 10)
    assert rows[-1].due_date == datetime.date(2018, 1, 10)
    assert {r.principal for r in rows} == {D(50_000)}
    # Interest on what is owed at the start of each month: 2% of 550.000 = 11.000, of
    # 500.000 = 10.000, ... of 50.000 = 1.000; 1.000 x (11 + 10 + ... + 1) = 66.000 in all
    # (the old plan charged 2.000 x (11 + ... + 1) = 132.000 for the same months).
    assert [r.interest for r in rows] == [D(1_000 * n) for n in range(11, 0, -1)]
    assert sum(r.interest for r in rows) == D(66_000)

    # The next instalment is 11.000 + 50.000 = 61.000, and paying it on its date splits so.
    pos = loan_position(loan, datetime.date(2017, 3, 1))
    assert (pos.next_due.number, pos.next_due.unpaid) == (2, D(61_000))
    assert pos.arrears == 0
    loan_repay(loan=loan, amount=61_000, paid_date=datetime.date(2017, 3, 10))
    loan.refresh_from_db()
    # Interest 24.000 + 11.000 = 35.000; principal 550.000 - 50.000 = 500.000.
    assert (loan.balance, loan.interest_paid) == (D(500_000), D(35_000))
    pos = loan_position(loan, datetime.date(2017, 4, 10))
    assert (pos.next_due.number, pos.next_due.unpaid) == (3, D(60_000))  # 10.000 + 50.000


def test_the_schedule_before_the_prepayment_is_kept_and_read_for_earlier_dates(
    funded, saver, chair
):
    loan = _loan(funded, saver, chair, "declining")
    _prepay(loan)
    old = loan.schedules.get(version=1)
    # Twelve instalments, interest 2% of 1.200.000, 1.100.000, ... 100.000 = 24.000 ... 2.000.
    assert [i.interest for i in old.instalments.order_by("number")] == [
        D(2_000 * n) for n in range(12, 0, -1)
    ]
    assert old.prepayment_entry is None
    # The day before the prepayment the loan stood on the old plan: instalment 1 was next.
    before = loan_position(loan, datetime.date(2017, 2, 9))
    assert (before.balance, before.next_due.number, before.next_due.unpaid) == (
        D(1_200_000),
        1,
        D(124_000),
    )


def test_a_flat_loan_is_not_replanned_after_a_prepayment(funded, saver, chair):
    loan = _loan(funded, saver, chair, "flat")
    _prepay(loan)
    loan.refresh_from_db()
    assert loan.balance == D(550_000)
    assert loan.schedules.count() == 1
    # Flat interest stays 2% of the loan, 24.000 a month, whatever is owed: on 10 March
    # instalment 2's interest (its principal was prepaid) is due.
    pos = loan_position(loan, datetime.date(2017, 3, 10))
    assert pos.interest_due == D(24_000)
    assert pos.principal_due == 0
    assert pos.instalments[1].interest_unpaid == D(24_000)


def test_an_ordinary_instalment_does_not_replan(funded, saver, chair):
    loan = _loan(funded, saver, chair, "declining")
    loan_repay(loan=loan, amount=124_000, paid_date=FIRST_DUE)
    assert loan.schedules.count() == 1


def test_reversing_the_prepayment_gives_back_the_plan_it_replaced(funded, saver, chair):
    loan = _loan(funded, saver, chair, "declining")
    posted = _prepay(loan)
    entry_reverse(entry=posted.entry, entry_date=datetime.date(2017, 2, 12), reason="Salah catat")
    loan.refresh_from_db()
    assert loan.balance == D(1_200_000)
    latest = loan.schedules.order_by("-version").first()
    assert latest.version == 3
    # Instalment 2 is again 22.000 + 100.000; instalment 1 (124.000) is owed again.
    assert latest.instalments.get(number=2).amount == D(122_000)
    pos = loan_position(loan, datetime.date(2017, 2, 12))
    assert pos.arrears == D(124_000)


def test_replanning_is_pure_arithmetic_on_the_remaining_instalments():
    """700.000 left after instalment 1 of 12, over the 11 later instalments: 700.000 / 11 =
    63.636,36 -> 63.636 each and 700.000 - 10 x 63.636 = 63.640 last; interest 2% of 700.000 =
    14.000, then 2% of 636.364 = 12.727,28 -> 12.727, the last 2% of 63.640 = 1.272,8 -> 1.273."""
    old = build_schedule(
        principal=D(1_200_000),
        monthly_rate=D("2"),
        term_months=12,
        method="declining",
        first_due_date=FIRST_DUE,
    )
    plan = replan_after_prepayment(
        instalments=old, on_date=FIRST_DUE, balance=D(700_000), monthly_rate=D("2")
    )
    assert [r.number for r in plan] == list(range(2, 13))
    assert [r.principal for r in plan] == [D(63_636)] * 10 + [D(63_640)]
    assert (plan[0].interest, plan[1].interest, plan[-1].interest) == (
        D(14_000),
        D(12_727),
        D(1_273),
    )
    assert sum(r.principal for r in plan) == D(700_000)


def test_a_prepayment_at_the_monthly_meeting_replans_too(funded, saver, chair):
    loan = _loan(funded, saver, chair, "declining")
    recorded = meeting_record(
        book=funded,
        meeting_date=FIRST_DUE,
        lines=[SheetLine(member=saver, present=True, repayment=D(674_000))],
        token="rapat-februari",
    )
    loan.refresh_from_db()
    assert loan.balance == D(550_000)  # as `_prepay`: 1.200.000 - 100.000 - 550.000
    new = loan.schedules.get(version=2)
    assert new.prepayment_entry == recorded.meeting.lines.get().entry
    # 2% of 550.000 = 11.000 for instalment 2, as above.
    assert new.instalments.get(number=2).interest == D(11_000)


def test_the_repayment_form_says_when_a_payment_prepays_and_the_rest_is_recomputed(
    treasurer, funded, saver, chair
):
    loan = _loan(funded, saver, chair, "declining")
    client = logged_in(treasurer)
    page = client.get(reverse("finance:loan_repay", args=[funded.pk, loan.pk]), follow=True)
    token = next(
        el.attrs["value"] for el in parse(page).find_all("input") if el.attrs.get("name") == "token"
    )
    preview = client.post(
        page.request["PATH_INFO"],
        {
            "entry_date": "2017-02-10",
            "amount": "674000",
            "source": "cash",
            "token": token,
            "preview": "1",
        },
    )
    # 674.000 = 24.000 interest + 100.000 principal due + 550.000 ahead of the schedule.
    assert element(preview, "split-principal").text == "Rp 650.000"
    assert element(preview, "split-prepaid").text == translated(
        "Of the principal, %(prepaid)s is paid ahead of the schedule: the later instalments "
        "are recomputed on the new balance, with less interest."
    ) % {"prepaid": "Rp 550.000"}
    assert loan.schedules.count() == 1  # a preview posts nothing


def test_a_fine_paid_with_the_prepayment_does_not_cancel_a_later_fine(funded, saver, chair):
    loan = _loan(
        funded, saver, chair, "declining", fine_rule="fixed", fine_value=D(5_000), grace_days=3
    )
    # Instalment 1 paid 10 days late (20 February): the 5.000 fine, then 24.000 + 100.000;
    # instalment 2 (10 March) is the current one, so its 22.000 + 100.000 too; and 500.000
    # ahead: 751.000, leaving 1.200.000 - 200.000 - 500.000 = 500.000 over instalments 3-12,
    # 50.000 each; instalment 3's interest is 2% of 500.000 = 10.000.
    late_day = datetime.date(2017, 2, 20)
    assert loan_position(loan, late_day).fines_due == D(5_000)
    loan_repay(loan=loan, amount=751_000, paid_date=late_day)
    loan.refresh_from_db()
    assert (loan.balance, loan.fines_paid) == (D(500_000), D(5_000))
    assert loan.schedules.get(version=2).instalments.get(number=3).amount == D(60_000)
    assert loan_position(loan, late_day).fines_due == 0
    # Instalment 3 (10 April) unpaid on 20 April, 10 days late: a new 5.000 fine is owed, not
    # set off against the fine already paid.
    pos = loan_position(loan, datetime.date(2017, 4, 20))
    assert pos.fines_due == D(5_000)
    assert pos.arrears == D(60_000)
