"""A receipt after a savings deposit, a withdrawal or cash received: the figures a member keeps,
on a page to print and as a PDF to share, seen only by those who may see the entry."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from finance.models import JournalEntry
from finance.services import book_open, cash_pay, savings_deposit
from finance.terbilang import terbilang
from tests.groups.factories import (
    MemberFactory,
    MembershipFactory,
    SelfHelpGroupFactory,
    UserFactory,
)
from tests.web.support import element, logged_in, parse, translated

pytestmark = pytest.mark.django_db
DAY = datetime.date(2017, 2, 10)


def page_amount(response, key: str) -> str:
    """A receipt figure as read on the page ("Rp" joined to its figure by a no-break space)."""
    return element(response, key).text.replace("\u00a0", " ").strip()


def record(client, book, form: str, **fields):
    """Fill in a record form with the token its page gives and send it; the entry posted."""
    url = reverse("finance:record", args=[book.pk, form])
    page = parse(client.get(url, follow=True))
    token = next(el for el in page.find_all("input") if el.attrs.get("name") == "token")
    data = {"token": token.attrs["value"], "entry_date": DAY.isoformat(), **fields}
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    return response, JournalEntry.objects.filter(book=book).latest("id")


@pytest.fixture
def client(treasurer):
    return logged_in(treasurer)


@pytest.fixture
def saved(book, saver):
    """The saver holds Rp 400.000 of voluntary savings from January."""
    savings_deposit(
        book=book,
        member=saver,
        savings_type="savings_voluntary",
        amount=400_000,
        entry_date=datetime.date(2017, 1, 5),
    )
    return book


def test_after_a_deposit_the_entry_offers_a_receipt_with_the_amount_in_figures_and_words(
    client, saved, saver, treasurer
):
    treasurer.first_name, treasurer.last_name = "Sri", "Wahyuni"
    treasurer.save()
    result, entry = record(
        client,
        saved,
        "deposit",
        member=saver.pk,
        savings_type="savings_voluntary",
        amount="1.250.000",
    )
    link = parse(result).by_id("receipt-link")
    assert link is not None and link.text.strip() == translated("Print receipt")

    receipt = client.get(link.attrs["href"])

    assert receipt.status_code == 200
    assert page_amount(receipt, "receipt-group") == str(saved)
    assert page_amount(receipt, "receipt-saver") == saver.full_name
    assert page_amount(receipt, "receipt-date") == "10-02-2017"
    assert entry.reference in page_amount(receipt, "receipt-reference")
    assert page_amount(receipt, "receipt-amount") == "Rp 1.250.000"
    assert page_amount(receipt, "receipt-words") == "Satu juta dua ratus lima puluh ribu rupiah"
    assert page_amount(receipt, "receipt-balance") == "Rp 1.650.000"  # 400.000 + 1.250.000
    assert page_amount(receipt, "receipt-treasurer") == "Sri Wahyuni"


def test_a_withdrawal_receipt_shows_the_balance_left_after_it_not_after_later_entries(
    client, saved, saver
):
    _, entry = record(client, saved, "withdrawal", member=saver.pk, amount="150.000")
    savings_deposit(  # a later deposit does not change what the receipt said
        book=saved,
        member=saver,
        savings_type="savings_voluntary",
        amount=1_000,
        entry_date=DAY + datetime.timedelta(days=3),
    )

    receipt = client.get(reverse("finance:entry_receipt", args=[saved.pk, entry.pk]))

    assert page_amount(receipt, "receipt-amount") == "Rp 150.000"
    assert page_amount(receipt, "receipt-words") == "Seratus lima puluh ribu rupiah"
    assert page_amount(receipt, "receipt-balance") == "Rp 250.000"
    assert translated("Paid to") in parse(receipt).by_id("receipt").text


def test_the_receipt_comes_as_a_pdf(client, saved, saver):
    _, entry = record(
        client, saved, "deposit", member=saver.pk, savings_type="savings_voluntary", amount="5000"
    )

    response = client.get(
        reverse("finance:entry_receipt", args=[saved.pk, entry.pk]), {"format": "pdf"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


def test_only_those_who_may_see_the_entry_see_its_receipt(saved, saver, staff_user, village):
    entry = savings_deposit(
        book=saved, member=saver, savings_type="savings_voluntary", amount=5_000, entry_date=DAY
    ).entry
    url = reverse("finance:entry_receipt", args=[saved.pk, entry.pk])
    other = SelfHelpGroupFactory(village=village)
    other_book = book_open(owner=other, opening_date=datetime.date(2017, 1, 1))

    outsider = UserFactory(username="bendahara-lain")
    MembershipFactory(
        group=other, member=MemberFactory(village=village, user=outsider), treasurer=True
    )

    assert logged_in(staff_user).get(url).status_code == 200
    assert logged_in(outsider).get(url).status_code == 404
    assert logged_in(outsider).get(url, {"format": "pdf"}).status_code == 404
    # under another book's address the entry is not found either
    wrong_book = reverse("finance:entry_receipt", args=[other_book.pk, entry.pk])
    assert logged_in(staff_user).get(wrong_book).status_code == 404


def test_an_entry_without_a_receipt_has_no_receipt_page(client, saved):
    entry = cash_pay(
        book=saved, category="expense_other", amount=1_000, entry_date=DAY, description="Fotokopi"
    ).entry

    assert parse(client.get(entry.get_absolute_url())).by_id("receipt-link") is None
    assert (
        client.get(reverse("finance:entry_receipt", args=[saved.pk, entry.pk])).status_code == 404
    )


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (Decimal("0"), "nol rupiah"),
        (Decimal("11"), "sebelas rupiah"),
        (Decimal("1000"), "seribu rupiah"),
        (Decimal("1100"), "seribu seratus rupiah"),
        (Decimal("17500"), "tujuh belas ribu lima ratus rupiah"),
        (Decimal("1000000"), "satu juta rupiah"),
        (Decimal("2000000000"), "dua miliar rupiah"),
        (Decimal("25000.50"), "dua puluh lima ribu rupiah lima puluh sen"),
    ],
)
def test_amounts_in_words_as_a_receipt_writes_them(amount, words):
    assert terbilang(amount) == words
