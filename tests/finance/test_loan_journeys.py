"""A treasurer's loan on a 360 px phone: the application, the chair's approval, paying it out,
and the first instalment with its split shown before it is recorded; every page fits the
screen, and the loan card shows the repayment."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from finance.models import Loan
from finance.services import book_open, cash_receive, loan_product_save, savings_deposit
from groups.models import Membership
from tests.finance.test_journeys import PASSWORD, PHONE, assert_fits_the_phone, log_in
from tests.groups.factories import MembershipFactory
from tests.web.support import translated

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "id-ID"}


@pytest.fixture
def lending_book(ksm, treasurer):
    treasurer.set_password(PASSWORD)
    treasurer.save()
    opened = datetime.date(timezone.localdate().year - 1, 1, 1)
    book = book_open(owner=ksm, opening_date=opened)
    MembershipFactory(
        group=ksm,
        role=Membership.Role.CHAIR,
        member__full_name=translated("Pak Darto"),
        joined_date=datetime.date(2016, 6, 1),
    )
    book.borrower = MembershipFactory(
        group=ksm,
        member__full_name=translated("Siti Aminah"),
        joined_date=datetime.date(2016, 6, 1),
    ).member
    cash_receive(
        book=book, source="grant", amount=5_000_000, entry_date=opened, description="Hibah"
    )
    savings_deposit(
        book=book,
        member=book.borrower,
        savings_type="savings_mandatory",
        amount=500_000,
        entry_date=opened,
    )
    loan_product_save(
        book=book,
        name=translated("Pinjaman usaha"),
        interest_method="flat",
        monthly_rate=2,
        max_term_months=12,
        max_savings_multiple=3,
    )
    return book


def test_a_treasurer_lends_to_a_member_and_records_the_first_instalment_on_a_phone(
    page: Page, live_server, treasurer, lending_book
):
    book, borrower = lending_book, lending_book.borrower
    today = timezone.localdate()
    page.set_viewport_size(PHONE)
    log_in(page, live_server, treasurer)

    page.goto(f"{live_server.url}{book.get_absolute_url()}")
    page.locator("#loan-links").get_by_role("link", name=translated("Loan application")).click()
    assert_fits_the_phone(page)
    page.locator("#id_borrower").select_option(str(borrower.pk))
    page.locator("#id_principal").fill("1.000.000")
    page.locator("#id_term_months").fill("10")
    page.locator("#id_purpose").fill("Modal warung")
    page.get_by_role("button", name=translated("Record the application")).click()

    expect(page).to_have_url(re.compile(rf"/books/{book.pk}/loans/\d+/$"))
    loan = Loan.objects.get(book=book)
    expect(page).to_have_url(f"{live_server.url}{loan.get_absolute_url()}")
    assert_fits_the_phone(page)
    page.locator("#loan-actions").get_by_role("link", name=translated("Approve")).click()
    assert_fits_the_phone(page)
    page.get_by_role("button", name=translated("Approve")).click()
    page.locator("#loan-actions").get_by_role("link", name=translated("Pay out the loan")).click()
    assert_fits_the_phone(page)
    page.get_by_role("button", name=translated("Pay out")).click()
    expect(page.locator("#schedule")).to_be_visible()
    assert_fits_the_phone(page)

    page.locator("#loan-actions").get_by_role("link", name=translated("Record a repayment")).click()
    assert_fits_the_phone(page)
    # Disbursed today, so the first instalment (Rp 120.000) is offered and split.
    expect(page.locator("#id_amount")).to_have_value("120.000")
    expect(page.locator("#split-interest")).to_have_text("Rp 20.000")
    expect(page.locator("#split-principal")).to_have_text("Rp 100.000")
    page.locator("#id_amount").fill("50.000")
    page.get_by_role("button", name=translated("Show the split")).click()
    expect(page.locator("#split-principal")).to_have_text("Rp 30.000")
    page.locator("#submit").click()

    expect(page).to_have_url(f"{live_server.url}{loan.get_absolute_url()}")
    loan.refresh_from_db()
    assert (loan.balance, loan.interest_paid, loan.disbursed_date) == (970_000, 20_000, today)
    expect(page.locator("#card tbody tr")).to_have_count(2)
    expect(page.locator("#position-balance")).to_have_text("Rp 970.000")
