"""The statements and the notes on a 360 px phone: nothing wider than the screen."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.finance import test_reports, test_statements_sak_emkm
from tests.web.test_journeys import log_in, with_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
people, march_book = test_reports.people, test_reports.march_book
officers = test_statements_sak_emkm.officers


@pytest.mark.parametrize(
    "name", ["balance_sheet", "income_statement", "statement_notes", "members"]
)
def test_each_statement_fits_a_360_pixel_phone(
    page: Page, live_server, march_book, officers, facilitator, name
):
    with_password(facilitator)
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server, facilitator)

    url = reverse(f"finance:{name}", args=[march_book.pk])
    page.goto(f"{live_server.url}{url}?period=month&year=2017&month=3&date=2017-03-31")

    expect(page.locator("#report-title")).to_be_visible()
    page.screenshot(path=f"/tmp/h5_{name}.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 362, f"{name} is {width} px wide on a 360 px screen"
