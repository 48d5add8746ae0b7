"""A treasurer's month-end on a cheap phone: record a wajib deposit, find it in the cash book
and in the member's passbook, and send the same form twice without posting it twice.

Like tests/web/test_journeys.py, the browser asks for Indonesian and every button and link is
found by the name the catalogue gives it.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from finance.models import JournalEntry
from finance.services import book_open
from tests.groups.factories import MembershipFactory
from tests.web.support import translated

pytestmark = pytest.mark.browser

PASSWORD = "kas-ksm-2017"
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A treasurer in Batang reads the portal in Indonesian."""
    return {**browser_context_args, "locale": "id-ID"}


@pytest.fixture
def books(ksm, treasurer):
    """The treasurer's KSM with its books open since the start of last year and a member who
    saves every month."""
    treasurer.set_password(PASSWORD)
    treasurer.save()
    opened = datetime.date(timezone.localdate().year - 1, 1, 1)
    book = book_open(owner=ksm, opening_date=opened)
    book.saver = MembershipFactory(
        group=ksm, member__full_name="Siti Aminah", joined_date=datetime.date(2016, 6, 1)
    ).member
    return book


def log_in(page: Page, live_server, user) -> None:
    page.goto(f"{live_server.url}/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name=translated("Log in"), exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/")


def fill_wajib_deposit(page: Page, member, amount: str) -> None:
    page.locator("#id_member").select_option(str(member.pk))
    page.locator("input[name=savings_type][value=savings_mandatory]").check()
    page.locator("#id_amount").fill(amount)
    page.locator("#id_receipt_ref").fill("KW-017")


def assert_fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 2, f"{page.url} is {width} px wide on a 360 px screen"


def test_a_treasurer_records_a_wajib_deposit_and_finds_it_in_the_cash_book_and_passbook(
    page: Page, live_server, treasurer, books
):
    saver = books.saver
    page.set_viewport_size(PHONE)

    log_in(page, live_server, treasurer)
    page.get_by_role("link", name=translated("Books"), exact=True).click()
    expect(page).to_have_url(f"{live_server.url}{books.get_absolute_url()}")
    assert_fits_the_phone(page)
    page.get_by_role("link", name=translated("Savings deposit"), exact=True).click()
    assert_fits_the_phone(page)
    fill_wajib_deposit(page, saver, "25.000")
    page.get_by_role("button", name=translated("Record"), exact=True).click()

    entry = JournalEntry.objects.get(book=books)
    expect(page).to_have_url(f"{live_server.url}{entry.get_absolute_url()}")
    expect(page.locator("#entry-reference")).to_have_text(entry.reference)
    expect(page.locator("#entry-lines")).to_contain_text("Siti Aminah")
    expect(page.get_by_role("alert")).to_contain_text(entry.reference)
    assert_fits_the_phone(page)

    page.goto(f"{live_server.url}{books.get_absolute_url()}")
    page.get_by_role("link", name=translated("Cash book"), exact=True).click()
    cash_row = page.locator("#ledger tbody tr", has_text=entry.reference)
    expect(cash_row).to_contain_text("25.000")
    expect(cash_row).to_contain_text("Siti Aminah")

    page.goto(f"{live_server.url}{books.get_absolute_url()}")
    page.get_by_role("link", name=translated("Members' savings"), exact=True).click()
    page.get_by_role("link", name="Siti Aminah", exact=True).click()
    wajib = page.locator("#passbook-savings_mandatory")
    expect(wajib.locator("tbody tr", has_text=entry.reference)).to_contain_text("25.000")
    expect(page.locator("#passbook-total")).to_contain_text("Rp 25.000")

    page.goto(f"{live_server.url}{books.get_absolute_url()}")
    page.get_by_role("link", name=translated("Journal"), exact=True).click()
    expect(page.locator("#journal tbody tr").first).to_contain_text(entry.reference)
    assert_fits_the_phone(page)


def test_the_same_deposit_sent_twice_by_going_back_posts_once(
    page: Page, live_server, treasurer, books
):
    saver = books.saver
    page.set_viewport_size(PHONE)
    log_in(page, live_server, treasurer)
    page.goto(f"{live_server.url}{books.get_absolute_url()}")
    page.get_by_role("link", name=translated("Savings deposit"), exact=True).click()
    form_url = page.url
    fill_wajib_deposit(page, saver, "Rp 25.000")
    record = page.get_by_role("button", name=translated("Record"), exact=True)

    record.click()
    entry = JournalEntry.objects.get(book=books)
    expect(page).to_have_url(f"{live_server.url}{entry.get_absolute_url()}")
    page.go_back()
    expect(page).to_have_url(form_url)
    if not page.locator("#id_amount").input_value():  # the phone forgot what was typed
        fill_wajib_deposit(page, saver, "Rp 25.000")
    record.click()

    expect(page).to_have_url(f"{live_server.url}{entry.get_absolute_url()}")
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(re.escape(translated("This was already recorded.")))
    )
    assert JournalEntry.objects.filter(book=books).count() == 1
