"""A treasurer records the monthly meeting of a group of 20 on a 360 px phone: ticks who came,
adjusts what the sheet prefilled, sends it once, and finds it in the cash book and on a
member's loan card.

Like the other journeys, the browser asks for Indonesian and buttons and links are found by
the name the catalogue gives them.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from finance.models import Meeting, MeetingLine
from finance.schedule import add_months
from finance.services import (
    book_open,
    cash_receive,
    loan_apply,
    loan_approve,
    loan_disburse,
    savings_deposit,
)
from groups.models import Member, Membership
from tests.finance.test_journeys import PASSWORD, PHONE, assert_fits_the_phone, log_in
from tests.finance.test_meeting_sheet import add_members, loan_product
from tests.groups.factories import MembershipFactory
from tests.web.support import translated

pytestmark = pytest.mark.browser
D = Decimal


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "id-ID"}


@pytest.fixture
def group_of_20(ksm, treasurer):
    """The treasurer, the chair and 18 members who each paid Rp 10.000 of wajib last month;
    four of them borrowed Rp 1.000.000 last month (flat 2%, Rp 120.000 a month), the first
    instalment falling due today."""
    treasurer.set_password(PASSWORD)
    treasurer.save()
    today = timezone.localdate()
    last_month = add_months(today, -1)
    book = book_open(owner=ksm, opening_date=datetime.date(today.year - 1, 1, 1))
    chair = MembershipFactory(
        group=ksm,
        role=Membership.Role.CHAIR,
        member__full_name="Kartini",
        joined_date=datetime.date(2016, 6, 1),
    ).member
    names = [f"Anggota {n:02d}" for n in range(1, 19)]
    names[:4] = ["Ani Lestari", "Budi Santoso", "Citra Dewi", "Dedi Kurnia"]
    members = add_members(ksm, names)
    cash_receive(
        book=book, source="grant", amount=8_000_000, entry_date=last_month, description="Hibah"
    )
    for member in [Member.objects.get(user=treasurer), chair, *members]:
        savings_deposit(
            book=book,
            member=member,
            savings_type="savings_mandatory",
            amount=10_000,
            entry_date=last_month,
        )
    savings_deposit(
        book=book,
        member=members[4],
        savings_type="savings_voluntary",
        amount=100_000,
        entry_date=last_month,
    )
    product = loan_product(book)
    book.loans_by_name = {}
    for member in members[:4]:
        loan = loan_apply(
            book=book,
            product=product,
            member=member,
            principal=1_000_000,
            term_months=10,
            purpose="Modal usaha",
            applied_date=last_month,
        )
        loan_approve(loan=loan, decided_date=last_month, approved_by_member=chair)
        loan_disburse(loan=loan, disbursed_date=last_month, first_due_date=today)
        book.loans_by_name[member.full_name] = loan
    book.members_by_name = {m.full_name: m for m in members}
    return book


def test_a_treasurer_records_a_meeting_of_20_and_finds_it_in_the_cash_book_and_loan_card(
    page: Page, live_server, treasurer, group_of_20
):
    book = group_of_20
    people = book.members_by_name
    page.set_viewport_size(PHONE)
    log_in(page, live_server, treasurer)
    page.goto(f"{live_server.url}{book.get_absolute_url()}")
    page.get_by_role("link", name=translated("Meeting sheet"), exact=True).click()
    expect(page.locator(".meeting-line")).to_have_count(20)
    assert_fits_the_phone(page)

    def box(name: str, field: str):
        return page.locator(f"#id_m{people[name].pk}-{field}")

    expect(box("Ani Lestari", "mandatory")).to_have_value("10.000")
    expect(box("Ani Lestari", "repayment")).to_have_value("120.000")

    def more(name: str):
        page.locator(f"#line-{people[name].pk} summary").click()

    # Two members stayed home and sent nothing: unticking clears their wajib.
    for name in ("Anggota 17", "Anggota 18"):
        box(name, "present").uncheck()
        expect(box(name, "mandatory")).to_have_value("")
    # Budi pays half his instalment, Anggota 06 brings sukarela, Anggota 05 takes Rp 40.000
    # of her Rp 100.000 out, and Anggota 18 is fined for her absence.
    box("Budi Santoso", "repayment").fill("60.000")
    more("Anggota 06")
    box("Anggota 06", "voluntary_in").fill("Rp 25.000")
    more("Anggota 05")
    box("Anggota 05", "voluntary_out").fill("40.000")
    more("Anggota 18")
    box("Anggota 18", "fine").fill("2000")
    expect(page.locator("#total-present")).to_have_text("18")
    # Wajib 18 x 10.000, instalments 3 x 120.000 + 60.000, sukarela 25.000, a fine of 2.000.
    expect(page.locator("#total-in")).to_have_text("Rp 627.000")
    expect(page.locator("#total-out")).to_have_text("Rp 40.000")
    assert_fits_the_phone(page)

    page.get_by_role("button", name=translated("Record meeting"), exact=True).click()

    meeting = Meeting.objects.get(book=book)
    expect(page).to_have_url(f"{live_server.url}{meeting.get_absolute_url()}")
    expect(page.locator("#meeting-attendance")).to_have_text("18 / 20")
    expect(page.locator("#meeting-in")).to_have_text("Rp 627.000")
    expect(page.locator("#meeting-out")).to_have_text("Rp 40.000")
    assert meeting.total_in == D(627_000) and meeting.total_out == D(40_000)
    assert_fits_the_phone(page)

    # The cash book shows Ani's line of the meeting: wajib and instalment, Rp 130.000.
    ani_entry = MeetingLine.objects.get(meeting=meeting, member=people["Ani Lestari"]).entry
    page.goto(f"{live_server.url}{book.get_absolute_url()}")
    page.get_by_role("link", name=translated("Cash book"), exact=True).click()
    cash_row = page.locator("#ledger tbody tr", has_text=ani_entry.reference)
    expect(cash_row).to_contain_text("130.000")
    expect(cash_row).to_contain_text("Ani Lestari")

    # Ani's loan card shows the instalment: Rp 100.000 principal, Rp 20.000 interest.
    page.goto(f"{live_server.url}{meeting.get_absolute_url()}")
    loan = book.loans_by_name["Ani Lestari"]
    page.locator(f"#meeting-line-{people['Ani Lestari'].pk}").get_by_role(
        "link", name=loan.reference
    ).click()
    expect(page).to_have_url(f"{live_server.url}{loan.get_absolute_url()}")
    card_row = page.locator("#card tbody tr", has_text=ani_entry.reference)
    expect(card_row).to_contain_text("100.000")
    expect(card_row).to_contain_text("20.000")
    expect(page.locator("#position-balance")).to_have_text("Rp 900.000")
    assert_fits_the_phone(page)


def test_unticking_a_member_on_a_phone_clears_their_wajib_and_instalment_and_the_total(
    page: Page, live_server, treasurer, group_of_20
):
    book = group_of_20
    ani = book.members_by_name["Ani Lestari"]
    page.set_viewport_size(PHONE)
    log_in(page, live_server, treasurer)
    page.goto(f"{live_server.url}{reverse('finance:meeting_sheet', args=[book.pk])}")
    expect(page.locator(".meeting-line")).to_have_count(20)
    # Wajib 20 x 10.000 and four instalments of 120.000.
    expect(page.locator("#total-in")).to_have_text("Rp 680.000")

    page.locator(f"#id_m{ani.pk}-present").uncheck()

    expect(page.locator(f"#id_m{ani.pk}-mandatory")).to_have_value("")
    expect(page.locator(f"#id_m{ani.pk}-repayment")).to_have_value("")
    expect(page.locator("#total-in")).to_have_text("Rp 550.000")
    expect(page.locator("#total-present")).to_have_text("19")
    assert_fits_the_phone(page)

    # Her neighbour brought her wajib: titip brings the prefilled amounts back.
    page.locator(f"#id_m{ani.pk}-paid_for").check()
    expect(page.locator(f"#id_m{ani.pk}-mandatory")).to_have_value("10.000")
    page.locator(f"#id_m{ani.pk}-repayment").fill("")
    expect(page.locator("#total-in")).to_have_text("Rp 560.000")

    # Amounts show their thousands dots as they are typed.
    page.locator(f"#id_m{ani.pk}-mandatory").fill("")
    page.locator(f"#id_m{ani.pk}-mandatory").press_sequentially("25000", delay=10)
    expect(page.locator(f"#id_m{ani.pk}-mandatory")).to_have_value("25.000")
    expect(page.locator("#total-in")).to_have_text("Rp 575.000")
    assert_fits_the_phone(page)

    page.get_by_role("button", name=translated("Record meeting"), exact=True).click()

    meeting = Meeting.objects.get(book=book)
    expect(page).to_have_url(f"{live_server.url}{meeting.get_absolute_url()}")
    assert meeting.total_in == D(575_000) and meeting.present_count == 19
    line = MeetingLine.objects.get(meeting=meeting, member=ani)
    assert (line.present, line.paid_for, line.mandatory, line.repayment) == (
        False,
        True,
        D(25_000),
        D(0),
    )
