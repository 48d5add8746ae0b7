"""A second look at an unusual amount: a form sending far more than the book has ever moved
comes back asking "Ya, jumlahnya benar" and posts only once that is ticked."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from finance.forms.unusual import FLOOR, unusual_amount
from finance.models import JournalEntry
from finance.money import rupiah
from finance.services import account_for, cash_receive
from tests.web.support import element, logged_in

pytestmark = pytest.mark.django_db
D = Decimal
DAY = datetime.date(2017, 2, 10)
# Rp 10 trillion less one rupiah: the most one entry may hold (MAX_AMOUNT); 10 trillion
# itself is refused as too large before anything else.
TEN_TRILLION = "9.999.999.999.999"


@pytest.fixture
def client(treasurer):
    return logged_in(treasurer)


@pytest.fixture
def small_group(book):
    """A group holding a few million."""
    cash_receive(
        book=book,
        source="grant",
        amount=6_462_750,
        entry_date=datetime.date(2017, 1, 5),
        description="Hibah modal",
    )
    return book


def open_form(client, url: str) -> tuple[str, str]:
    """The form's address with its token, and the token."""
    page = client.get(url, follow=True)
    assert page.status_code == 200
    return page.wsgi_request.get_full_path(), page.wsgi_request.GET["t"]


def cash_in(client, book, amount: str, **extra):
    address, token = open_form(client, reverse("finance:record", args=[book.pk, "cash-in"]))
    data = {
        "token": token,
        "entry_date": DAY.isoformat(),
        "source": "income_business",
        "amount": amount,
        "description": "Penjualan",
        **extra,
    }
    return address, data, client.post(address, data)


def posted(book) -> int:
    return JournalEntry.objects.filter(book=book, entry_date=DAY).count()


def test_rp_10_trillion_in_a_small_group_asks_to_confirm_and_posts_nothing_yet(client, small_group):
    _address, _data, response = cash_in(client, small_group, TEN_TRILLION)

    assert response.status_code == 200
    warning = element(response, "unusual-amount").text
    assert "Rp 9.999.999.999.999" in warning
    assert "Rp 6.462.750" in warning
    assert "Ya, jumlahnya benar" in warning
    assert posted(small_group) == 0


def test_the_unusual_amount_posts_once_confirmed(client, small_group):
    address, data, first = cash_in(client, small_group, TEN_TRILLION)
    key = first.context["form"].unusual.key

    confirmed = client.post(address, {**data, "confirm_amount": key})

    entry = JournalEntry.objects.get(book=small_group, entry_date=DAY)
    assert confirmed.url == entry.get_absolute_url()
    cash = account_for(small_group, "cash")
    assert entry.lines.get(account=cash).debit == D("9999999999999")


def test_a_confirmation_of_one_amount_does_not_pass_another(client, small_group):
    address, data, first = cash_in(client, small_group, TEN_TRILLION)
    key = first.context["form"].unusual.key

    changed = client.post(address, {**data, "amount": "9.000.000.000.000", "confirm_amount": key})

    assert changed.status_code == 200
    assert "Rp 9.000.000.000.000" in element(changed, "unusual-amount").text
    assert posted(small_group) == 0


def test_a_normal_amount_posts_without_the_extra_step(client, small_group):
    _address, _data, response = cash_in(client, small_group, "750.000")

    assert response.status_code == 302
    assert posted(small_group) == 1


def test_the_general_journal_asks_about_its_total(client, small_group):
    book = small_group
    address, token = open_form(client, reverse("finance:record", args=[book.pk, "general"]))
    cash, grant = account_for(book, "cash"), account_for(book, "grant")
    data = {
        "token": token,
        "entry_date": DAY.isoformat(),
        "description": "Modal",
        "lines-TOTAL_FORMS": "4",
        "lines-INITIAL_FORMS": "0",
        "lines-0-account": cash.pk,
        "lines-0-debit": TEN_TRILLION,
        "lines-1-account": grant.pk,
        "lines-1-credit": TEN_TRILLION,
    }

    response = client.post(address, data)

    assert "Rp 9.999.999.999.999" in element(response, "unusual-amount").text
    assert posted(book) == 0


def test_a_loan_form_asks_too(client, small_group):
    book = small_group
    address, token = open_form(client, reverse("finance:loan_provision", args=[book.pk]))
    data = {"token": token, "entry_date": DAY.isoformat(), "amount": TEN_TRILLION}

    response = client.post(address, data)
    confirmed = client.post(address, {**data, "confirm_amount": "9999999999999.00"})

    assert "Rp 9.999.999.999.999" in element(response, "unusual-amount").text
    assert confirmed.status_code == 302
    assert posted(book) == 1


def test_a_young_book_is_asked_only_above_the_floor(book):
    assert unusual_amount(book, FLOOR) is None
    assert unusual_amount(book, FLOOR + 1) is not None


def test_the_threshold_grows_with_what_the_book_has_moved(book):
    cash_receive(
        book=book,
        source="grant",
        amount=50_000_000,
        entry_date=datetime.date(2017, 1, 5),
        description="Hibah",
    )

    assert unusual_amount(book, D(500_000_000)) is None
    asked = unusual_amount(book, D(500_000_001))
    assert asked is not None
    assert rupiah(D(50_000_000)) in asked.message
