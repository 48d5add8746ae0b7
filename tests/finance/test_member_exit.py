"""A member leaves: pokok, wajib and sukarela settled in one entry with ending the membership,
paid out, set against a loan, or not enough to clear the loan (which stays open); the preview,
the printable settlement and a double submit."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from finance import tokens
from finance.models import EntryKind, JournalEntry, Loan, MemberBalance
from finance.services import cash_pay, cash_receive, savings_deposit
from finance.services.exit import exit_settlement, member_exit
from groups.models import Membership
from tests.finance.test_meeting_sheet import lend, loan_product
from tests.web.support import element, logged_in, parse

pytestmark = pytest.mark.django_db
D = Decimal
JAN_2 = datetime.date(2017, 1, 2)
LEAVES = datetime.date(2017, 1, 20)


@pytest.fixture
def saved(book, saver):
    """The KSM holds Rp 5.000.000 in cash; the saver has pokok Rp 100.000, wajib Rp 300.000
    and sukarela Rp 50.000."""
    cash_receive(book=book, source="grant", amount=5_000_000, entry_date=JAN_2, description="Hibah")
    for role, amount in (
        ("savings_principal", 100_000),
        ("savings_mandatory", 300_000),
        ("savings_voluntary", 50_000),
    ):
        savings_deposit(book=book, member=saver, savings_type=role, amount=amount, entry_date=JAN_2)
    book.membership = Membership.objects.get(group=book.group, member=saver)
    return book


def entry_lines(entry) -> list[tuple[str, Decimal, Decimal]]:
    return sorted(
        (line.account.role, line.debit, line.credit)
        for line in entry.lines.select_related("account")
    )


def balances(book, member) -> set[Decimal]:
    return {row.balance for row in MemberBalance.objects.filter(book=book, member=member)}


def test_a_leaving_member_is_paid_out_their_savings_in_one_entry(saved, saver):
    settled = member_exit(book=saved, membership=saved.membership, left_date=LEAVES)

    entry = settled.posted.entry
    assert entry.kind == EntryKind.MEMBER_EXIT
    assert entry_lines(entry) == [
        ("cash", D(0), D(450_000)),
        ("savings_mandatory", D(300_000), D(0)),
        ("savings_principal", D(100_000), D(0)),
        ("savings_voluntary", D(50_000), D(0)),
    ]
    assert balances(saved, saver) == {D(0)}
    saved.membership.refresh_from_db()
    assert saved.membership.left_date == LEAVES


def test_a_leaving_members_savings_pay_their_loan_off_first(saved, saver, chair):
    loan = lend(saved, saver, chair, loan_product(saved), amount=300_000, disbursed=JAN_2)

    preview = exit_settlement(book=saved, membership=saved.membership, left_date=LEAVES)
    assert (preview.set_against, preview.payout, preview.still_owed) == (
        D(306_000),
        D(144_000),
        D(0),
    )
    settled = member_exit(
        book=saved, membership=saved.membership, left_date=LEAVES, payout_to="cash"
    )

    assert entry_lines(settled.posted.entry) == [
        ("cash", D(0), D(144_000)),
        ("income_interest", D(0), D(6_000)),
        ("loans_receivable", D(0), D(300_000)),
        ("savings_mandatory", D(300_000), D(0)),
        ("savings_principal", D(100_000), D(0)),
        ("savings_voluntary", D(50_000), D(0)),
    ]
    loan.refresh_from_db()
    assert loan.status == Loan.Status.PAID and loan.balance == 0
    assert balances(saved, saver) == {D(0)}


def test_a_member_who_owes_more_than_they_saved_leaves_the_rest_owed_on_an_open_loan(
    saved, saver, chair
):
    loan = lend(saved, saver, chair, loan_product(saved), amount=1_000_000, disbursed=JAN_2)

    settled = member_exit(book=saved, membership=saved.membership, left_date=LEAVES)

    assert settled.settlement.payout == 0
    assert settled.settlement.still_owed == D(570_000)
    assert entry_lines(settled.posted.entry) == [
        ("income_interest", D(0), D(20_000)),
        ("loans_receivable", D(0), D(430_000)),
        ("savings_mandatory", D(300_000), D(0)),
        ("savings_principal", D(100_000), D(0)),
        ("savings_voluntary", D(50_000), D(0)),
    ]
    loan.refresh_from_db()
    assert loan.status == Loan.Status.ACTIVE and loan.balance == D(570_000)
    savings = MemberBalance.objects.filter(
        book=saved, member=saver, account__role__startswith="savings"
    )
    assert {row.balance for row in savings} == {D(0)}


def test_a_payout_beyond_the_cash_is_refused_and_the_membership_stays(book, saver):
    savings_deposit(
        book=book,
        member=saver,
        savings_type="savings_voluntary",
        amount=50_000,
        entry_date=JAN_2,
    )
    before = JournalEntry.objects.filter(book=book).count()
    membership = Membership.objects.get(group=book.group, member=saver)
    cash_pay(
        book=book,
        category="expense_admin",
        amount=40_000,
        entry_date=JAN_2,
        description="ATK",
    )

    with pytest.raises(ValidationError) as caught:
        member_exit(book=book, membership=membership, left_date=LEAVES)

    assert "Rp\u00a010.000" in caught.value.message_dict["payout_to"][0]
    assert JournalEntry.objects.filter(book=book).count() == before + 1
    membership.refresh_from_db()
    assert membership.left_date is None


def test_the_exit_form_sent_twice_posts_once_and_shows_the_printable_settlement(
    saved, saver, treasurer
):
    client = logged_in(treasurer)
    url = reverse("finance:member_exit", args=[saved.pk, saver.pk])
    first = client.get(f"{url}?date={LEAVES.isoformat()}")
    assert first.status_code == 302
    page = client.get(first["Location"])
    assert element(page, "exit-payout").text == "Rp 450.000"
    (token,) = [
        box.attrs["value"]
        for box in element(page, "exit-form").find_all("input")
        if box.attrs.get("name") == "token"
    ]
    data = {"token": token, "entry_date": LEAVES.isoformat(), "payout_to": "cash"}

    posted = client.post(url, data, follow=True)
    again = client.post(url, data, follow=True)

    entries = JournalEntry.objects.filter(book=saved, kind=EntryKind.MEMBER_EXIT)
    assert entries.count() == 1
    assert entries.get() == tokens.token_entry(saved, tokens.token_key(saved, token))
    assert posted.redirect_chain[-1][0] == again.redirect_chain[-1][0]
    assert element(again, "settlement-payout").text == "Rp 450.000"
    signatures = element(again, "settlement-signatures").text
    assert saver.full_name in signatures


def test_the_printable_settlement_is_a_pdf(saved, treasurer):
    settled = member_exit(book=saved, membership=saved.membership, left_date=LEAVES)
    client = logged_in(treasurer)
    url = reverse("finance:exit_settlement", args=[saved.pk, settled.posted.entry.pk])

    response = client.get(f"{url}?format=pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_passbook_offers_the_exit_to_the_treasurer_and_not_to_the_facilitator(
    saved, saver, treasurer, facilitator
):
    url = reverse("finance:passbook", args=[saved.pk, saver.pk])
    exit_url = reverse("finance:member_exit", args=[saved.pk, saver.pk])

    link = element(logged_in(treasurer).get(url), "member-exit-link")
    assert link.attrs["href"] == exit_url
    as_facilitator = logged_in(facilitator)
    assert parse(as_facilitator.get(url)).by_id("member-exit-link") is None
    assert as_facilitator.post(exit_url, {}).status_code == 403
    assert not JournalEntry.objects.filter(kind=EntryKind.MEMBER_EXIT).exists()
