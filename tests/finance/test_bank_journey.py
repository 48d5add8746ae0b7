"""On a 360 px phone: a treasurer records the interest the bank paid, then sends an amount far
beyond the group's books, is asked about it, confirms it, and it posts once."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from finance.models import JournalEntry
from finance.services import account_for, book_open
from tests.finance.test_journeys import PASSWORD, PHONE, assert_fits_the_phone, log_in
from tests.web.support import translated

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "id-ID"}


@pytest.fixture
def books(ksm, treasurer):
    treasurer.set_password(PASSWORD)
    treasurer.save()
    return book_open(owner=ksm, opening_date=datetime.date(timezone.localdate().year - 1, 1, 1))


def test_a_treasurer_records_bank_interest_and_confirms_an_unusual_amount(
    page: Page, live_server, treasurer, books
):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, treasurer)
    page.goto(f"{live_server.url}{books.get_absolute_url()}")

    page.get_by_role("link", name=translated("Bank interest"), exact=True).click()
    assert_fits_the_phone(page)
    page.locator("#id_amount").fill("12.500")
    page.get_by_role("button", name=translated("Record"), exact=True).click()

    interest = JournalEntry.objects.get(book=books)
    expect(page).to_have_url(f"{live_server.url}{interest.get_absolute_url()}")
    bank = account_for(books, "bank")
    assert interest.lines.get(account=bank).debit == 12500

    page.goto(f"{live_server.url}{books.get_absolute_url()}")
    page.get_by_role("link", name=translated("Cash received"), exact=True).click()
    page.locator("input[name=source][value=income_business]").check()
    page.locator("#id_amount").fill("9.999.999.999.999")
    page.locator("#id_description").fill("Penjualan")
    record = page.get_by_role("button", name=translated("Record"), exact=True)
    record.click()

    warning = page.locator("#unusual-amount")
    expect(warning).to_contain_text("Rp 9.999.999.999.999")
    assert_fits_the_phone(page)
    assert JournalEntry.objects.filter(book=books).count() == 1
    page.get_by_label("Ya, jumlahnya benar").check()
    page.get_by_role("button", name=translated("Record"), exact=True).click()

    sale = JournalEntry.objects.exclude(pk=interest.pk).get(book=books)
    expect(page).to_have_url(f"{live_server.url}{sale.get_absolute_url()}")
