"""Bringing a kecamatan in, in Chromium: a facilitator imports a members file and gives a
treasurer a login; the treasurer activates it on a 360 px phone and posts a deposit."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from finance.models import JournalEntry
from finance.services import book_open, savings_deposit
from groups.models import Membership
from imports.models import ImportBatch
from tests.groups.factories import MembershipFactory, SelfHelpGroupFactory
from tests.imports.conftest import MEMBER_HEADERS, member_row, xlsx
from tests.web.support import translated

pytestmark = pytest.mark.browser

PASSWORD = "pendamping-batang-1"
PHONE = {"width": 360, "height": 740}


def log_in(page: Page, live_server, user, password=PASSWORD) -> None:
    page.goto(f"{live_server.url}/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name=translated("Log in"), exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/")


@pytest.fixture
def facilitator_with_password(facilitator):
    facilitator.set_password(PASSWORD)
    facilitator.save()
    return facilitator


def test_a_facilitator_imports_members_with_one_bad_row_fixes_the_file_and_imports_it(
    page: Page, live_server, facilitator_with_password, ksm, tmp_path
):
    rows = [member_row(ksm, 1, role="Ketua"), member_row(ksm, 2, role="Bendahara")]
    rows += [member_row(ksm, n) for n in range(3, 9)]
    bad = [list(row) for row in rows]
    bad[4][2] = "33250112"  # line 6: a NIK cut short
    bad_file = tmp_path / "anggota-desa.xlsx"
    bad_file.write_bytes(xlsx(bad, MEMBER_HEADERS))

    log_in(page, live_server, facilitator_with_password)
    page.locator("#main-nav").get_by_role("link", name=translated("Import"), exact=True).click()
    page.locator("input[name=kind][value=members]").check()
    page.locator("input[name=file]").set_input_files(bad_file)
    page.get_by_role("button", name=translated("Upload and check"), exact=True).click()

    # The progress bar runs the check, then the preview shows the one bad row.
    problem = page.locator("#import-rows tbody tr[data-line='6']")
    expect(problem).to_contain_text(translated("A NIK is exactly 16 digits."))
    expect(page.locator("#import-rows tbody tr")).to_have_count(1)
    expect(page.get_by_role("button", name=translated("Import now"), exact=True)).to_have_count(0)
    assert not Membership.objects.filter(group=ksm).exists()

    fixed_file = tmp_path / "anggota-desa-betul.xlsx"
    fixed_file.write_bytes(xlsx(rows, MEMBER_HEADERS))
    page.get_by_role("link", name=translated("Upload the corrected file"), exact=True).click()
    page.locator("input[name=kind][value=members]").check()
    page.locator("input[name=file]").set_input_files(fixed_file)
    page.get_by_role("button", name=translated("Upload and check"), exact=True).click()
    page.get_by_role("button", name=translated("Import now"), exact=True).click()

    expect(page.locator("#import-counts")).to_contain_text("8")
    batch = ImportBatch.objects.get(file_name="anggota-desa-betul.xlsx")
    expect(page).to_have_url(f"{live_server.url}{batch.get_absolute_url()}")
    active = Membership.objects.active().filter(group=ksm)
    assert active.count() == 8
    assert active.get(role=Membership.Role.TREASURER).member.nik == rows[1][2]


def test_a_facilitator_gives_the_treasurer_a_login_and_the_treasurer_posts_from_a_phone(
    page: Page, browser, live_server, facilitator_with_password, ksm
):
    treasurer = MembershipFactory(
        group=ksm, role=Membership.Role.TREASURER, member__full_name="Sri Rahayu"
    ).member
    saver = MembershipFactory(group=ksm, member__full_name="Siti Aminah").member
    book = book_open(owner=ksm, opening_date=datetime.date(timezone.localdate().year - 1, 1, 1))

    log_in(page, live_server, facilitator_with_password)
    page.goto(f"{live_server.url}{ksm.get_absolute_url()}")
    page.get_by_role("link", name=translated("Give a login"), exact=True).click()
    page.get_by_role("button", name=translated("Make the login"), exact=True).click()
    username = page.locator("#slip-username").inner_text().strip()
    code = page.locator("#slip-code").inner_text().strip()
    treasurer.refresh_from_db()
    assert treasurer.user.username == username

    phone = browser.new_context(viewport=PHONE, locale="id-ID")
    officer = phone.new_page()
    officer.goto(f"{live_server.url}/login/")
    officer.get_by_role("link", name=translated("Activate your login"), exact=True).click()
    officer.locator("#id_username").fill(username)
    officer.locator("#id_code").fill(code)
    officer.locator("#id_password1").fill("kas-sumber-rejeki-9")
    officer.locator("#id_password2").fill("kas-sumber-rejeki-9")
    officer.get_by_role("button", name=translated("Activate and log in"), exact=True).click()
    expect(officer).to_have_url(f"{live_server.url}/")

    officer.get_by_role("link", name=translated("Books"), exact=True).click()
    officer.get_by_role("link", name=translated("Savings deposit"), exact=True).click()
    officer.locator("#id_member").select_option(str(saver.pk))
    officer.locator("input[name=savings_type][value=savings_mandatory]").check()
    officer.locator("#id_amount").fill("25.000")
    officer.locator("#id_receipt_ref").fill("KW-001")
    officer.get_by_role("button", name=translated("Record"), exact=True).click()
    entry = JournalEntry.objects.get(book=book)
    expect(officer).to_have_url(f"{live_server.url}{entry.get_absolute_url()}")
    width = officer.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 2
    assert entry.posted_by == treasurer.user

    # The facilitator's KSM page now shows the login as used.
    page.reload()
    expect(page.locator("body")).to_contain_text(username)
    expect(page.locator("body")).not_to_contain_text(translated("not activated yet"))
    phone.close()


def test_a_facilitator_opens_the_dashboard_on_a_phone_and_taps_a_figure_to_its_list(
    browser, live_server, facilitator_with_password, ksm, village
):
    dormant = SelfHelpGroupFactory(village=village, name="KSM Sepi", status="dormant")
    book = book_open(owner=ksm, opening_date=timezone.localdate().replace(day=1))
    savings_deposit(  # a long amount: its figure and its change must still fit the phone
        book=book,
        member=MembershipFactory(group=ksm).member,
        savings_type="savings_voluntary",
        amount=123_456_789,
        entry_date=timezone.localdate().replace(day=1),
    )
    phone = browser.new_context(viewport=PHONE, locale="id-ID")
    page = phone.new_page()
    log_in(page, live_server, facilitator_with_password)
    page.locator("main").get_by_role("link", name=translated("Dashboard"), exact=True).click()
    expect(page.locator("#figure-ksm_dormant-value")).to_have_text("1")
    expect(page.locator("#figure-ksm_active-value")).to_have_text("1")
    expect(page.locator("#figure-savings_voluntary-change")).to_contain_text("+Rp 123.456.789")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 2
    page.locator("#figure-ksm_dormant-value a").click()
    expect(page).to_have_url(re.compile(r"/ksm/\?.*status=dormant"))
    expect(page.locator("main")).to_contain_text(dormant.name)
    expect(page.locator("main")).not_to_contain_text(ksm.name)
    phone.close()
