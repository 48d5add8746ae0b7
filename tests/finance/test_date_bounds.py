"""Every date a user types lies between 1900 and 2100 (ksm_portal.forms.validate_sensible_date),
whatever the form; a loan's first instalment falls due within 12 months of the money moving.
9999-12-31 is refused with a message, never a server error, and writes nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from finance.forms.records import CashInForm
from finance.models import JournalEntry, Loan, LoanSchedule
from finance.services import loan_repay
from groups.forms import MemberForm
from tests.finance.test_loan_views import active, approved, send, url
from tests.web.support import field_errors, logged_in, translated
from training.forms import VisitForm
from villages.forms import BumdesForm
from villages.models import Village

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = "Enter a date between the years %(first)s and %(last)s."
FAR_DUE = "The first instalment falls due within %(months)s months, on %(date)s at the latest."
HOSTILE_DATES = ["9999-12-31", "2999-01-01", "2101-01-01", "1899-12-31", "0201-03-05"]


def out_of_range() -> str:
    return translated(OUT_OF_RANGE) % {"first": 1900, "last": 2100}


def errors_of(form, name) -> list[str]:
    with translation.override("id"):
        return [str(message) for message in form.errors.get(name, [])]


@pytest.mark.parametrize("typed", HOSTILE_DATES)
def test_register_forms_refuse_dates_outside_1900_to_2100(typed):
    villages = Village.objects.all()
    member = MemberForm({"birth_date": typed}, villages=villages)
    bumdes = BumdesForm({"established_date": typed}, villages=villages)
    assert out_of_range() in errors_of(member, "birth_date")
    assert out_of_range() in errors_of(bumdes, "established_date")


def test_register_forms_take_a_date_inside_the_range():
    form = MemberForm({"birth_date": "1900-01-01"}, villages=Village.objects.all())
    assert "birth_date" not in form.errors


@pytest.mark.parametrize("typed", ["9999-12-31", "2101-01-01"])
def test_a_visit_on_a_date_past_2100_is_refused(typed):
    assert out_of_range() in errors_of(VisitForm({"visit_date": typed}), "visit_date")


@pytest.mark.parametrize("typed", ["9999-12-31", "1899-12-31"])
def test_a_book_entry_dated_outside_the_range_is_refused(book, typed):
    form = CashInForm({"entry_date": typed}, book=book)
    assert out_of_range() in errors_of(form, "entry_date")


def test_a_report_for_the_year_9999_answers_with_a_message(book, treasurer):
    response = logged_in(treasurer).get(
        reverse("finance:cash_book", args=[book.pk]),
        {"date_from": "2017-01-01", "date_to": "9999-12-31"},
    )
    assert response.status_code == 200
    assert out_of_range() in field_errors(response, "date_to")


# --- Loans: the first due date ----------------------------------------------------------------


@pytest.fixture
def client(treasurer):
    return logged_in(treasurer)


def disburse(client, book, loan, first_due_date):
    return send(
        client,
        url("loan_disburse", book, loan.pk),
        entry_date="2017-01-10",
        source="cash",
        first_due_date=first_due_date,
    )


def test_a_first_due_date_of_9999_on_disbursement_is_refused(client, funded, saver, chair, product):
    loan = approved(funded, saver, chair, product)
    before = JournalEntry.objects.filter(book=funded).count()

    response = disburse(client, funded, loan, "9999-12-31")

    assert response.status_code == 200
    assert out_of_range() in field_errors(response, "first_due_date")
    loan.refresh_from_db()
    assert loan.status == Loan.Status.APPROVED
    assert JournalEntry.objects.filter(book=funded).count() == before


def test_a_first_due_date_more_than_12_months_after_disbursement_is_refused(
    client, funded, saver, chair, product
):
    loan = approved(funded, saver, chair, product)

    late = disburse(client, funded, loan, "2018-01-11")

    assert late.status_code == 200
    assert translated(FAR_DUE) % {"months": 12, "date": "10-01-2018"} in field_errors(
        late, "first_due_date"
    )
    loan.refresh_from_db()
    assert loan.status == Loan.Status.APPROVED

    on_time = disburse(client, funded, loan, "2018-01-10")  # exactly 12 months: fine
    assert on_time.status_code == 302
    loan.refresh_from_db()
    assert loan.status == Loan.Status.ACTIVE


@pytest.mark.parametrize("first_due_date", ["9999-12-31", "2999-01-01", "2018-02-02"])
def test_a_borrowing_due_far_off_is_refused(client, funded, first_due_date):
    response = send(
        client,
        url("borrowing_new", funded),
        lender_kind="bank",
        lender_name="BRI Unit Bandar",
        entry_date="2017-02-01",
        amount="2.000.000",
        interest_method="flat",
        monthly_rate="1",
        term_months="10",
        source="cash",
        first_due_date=first_due_date,
    )

    assert response.status_code == 200
    assert field_errors(response, "first_due_date")
    assert not Loan.objects.filter(direction=Loan.Direction.PAYABLE).exists()


@pytest.mark.parametrize("first_due_date", ["9999-12-31", "2018-03-16"])
def test_a_reschedule_due_far_off_is_refused(client, funded, saver, chair, product, first_due_date):
    loan = active(funded, saver, chair, product)
    loan_repay(loan=loan, amount=120_000, paid_date=datetime.date(2017, 2, 10))

    response = client.post(
        url("loan_reschedule", funded, loan.pk),
        {
            "version": "1",
            "rescheduled_date": "2017-03-15",
            "term_months": "12",
            "first_due_date": first_due_date,
            "reason": "Gagal panen",
        },
    )

    assert response.status_code == 200
    assert field_errors(response, "first_due_date")
    assert LoanSchedule.objects.filter(loan=loan).count() == 1
