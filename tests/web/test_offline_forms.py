"""The treasurer's record forms and the facilitator's visit form work with no connection too:
kept by the phone, sent when the connection returns, recorded once."""

import pytest
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page, expect

from finance.models import JournalEntry
from tests.finance import test_journeys as finance_journeys
from tests.finance.test_journeys import fill_wajib_deposit, log_in
from tests.finance.test_offline_entry import status
from tests.groups.factories import MembershipFactory
from tests.training.test_journeys import PASSWORD as FACILITATOR_PASSWORD
from tests.web.support import translated
from training.models import Visit

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}
books = finance_journeys.books


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "id-ID"}


def kept_then_offline(page: Page, context: BrowserContext, address: str) -> None:
    page.goto(address)
    expect(page.locator("html[data-offline-ready]")).to_have_count(1)
    context.set_offline(True)
    page.reload()
    expect(page.locator("html[data-offline-copy]")).to_have_count(1)


def back_online(page: Page, context: BrowserContext) -> None:
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")


def test_a_deposit_recorded_offline_is_posted_once_when_the_connection_returns(
    page: Page, context: BrowserContext, live_server, treasurer, books
):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, treasurer)
    kept_then_offline(
        page, context, f"{live_server.url}{reverse('finance:record', args=[books.pk, 'deposit'])}"
    )
    fill_wajib_deposit(page, books.saver, "Rp 25.000")
    page.get_by_role("button", name=translated("Record"), exact=True).click()
    expect(status(page)).to_have_text([translated("waiting")])
    assert not JournalEntry.objects.filter(book=books).exists()

    back_online(page, context)

    expect(status(page)).to_have_text([translated("sent")])
    entry = JournalEntry.objects.get(book=books)
    assert entry.lines.filter(member=books.saver).exists()
    # Its kept copy, opened again with no connection, cannot send the same form a second time.
    context.set_offline(True)
    page.reload()
    expect(page.locator(".offline-note")).to_have_text(
        translated("This form was already sent from this phone. A new form needs a connection.")
    )
    expect(page.get_by_role("button", name=translated("Record"), exact=True)).to_be_disabled()
    # A page never kept says why it cannot open.
    page.goto(f"{live_server.url}{reverse('finance:journal', args=[books.pk])}")
    expect(page.get_by_role("heading", level=1)).to_have_text(translated("No connection"))


def test_a_visit_recorded_offline_is_saved_once_when_the_connection_returns(
    page: Page, context: BrowserContext, live_server, facilitator, ksm
):
    facilitator.set_password(FACILITATOR_PASSWORD)
    facilitator.save()
    chair = MembershipFactory(group=ksm, chair=True, member__full_name="Siti Rahayu")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/login/")
    page.locator("#id_username").fill(facilitator.username)
    page.locator("#id_password").fill(FACILITATOR_PASSWORD)
    page.get_by_role("button", name=translated("Log in"), exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/")
    kept_then_offline(
        page, context, f"{live_server.url}{reverse('training:visit_create', args=[ksm.pk])}"
    )
    page.get_by_label(chair.member.full_name).check()
    page.locator("#id_findings").fill("Buku kas belum diisi sejak bulan lalu.")
    page.get_by_role("button", name=translated("Save the visit"), exact=True).click()
    expect(status(page)).to_have_text([translated("waiting")])

    back_online(page, context)

    expect(status(page)).to_have_text([translated("sent")])
    visit = Visit.objects.get()
    assert visit.findings == "Buku kas belum diisi sejak bulan lalu."
    assert list(visit.attendees.all()) == [chair.member]


def test_an_unusual_amount_sent_offline_is_questioned_and_posted_once_confirmed(
    page: Page, context: BrowserContext, live_server, treasurer, books
):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, treasurer)
    kept_then_offline(
        page, context, f"{live_server.url}{reverse('finance:record', args=[books.pk, 'cash-in'])}"
    )
    page.locator("input[name=source][value=grant]").check()
    page.locator("#id_amount").fill("50.000.000")
    page.locator("#id_description").fill("Hibah desa")
    page.get_by_role("button", name=translated("Record"), exact=True).click()
    expect(status(page)).to_have_text([translated("waiting")])

    back_online(page, context)

    expect(status(page)).to_have_text([translated("refused")])
    expect(page.locator("#offline-queue .offline-reason")).to_contain_text("50.000.000")
    assert not JournalEntry.objects.filter(book=books).exists()
    page.get_by_role("button", name=translated("Yes, the amount is right: send again")).click()

    expect(status(page)).to_have_text([translated("sent")])
    entry = JournalEntry.objects.get(book=books)
    assert entry.description == "Hibah desa"
