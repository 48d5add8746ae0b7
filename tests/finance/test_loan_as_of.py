"""The loan page and the printable schedule as of a chosen date (`?date=`): the status, what was
paid, the arrears and each instalment's state as they stood then; a date that cannot be read
gets a message, not an error page; a written-off loan's later instalments read "written off";
and the page tells the borrower how interest is charged."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from finance.models import Loan
from finance.selectors.loan_reports import interest_method_note
from finance.services import (
    loan_apply,
    loan_approve,
    loan_disburse,
    loan_product_save,
    loan_repay,
    loan_write_off,
)
from tests.web.support import element, field_errors, logged_in, translated

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def client(treasurer):
    return logged_in(treasurer)


def _loan(book, saver, chair, product) -> Loan:
    """Rp 1.000.000 over 10 months on the flat 2% product (Rp 5.000 a late instalment after 3
    days' grace): 100.000 principal + 20.000 interest = 120.000 a month from 10 February."""
    loan = loan_apply(
        book=book,
        product=product,
        member=saver,
        principal=1_000_000,
        term_months=10,
        purpose="Modal warung",
        applied_date=datetime.date(2017, 1, 5),
    )
    loan_approve(loan=loan, decided_date=datetime.date(2017, 1, 6), approved_by_member=chair)
    loan_disburse(
        loan=loan,
        disbursed_date=datetime.date(2017, 1, 10),
        first_due_date=datetime.date(2017, 2, 10),
    )
    loan.refresh_from_db()
    return loan


def _label(status) -> str:
    with translation.override("id"):
        return str(Loan.Status(status).label)


def _states(page) -> list[str]:
    return [row[-1] for row in element(page, "schedule").rows()[1:]]


def test_the_page_as_of_an_earlier_date_shows_the_status_paid_and_arrears_of_then(
    client, funded, saver, chair, product
):
    loan = _loan(funded, saver, chair, product)
    loan_repay(loan=loan, amount=120_000, paid_date=datetime.date(2017, 2, 10))
    # Instalment 2 paid 15 days late: the 5.000 fine first, then 120.000.
    loan_repay(loan=loan, amount=125_000, paid_date=datetime.date(2017, 3, 25))
    # Paid off on 10 April: principal 800.000 + instalment 3's interest 20.000.
    loan_repay(loan=loan, amount=820_000, paid_date=datetime.date(2017, 4, 10))
    loan.refresh_from_db()
    assert loan.status == Loan.Status.PAID

    today = client.get(loan.get_absolute_url())
    assert _label(Loan.Status.PAID) in element(today, "loan-title").text
    assert today.context["as_of"].principal_paid == D(1_000_000)

    then = client.get(loan.get_absolute_url(), {"date": "2017-03-20"})
    assert then.status_code == 200
    title = element(then, "loan-title").text
    assert _label(Loan.Status.ACTIVE) in title
    assert _label(Loan.Status.PAID) not in title
    # On 20 March only instalment 1 was paid: 100.000 principal and 20.000 interest; instalment
    # 2 (120.000) was 10 days late.
    assert element(then, "paid-so-far").text == translated(
        "principal %(principal)s, interest %(interest)s"
    ) % {"principal": "Rp 100.000", "interest": "Rp 20.000"}
    assert element(then, "position-balance").text == "Rp 900.000"
    assert element(then, "position-arrears").text.startswith("Rp 120.000")
    assert then.context["pos"].days_past_due == 10
    assert _states(then)[:3] == [translated("Paid"), translated("Late"), translated("Not yet due")]
    # The card shows what was posted through that day: the disbursement and one repayment.
    assert [row[-1] for row in element(then, "card").rows()[1:]] == ["1.000.000", "900.000"]


def test_a_date_that_cannot_be_read_gets_a_message_and_the_page_reads_today(
    client, funded, saver, chair, product
):
    loan = _loan(funded, saver, chair, product)
    loan_repay(loan=loan, amount=120_000, paid_date=datetime.date(2017, 2, 10))

    for bad in ("2017-02-31", "kemarin"):
        page = client.get(loan.get_absolute_url(), {"date": bad})
        assert page.status_code == 200
        with translation.override("id"):
            expected = str(translation.gettext("Enter a valid date."))
        assert field_errors(page, "date") == [expected]
        assert expected != "Enter a valid date."  # Indonesian, from Django's catalogue
        assert element(page, "as-of-error").text == expected
        assert element(page, "position-balance").text == "Rp 900.000"

    schedule = client.get(
        reverse("finance:loan_schedule", args=[funded.pk, loan.pk]), {"date": "31-31-2017"}
    )
    assert schedule.status_code == 200
    assert element(schedule, "as-of-error").text


def test_a_written_off_loans_later_instalments_read_written_off_not_late(
    client, funded, saver, chair, product
):
    loan = _loan(funded, saver, chair, product)
    loan_repay(loan=loan, amount=120_000, paid_date=datetime.date(2017, 2, 10))
    loan_write_off(loan=loan, entry_date=datetime.date(2017, 5, 20), reason="Pindah ke luar kota")

    page = client.get(loan.get_absolute_url())
    # Instalment 1 paid; 2-4 (10 March to 10 May) fell due unpaid before the write-off; 5-10
    # (10 June on) fall due after it and are not collected.
    written_off = translated("Written off")
    assert _states(page) == ([translated("Paid")] + [translated("Late")] * 3 + [written_off] * 6)
    assert _label(Loan.Status.WRITTEN_OFF) in element(page, "loan-title").text
    assert element(page, "written-off").text == "Rp 900.000"

    printable = client.get(reverse("finance:loan_schedule", args=[funded.pk, loan.pk]))
    assert [row[-1] for row in element(printable, "schedule").rows()[1:-1]][4:] == [written_off] * 6

    # Before the write-off the loan was outstanding and its later instalments not yet due.
    before = client.get(loan.get_absolute_url(), {"date": "2017-05-15"})
    assert _label(Loan.Status.ACTIVE) in element(before, "loan-title").text
    assert _states(before)[4:] == [translated("Not yet due")] * 6
    assert "written-off" not in before.content.decode()


def test_the_page_explains_the_interest_method_and_a_prepayment_replan(
    client, funded, saver, chair
):
    efektif = loan_product_save(
        book=funded,
        name="Pinjaman efektif",
        interest_method="declining",
        monthly_rate=D("2"),
        max_term_months=12,
    )
    loan = _loan(funded, saver, chair, efektif)
    # 1.000.000 at 2% declining: instalment 1 is 100.000 + 20.000; paying 520.000 on 10
    # February prepays 400.000, leaving 500.000 over instalments 2-10 (9 x 55.556 rounded,
    # 55.555,56 -> 55.556, the last 500.000 - 8 x 55.556 = 55.552). Instalment 2's interest is
    # 2% of 500.000 = 10.000 (the old plan: 2% of 900.000 = 18.000).
    loan_repay(loan=loan, amount=520_000, paid_date=datetime.date(2017, 2, 10))

    page = client.get(loan.get_absolute_url())
    assert element(page, "interest-method").text == translated(
        "Interest is efektif (declining balance): each month it is %(rate)s of the principal "
        "still owed, so principal paid early lowers the interest of later months."
    ) % {"rate": "2%"}
    rows = element(page, "schedule").rows()[1:]
    assert rows[0][:5] == ["2", "10-03-2017", "55.556", "10.000", "65.556"]
    assert rows[-1][2:4] == ["55.552", "1.111"]  # 2% of 55.552 = 1.111,04
    assert element(page, "schedule-note").text.startswith(
        translated("Recomputed on %(date)s after a prepayment: %(reason)s").split("%(date)s")[0]
    )
    # The day before, the page reads the plan made at disbursement.
    before = client.get(loan.get_absolute_url(), {"date": "2017-02-09"})
    rows = element(before, "schedule").rows()[1:]
    assert [row[3] for row in rows[:2]] == ["20.000", "18.000"]

    # A flat loan's sentence says the interest does not fall.
    flat = Loan(interest_method="flat", monthly_rate=D("1.5"))
    assert interest_method_note(flat) == translated(
        "Interest is flat: each month it is %(rate)s of the amount lent, however much has "
        "been repaid."
    ) % {"rate": "1.5%"}
