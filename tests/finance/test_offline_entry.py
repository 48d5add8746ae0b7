"""A treasurer fills the meeting sheet where the connection comes and goes: the phone keeps the
sheet (service worker), a sheet sent with no connection waits on the phone (IndexedDB) and is
sent when the connection returns, once however often it reaches the server; a sheet the
server refuses meanwhile keeps what was typed; a half-filled sheet survives a reload.

Playwright's offline switch cuts the page and its service worker off the live server.
"""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from finance.models import Meeting
from finance.schedule import add_months
from finance.selectors import month_end
from finance.services import book_open
from finance.services.periods import period_close
from groups.models import Member
from tests.finance.test_journeys import PASSWORD, PHONE, assert_fits_the_phone, log_in
from tests.finance.test_meeting_sheet import add_members
from tests.web.support import translated

pytestmark = pytest.mark.browser
D = Decimal
LAST_MONTH = add_months(timezone.localdate(), -1).replace(day=15)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "id-ID"}


@pytest.fixture
def sheet_book(ksm, treasurer):
    """The treasurer's KSM, its books open since the start of last month, three members."""
    treasurer.set_password(PASSWORD)
    treasurer.save()
    book = book_open(owner=ksm, opening_date=LAST_MONTH.replace(day=1))
    book.people = {m.full_name: m for m in add_members(ksm, ["Ani", "Budi", "Citra"])}
    book.people["treasurer"] = Member.objects.get(user=treasurer)
    return book


def open_sheet(page: Page, live_server, book, on_date=None) -> None:
    address = reverse("finance:meeting_sheet", args=[book.pk])
    if on_date is not None:
        address += f"?date={on_date.isoformat()}"
    page.goto(f"{live_server.url}{address}")
    expect(page.locator(".meeting-line")).to_have_count(4)
    # The service worker has the sheet and its scripts before the connection goes.
    expect(page.locator("html[data-offline-ready]")).to_have_count(1)


def box(page: Page, member, field: str):
    return page.locator(f"#id_m{member.pk}-{field}")


def fill_wajib(page: Page, book) -> None:
    for person in book.people.values():
        box(page, person, "mandatory").fill("10.000")
    box(page, book.people["Citra"], "present").uncheck()
    expect(page.locator("#total-in")).to_have_text("Rp 30.000")


def status(page: Page):
    return page.locator("#offline-queue .offline-item .offline-status")


def duplicate_the_queued_sheet(page: Page) -> None:
    """As when a second tab queued it too, or the phone lost the server's first answer."""
    page.evaluate(
        """() => new Promise((resolve, reject) => {
            const opened = indexedDB.open("ksm-offline", 1);
            opened.onsuccess = () => {
                const tx = opened.result.transaction("queue", "readwrite");
                const store = tx.objectStore("queue");
                store.getAll().onsuccess = (event) => {
                    const copy = Object.assign({}, event.target.result[0]);
                    delete copy.id;
                    store.add(copy);
                };
                tx.oncomplete = () => resolve();
                tx.onerror = () => reject(tx.error);
            };
        })"""
    )


def test_a_sheet_sent_offline_waits_on_the_phone_and_posts_once_when_the_connection_returns(
    page: Page, context: BrowserContext, live_server, treasurer, sheet_book
):
    book = sheet_book
    page.set_viewport_size(PHONE)
    log_in(page, live_server, treasurer)
    open_sheet(page, live_server, book)

    context.set_offline(True)
    page.reload()  # the kept copy, from the phone
    expect(page.locator("html[data-offline-copy]")).to_have_count(1)
    fill_wajib(page, book)
    page.get_by_role("button", name=translated("Record meeting"), exact=True).click()

    expect(status(page)).to_have_text([translated("waiting")])
    expect(page.locator(".offline-note")).to_be_visible()
    page.reload()
    expect(status(page)).to_have_text([translated("waiting")])
    assert not Meeting.objects.filter(book=book).exists()
    assert_fits_the_phone(page)

    duplicate_the_queued_sheet(page)
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")

    expect(status(page)).to_have_text([translated("sent"), translated("sent")])
    meeting = Meeting.objects.get(book=book)
    assert (meeting.total_in, meeting.present_count) == (D(30_000), 3)
    page.locator("#offline-queue").get_by_role("link", name=translated("Show")).first.click()
    expect(page).to_have_url(f"{live_server.url}{meeting.get_absolute_url()}")


def test_a_queued_sheet_refused_because_the_month_closed_meanwhile_keeps_what_was_typed(
    page: Page, context: BrowserContext, live_server, treasurer, sheet_book
):
    book = sheet_book
    page.set_viewport_size(PHONE)
    log_in(page, live_server, treasurer)
    open_sheet(page, live_server, book, on_date=LAST_MONTH)
    context.set_offline(True)
    fill_wajib(page, book)
    box(page, book.people["Ani"], "mandatory").fill("25.000")
    page.get_by_role("button", name=translated("Record meeting"), exact=True).click()
    expect(status(page)).to_have_text([translated("waiting")])

    period_close(book=book, month=LAST_MONTH, actor=None)
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")

    expect(status(page)).to_have_text([translated("refused")])
    reason = page.locator("#offline-queue .offline-reason")
    closed = translated(
        "The books are closed through %(date)s. Choose a later date, or ask "
        "program staff to reopen the month."
    ) % {"date": month_end(LAST_MONTH).strftime("%d-%m-%Y")}
    expect(reason).to_have_text(closed)
    assert not Meeting.objects.filter(book=book).exists()

    page.get_by_role("button", name=translated("Open in the form")).click()
    expect(page.locator(".meeting-line")).to_have_count(4)
    expect(box(page, book.people["Ani"], "mandatory")).to_have_value("25.000")
    expect(box(page, book.people["Citra"], "present")).not_to_be_checked()
    expect(page.locator("#total-in")).to_have_text("Rp 45.000")
    expect(page.locator("#offline-queue")).to_have_count(0)

    # The treasurer moves the sheet to today, in the open month: what was typed comes along.
    page.locator("#id_date").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name=translated("Show"), exact=True).click()
    expect(page.locator("#id_meeting_date")).to_have_value(timezone.localdate().isoformat())
    expect(box(page, book.people["Ani"], "mandatory")).to_have_value("25.000")
    page.get_by_role("button", name=translated("Record meeting"), exact=True).click()

    meeting = Meeting.objects.get(book=book)
    expect(page).to_have_url(f"{live_server.url}{meeting.get_absolute_url()}")
    assert (meeting.meeting_date, meeting.total_in) == (timezone.localdate(), D(45_000))


def test_a_half_filled_sheet_survives_a_reload(page: Page, live_server, treasurer, sheet_book):
    book = sheet_book
    page.set_viewport_size(PHONE)
    log_in(page, live_server, treasurer)
    open_sheet(page, live_server, book)
    address = page.url
    fill_wajib(page, book)
    page.locator("#id_notes").fill("Rapat di rumah Bu Ani")

    page.reload()

    assert page.url == address
    expect(box(page, book.people["Ani"], "mandatory")).to_have_value("10.000")
    expect(box(page, book.people["Citra"], "present")).not_to_be_checked()
    expect(box(page, book.people["Citra"], "mandatory")).to_be_disabled()
    expect(page.locator("#id_notes")).to_have_value("Rapat di rumah Bu Ani")
    expect(page.locator("#total-in")).to_have_text("Rp 30.000")

    page.get_by_role("button", name=translated("Record meeting"), exact=True).click()
    meeting = Meeting.objects.get(book=book)
    expect(page).to_have_url(f"{live_server.url}{meeting.get_absolute_url()}")
    # Recorded: the next sheet starts empty.
    page.goto(address)
    expect(page.locator("#sheet-used")).to_be_visible()
    expect(page.locator("#id_notes")).to_have_value("")


def test_a_sheet_that_cannot_reach_the_server_while_the_phone_thinks_it_is_online_waits_too(
    page: Page, context: BrowserContext, live_server, treasurer, sheet_book
):
    """The connection drops at submit: the phone still says it is online (a weak signal), the
    browser sends the sheet the usual way, and it never reaches the server."""
    book = sheet_book
    page.add_init_script("Object.defineProperty(navigator, 'onLine', {get: () => true})")
    page.set_viewport_size(PHONE)
    log_in(page, live_server, treasurer)
    open_sheet(page, live_server, book)
    fill_wajib(page, book)

    context.set_offline(True)
    page.get_by_role("button", name=translated("Record meeting"), exact=True).click()

    expect(status(page)).to_have_text([translated("waiting")])
    expect(box(page, book.people["Ani"], "mandatory")).to_have_value("10.000")
    assert not Meeting.objects.filter(book=book).exists()

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")

    expect(status(page)).to_have_text([translated("sent")])
    meeting = Meeting.objects.get(book=book)
    assert (meeting.total_in, meeting.present_count) == (D(30_000), 3)
