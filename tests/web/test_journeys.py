"""The main journeys end to end in Chromium, each starting at the login page.

The browser asks for Indonesian (see `browser_context_args` in tests/web/conftest.py), so
button and link names are looked up through the same catalogue the pages use.
"""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from groups.models import Member, Membership, SelfHelpGroup
from tests.groups.factories import (
    MembershipFactory,
    SelfHelpGroupFactory,
    make_family_card_number,
    make_nik,
)
from tests.villages.factories import BumdesFactory, DistrictFactory, VillageFactory
from tests.web.support import translated

pytestmark = pytest.mark.browser

PASSWORD = "jalan-desa-2016"
BIRTH = datetime.date(1985, 5, 12)


def with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


def log_in(page: Page, live_server, user) -> None:
    page.goto(f"{live_server.url}/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name=translated("Log in"), exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/")


def fill_member(page: Page, *, nik: str, district_code: str, full_name: str) -> None:
    page.locator("#id_nik").fill(nik)
    page.locator("#id_family_card_number").fill(make_family_card_number(district_code, 7))
    page.locator("#id_full_name").fill(full_name)
    page.locator("input[name=sex][value=F]").check()
    page.locator("#id_birth_date").fill(BIRTH.isoformat())
    page.locator("#id_phone").fill("081234567890")


def test_a_facilitator_registers_a_ksm_adds_a_member_and_finds_the_ksm_in_the_list(
    page: Page, live_server, facilitator, village
):
    with_password(facilitator)
    nik = make_nik(village.district.code, BIRTH, "F", 7)

    log_in(page, live_server, facilitator)
    page.get_by_role("link", name=translated("Register a KSM"), exact=True).click()
    page.locator("#id_village").select_option(str(village.pk))
    page.locator("#id_name").fill("KSM Tunas Harapan")
    page.locator("#id_registration_number").fill("101/KSM/2016")
    page.locator("input[name=origin][value=new]").check()
    page.locator("#id_formed_date").fill("2016-06-01")
    page.locator("#id_meeting_day").fill("10")
    page.get_by_role("button", name=translated("Save"), exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("KSM Tunas Harapan")
    group = SelfHelpGroup.objects.get(name="KSM Tunas Harapan")
    expect(page).to_have_url(f"{live_server.url}{group.get_absolute_url()}")

    page.get_by_role("link", name=translated("Add member"), exact=True).click()
    fill_member(page, nik=nik, district_code=village.district.code, full_name="Sri Wahyuni")
    page.get_by_role("button", name=translated("Save"), exact=True).click()

    expect(page.locator("#members")).to_contain_text("Sri Wahyuni")
    page.locator("#main-nav").get_by_role("link", name=translated("KSM"), exact=True).click()
    expect(page.locator("#ksm-list")).to_contain_text("KSM Tunas Harapan")

    assert group.created_by == facilitator
    membership = Membership.objects.get(member__nik=nik)
    assert (membership.group, membership.is_active) == (group, True)


def test_the_add_member_form_refuses_an_invalid_nik_next_to_the_field(
    page: Page, live_server, facilitator, ksm
):
    with_password(facilitator)
    members_before = Member.objects.count()

    log_in(page, live_server, facilitator)
    page.goto(f"{live_server.url}{ksm.get_absolute_url()}")
    page.get_by_role("link", name=translated("Add member"), exact=True).click()
    fill_member(
        page, nik="332501520585007", district_code=ksm.village.district.code, full_name="Sri"
    )
    page.get_by_role("button", name=translated("Save"), exact=True).click()

    nik_field = page.locator("#id_nik")
    expect(nik_field).to_have_class(re.compile(r"\bis-invalid\b"))
    feedback = page.locator("#div_id_nik .invalid-feedback")
    expect(feedback).to_have_text(translated("A NIK is exactly 16 digits."))
    expect(nik_field).to_have_value("332501520585007")
    assert Member.objects.count() == members_before


def test_the_ksm_list_fits_a_360_pixel_phone_screen(page: Page, live_server, facilitator, village):
    with_password(facilitator)
    for number in range(1, 31):
        group = SelfHelpGroupFactory(
            village=village, name=f"KSM Perempuan Tani Sejahtera Makmur {number:02d}"
        )
        MembershipFactory(group=group)
    BumdesFactory(village=village)
    page.set_viewport_size({"width": 360, "height": 740})

    log_in(page, live_server, facilitator)
    page.goto(f"{live_server.url}/ksm/")

    expect(page.locator("#ksm-list")).to_be_visible()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 362, f"the KSM list is {scroll_width} px wide on a 360 px screen"


def test_program_staff_open_the_overview_and_see_the_regency_totals(
    page: Page, live_server, staff_user, regency, district, village, ksm
):
    with_password(staff_user)
    MembershipFactory.create_batch(3, group=ksm)
    SelfHelpGroupFactory(village=village, reactivated=True)

    log_in(page, live_server, staff_user)
    page.locator("#main-nav").get_by_role(
        "link", name=translated("Program overview"), exact=True
    ).click()

    expect(page).to_have_url(f"{live_server.url}/overview/{regency.code}/")
    total = page.locator("#overview-total td")
    expect(total.first).to_contain_text(regency.name)
    # Villages, KSM, new, reactivated, active members, BUMDes, cooperatives.
    expect(total).to_have_text([re.compile(".*"), "1", "2", "1", "1", "3", "0", "0"])

    # On a 360 px phone, with a long village name in a second district: the rows stack as
    # cards, the chart shrinks with readable text, and nothing runs off the side.
    far = VillageFactory(
        district=DistrictFactory(regency=regency, code="33.25.09", name="Kandeman"),
        name="Tragung Kidul Wetan Sejahtera Makmur",
    )
    SelfHelpGroupFactory(village=far, reactivated=True)
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()

    chart = page.locator("#chart-ksm-origin")
    image = chart.get_by_role(
        "img", name=translated("KSM newly formed and reactivated by district")
    )
    expect(image).to_be_visible()
    expect(page.locator("#overview")).to_contain_text(far.name)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the overview is {width} px wide on a 360 px screen"
    text_px = image.evaluate("svg => svg.getScreenCTM().a * 12")
    assert text_px >= 11, f"the chart's text is {text_px:.1f} px on a 360 px screen"
    # The chart's figures, as a table: read by screen readers, shown on request and in print.
    table = page.locator("#chart-ksm-origin-table")
    toggle = chart.get_by_text(translated("Show as table"), exact=True)

    def table_width() -> float:
        return chart.locator(".ksm-chart-table").bounding_box()["width"]

    expect(table.locator("tbody tr")).to_have_count(2)
    assert table_width() <= 1
    title = translated("KSM newly formed and reactivated by district")
    expect(chart.get_by_role("table", name=title)).to_have_count(1)  # out of sight, not unread
    toggle.click()
    assert table_width() > 300
    expect(table.locator("tbody tr").first.locator("th, td")).to_have_text(
        [district.name, "1", "1", "2"]
    )
    toggle.click()
    assert table_width() <= 1
    page.emulate_media(media="print")
    assert table_width() > 300
