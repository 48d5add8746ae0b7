"""A facilitator's morning on a 360 px phone, in Chromium: record a visit to a KSM with one
follow-up action, find it on the agenda, mark it done.

As in tests/web/test_journeys.py, the browser asks for Indonesian and every button and link is
found by the name the catalogue gives it.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.groups.factories import MembershipFactory
from tests.web.support import translated
from training.models import FollowUpAction, Visit

pytestmark = pytest.mark.browser

PASSWORD = "pendamping-batang"
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "id-ID"}


def assert_fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 2, f"{page.url} is {width} px wide on a 360 px screen"


def open_menu_link(page: Page, name: str) -> None:
    """On a phone the menu is folded away behind its button."""
    page.get_by_role("button", name=translated("Menu")).click()
    page.locator("#main-nav").get_by_role("link", name=translated(name), exact=True).click()


def test_a_facilitator_records_a_visit_sees_its_follow_up_on_the_agenda_and_marks_it_done(
    page: Page, live_server, facilitator, ksm
):
    facilitator.set_password(PASSWORD)
    facilitator.save()
    chair = MembershipFactory(group=ksm, chair=True, member__full_name="Siti Rahayu")
    due = timezone.localdate() + datetime.timedelta(days=7)
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/login/")
    page.locator("#id_username").fill(facilitator.username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name=translated("Log in"), exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/")

    # The group page: its mentoring panel offers to record a visit.
    page.goto(f"{live_server.url}{ksm.get_absolute_url()}")
    page.locator("#mentoring-panel").get_by_role(
        "link", name=translated("Record a visit"), exact=True
    ).click()
    assert_fits_the_phone(page)
    page.get_by_label(chair.member.full_name).check()
    page.locator("#id_findings").fill("Buku kas belum diisi sejak bulan lalu.")
    page.locator("#id_actions-0-description").fill("Isi buku kas bulan ini")
    page.locator("#id_actions-0-responsible").fill("Bendahara")
    page.locator("#id_actions-0-due_date").fill(due.isoformat())
    page.get_by_role("button", name=translated("Save the visit"), exact=True).click()

    visit = Visit.objects.get()
    expect(page).to_have_url(f"{live_server.url}{visit.get_absolute_url()}")
    expect(page.locator("#visit-actions")).to_contain_text("Isi buku kas bulan ini")
    assert_fits_the_phone(page)

    open_menu_link(page, "Agenda")
    expect(page).to_have_url(f"{live_server.url}/agenda/")
    action = FollowUpAction.objects.get()
    line = page.locator(f"#action-{action.pk}")
    expect(line).to_contain_text("Isi buku kas bulan ini")
    expect(line).to_contain_text(ksm.name)
    assert_fits_the_phone(page)

    line.get_by_role("button", name=translated("Mark done"), exact=True).click()

    expect(page).to_have_url(f"{live_server.url}/agenda/")
    expect(page.get_by_role("alert")).to_contain_text("Isi buku kas bulan ini")
    expect(page.locator(f"#action-{action.pk}")).to_have_count(0)
    action.refresh_from_db()
    assert (action.status, action.closed_date, action.closed_by) == (
        "done",
        timezone.localdate(),
        facilitator,
    )
    assert (visit.facilitator, list(visit.attendees.all())) == (facilitator, [chair.member])
