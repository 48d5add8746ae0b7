"""The wide tables on a 360 px phone: the page itself never scrolls sideways; a table wider than
the screen scrolls inside its wrapper (.table-responsive), which shows edge shadows (a CSS
background, static/css/site.css) and a hint in words, or turns into stacked cards."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from finance.models import JournalEntry
from tests.finance.test_loan_views import active
from tests.web.test_journeys import log_in, with_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WRAPPERS = """() => [...document.querySelectorAll('main .table-responsive')].map(box => {
  const style = getComputedStyle(box);
  const before = box.scrollLeft;
  box.scrollLeft = 40;
  const moved = box.scrollLeft > before;
  box.scrollLeft = before;
  return {
    id: (box.querySelector('table') || {}).id || '',
    overflowX: style.overflowX,
    cue: style.backgroundImage,
    wider: box.scrollWidth > box.clientWidth + 1,
    moved: moved,
    hint: !!(box.previousElementSibling && box.previousElementSibling.matches('.scroll-hint')
             && box.previousElementSibling.offsetParent !== null),
  };
})"""


# What sticks out past the screen's right edge (outside a scrolling wrapper), to say why.
STICKING_OUT = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > 361 && !el.closest('.table-responsive'))
  .slice(-5).map(el => el.tagName + '#' + el.id + '.' + el.className + ' '
                    + Math.round(el.getBoundingClientRect().right))"""


def pages(book, loan, entry, group, regency) -> dict[str, tuple[str, str]]:
    """name: (address, the id of its wide table)"""
    return {
        "loan card": (reverse("finance:loan", args=[book.pk, loan.pk]), "card"),
        "loan schedule": (reverse("finance:loan_schedule", args=[book.pk, loan.pk]), "schedule"),
        "entry lines": (reverse("finance:entry", args=[book.pk, entry.pk]), "entry-lines"),
        "trial balance": (
            reverse("finance:trial_balance", args=[book.pk]) + "?date=2017-03-31",
            "trial-balance",
        ),
        "group health": (
            reverse("finance:group_health_months", args=[group.pk]),
            "health-months",
        ),
        "grading": (reverse("training:grading") + f"?regency={regency.code}", "distribution"),
        "programme overview": (reverse("dashboard:overview"), "overview"),
        "receipt": (reverse("finance:entry_receipt", args=[book.pk, entry.pk]), "receipt"),
    }


def test_wide_tables_scroll_inside_their_wrapper_not_the_page_at_360_px(
    page: Page, live_server, funded, saver, chair, product, staff_user, ksm, regency
):
    loan = active(funded, saver, chair, product)
    entry = JournalEntry.objects.get(book=funded, kind="savings_deposit", lines__member=saver)
    with_password(staff_user)
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server, staff_user)

    scrolled = []
    for name, (address, table) in pages(funded, loan, entry, ksm, regency).items():
        page.goto(f"{live_server.url}{address}")
        expect(page.locator(f"#{table}")).to_be_attached()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (
            f"{name}: the page is {width} px wide on a 360 px screen",
            page.evaluate(STICKING_OUT),
        )
        boxes = {box["id"]: box for box in page.evaluate(WRAPPERS)}
        box = boxes.get(table)
        if name == "receipt":  # label and value side by side: it fits, nothing to scroll
            page.screenshot(path="/tmp/h3_receipt_360.png", full_page=True)
            assert box is None
            continue
        if name == "programme overview":  # stacked cards on a phone: nothing to scroll
            assert box is not None and not box["wider"], f"{name}: {box}"
            continue
        assert box is not None, f"{name}: #{table} is not in a .table-responsive wrapper"
        assert box["overflowX"] in ("auto", "scroll"), f"{name}: {box}"
        assert box["cue"].count("gradient") == 4, f"{name}: no edge shadows ({box['cue']})"
        if box["wider"]:
            assert box["moved"], f"{name}: the table is wider than its wrapper but does not scroll"
            scrolled.append(name)
            if name != "group health":  # its months load into a panel with its own heading
                assert box["hint"], f"{name}: no hint that the table scrolls"
    # the tables that are wide on a phone are the ones the hint and the shadows are for
    assert {"loan card", "loan schedule"} <= set(scrolled), scrolled


def test_the_hint_is_not_shown_on_a_wide_screen(
    page: Page, live_server, funded, saver, chair, product, staff_user
):
    loan = active(funded, saver, chair, product)
    with_password(staff_user)
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, staff_user)

    page.goto(f"{live_server.url}{reverse('finance:loan_schedule', args=[funded.pk, loan.pk])}")

    expect(page.locator(".scroll-hint").first).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
