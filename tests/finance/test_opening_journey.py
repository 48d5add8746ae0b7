"""A facilitator's afternoon with a reactivated KSM, on a 360 px phone: the treasurer types the
old ledger's balances into the opening-balances wizard, with one member's loan still owed, and
the loan is there afterwards with its schedule, like a loan paid out through the site.

The browser asks for Indonesian; buttons are found by the name the catalogue gives them.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from finance.models import Loan
from finance.services import book_open
from tests.finance.test_journeys import PASSWORD, PHONE, assert_fits_the_phone, log_in
from tests.groups.factories import MembershipFactory
from tests.web.support import translated

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "id-ID"}


def test_a_loan_from_the_old_ledger_typed_in_the_wizard_becomes_a_loan_with_its_schedule(
    page: Page, live_server, ksm, treasurer
):
    treasurer.set_password(PASSWORD)
    treasurer.save()
    cutoff = datetime.date(timezone.localdate().year - 1, 1, 1)
    book = book_open(owner=ksm, opening_date=cutoff)
    siti = MembershipFactory(
        group=ksm, member__full_name="Siti Aminah", joined_date=datetime.date(2015, 3, 1)
    ).member
    page.set_viewport_size(PHONE)
    log_in(page, live_server, treasurer)

    page.goto(f"{live_server.url}{reverse('finance:opening', args=[book.pk])}")
    assert_fits_the_phone(page)
    page.locator("#id_cash").fill("250.000")
    row = page.locator(".card", has=page.locator(f"input[name$='-member'][value='{siti.pk}']"))
    row.locator("input[name$='-savings_mandatory']").fill("240.000")
    row.locator("input[name$='-loan']").fill("600.000")
    row.locator("details.loan-terms summary").click()
    row.locator("input[name$='-loan_rate']").fill("1,5")
    row.locator("select[name$='-loan_method']").select_option("flat")
    row.locator("input[name$='-loan_months']").fill("6")
    row.locator("input[name$='-loan_next_due']").fill(f"{cutoff.year}-01-10")
    row.locator("input[name$='-loan_instalment']").fill("109.000")
    assert_fits_the_phone(page)
    page.get_by_role("button", name=translated("Post the opening balances"), exact=True).click()

    expect(page.locator("#balancing")).to_be_visible()
    loan = Loan.objects.get(book=book, member=siti)
    page.goto(f"{live_server.url}{loan.get_absolute_url()}")
    assert_fits_the_phone(page)
    expect(page.locator("#position-balance")).to_have_text("Rp 600.000")
    expect(page.locator("#schedule tbody tr")).to_have_count(6)
    expect(page.locator("#schedule tbody tr").first).to_contain_text(f"10-01-{cutoff.year}")
