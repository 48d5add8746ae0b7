"""The bank's own entries, as a treasurer records them: interest paid in, charges taken,
tax withheld on the interest, each on the bank account chosen."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse

from finance.models import Account, JournalEntry
from finance.services import account_for, bank_interest_record, book_open, cash_receive
from tests.groups.factories import SelfHelpGroupFactory
from tests.web.support import element, field_errors, logged_in, parse, translated

pytestmark = pytest.mark.django_db
D = Decimal
DAY = datetime.date(2017, 2, 10)


@pytest.fixture
def client(treasurer):
    return logged_in(treasurer)


def record_url(book, form: str) -> str:
    return reverse("finance:record", args=[book.pk, form])


def send(client, book, form: str, **fields):
    """Open the form as a browser does (following to the address with its token), fill it
    in and send it."""
    url = record_url(book, form)
    page = client.get(url, follow=True)
    assert page.status_code == 200
    token = page.wsgi_request.GET["t"]
    data = {"token": token, "entry_date": DAY.isoformat(), **fields}
    return client.post(page.wsgi_request.get_full_path(), data)


def fund_bank(book, amount=100000) -> None:
    """Interest credited a week earlier: charges and tax come out of money the bank holds."""
    bank_interest_record(
        book=book,
        bank_account=account_for(book, "bank"),
        amount=amount,
        entry_date=DAY - datetime.timedelta(days=7),
    )


def lines_of(entry) -> list[tuple[str, Decimal, Decimal]]:
    return sorted(
        (line.account.name, line.debit, line.credit)
        for line in entry.lines.select_related("account")
    )


def test_bank_interest_is_debited_to_the_bank_and_credited_to_other_income(client, book):
    bank = account_for(book, "bank")

    response = send(client, book, "bank-interest", bank_account=bank.pk, amount="12.500")

    entry = JournalEntry.objects.get(book=book)
    assert response.url == entry.get_absolute_url()
    income = account_for(book, "income_other")
    assert lines_of(entry) == sorted([(bank.name, D(12500), D(0)), (income.name, D(0), D(12500))])
    assert entry.description == f"Bunga bank, {bank.name}"


def test_bank_charges_are_an_expense_taken_from_the_bank(client, book):
    bank = account_for(book, "bank")
    fund_bank(book)

    send(client, book, "bank-charges", bank_account=bank.pk, amount="7500", receipt_ref="RK-02")

    entry = JournalEntry.objects.filter(book=book).latest("pk")
    charges = account_for(book, "expense_bank_charges")
    assert lines_of(entry) == sorted([(charges.name, D(7500), D(0)), (bank.name, D(0), D(7500))])
    assert entry.receipt_ref == "RK-02"


def test_tax_on_bank_interest_is_an_expense_taken_from_the_bank(client, book):
    bank = account_for(book, "bank")
    fund_bank(book)

    send(client, book, "bank-tax", bank_account=bank.pk, amount="2500")

    entry = JournalEntry.objects.filter(book=book).latest("pk")
    tax = account_for(book, "expense_tax")
    assert lines_of(entry) == sorted([(tax.name, D(2500), D(0)), (bank.name, D(0), D(2500))])


def test_an_asset_account_added_by_hand_is_not_offered_as_a_bank(client, book):
    heading = Account.objects.get(book=book, code="1", is_header=True)
    Account.objects.create(
        book=book,
        code="1.09",
        name="Bank BRI",
        type="asset",
        normal_balance="debit",
        parent=heading,
    )

    page = client.get(record_url(book, "bank-interest"), follow=True)

    assert "Bank BRI" not in page.content.decode()
    assert account_for(book, "bank").name in page.content.decode()


def test_an_account_that_is_not_a_bank_is_refused_in_indonesian(client, book):
    cash = account_for(book, "cash")

    response = send(client, book, "bank-charges", bank_account=cash.pk, amount="7500")

    assert response.status_code == 200
    assert field_errors(response, "bank_account") == ["Pilih rekening bank dari pembukuan ini."]
    assert not JournalEntry.objects.filter(book=book).exists()


def test_a_bank_form_without_a_readable_amount_writes_nothing(client, book):
    bank = account_for(book, "bank")

    response = send(client, book, "bank-interest", bank_account=bank.pk, amount="dua ribu")

    assert response.status_code == 200
    assert field_errors(response, "amount") == [
        translated("Write the amount in rupiah, e.g. 25000 or 25.000.")
    ]
    assert not JournalEntry.objects.filter(book=book).exists()


def test_the_service_refuses_another_books_bank_account(book, ksm, village):
    other = book_open(owner=SelfHelpGroupFactory(village=village), opening_date=book.opening_date)

    with pytest.raises(Exception) as refused:
        bank_interest_record(
            book=book, bank_account=account_for(other, "bank"), amount=1000, entry_date=DAY
        )

    assert "bank_account" in refused.value.error_dict
    assert not JournalEntry.objects.filter(book=book).exists()


def test_a_bank_form_sent_twice_posts_once(client, book):
    bank = account_for(book, "bank")
    fund_bank(book)
    url = record_url(book, "bank-charges")
    page = client.get(url, follow=True)
    data = {
        "token": page.wsgi_request.GET["t"],
        "entry_date": DAY.isoformat(),
        "bank_account": bank.pk,
        "amount": "5000",
    }

    client.post(url, data)
    again = client.post(url, data, follow=True)

    assert JournalEntry.objects.filter(book=book).count() == 2  # the funding and one charge
    assert translated("This was already recorded.") in again.content.decode()


def test_the_book_page_links_the_bank_forms(client, book):
    page = client.get(book.get_absolute_url())

    links = element(page, "record-links").hrefs()
    for form in ("bank-interest", "bank-charges", "bank-tax"):
        assert record_url(book, form) in links


def test_cash_received_points_bank_interest_to_its_own_form(client, book):
    page = client.get(record_url(book, "cash-in"), follow=True)

    assert record_url(book, "bank-interest") in element(page, "bank-interest-hint").hrefs()
    assert (
        "bunga bank" not in " ".join(label.text for label in parse(page).find_all("label")).lower()
    )


def test_books_opened_before_the_bank_forms_get_their_accounts(book):
    Account.objects.filter(book=book, role__in=["expense_bank_charges", "expense_tax"]).delete()
    cash_receive(book=book, source="grant", amount=1000, entry_date=DAY, description="Hibah")
    migration = importlib.import_module("finance.migrations.0009_bank_accounts_roles")

    migration.add_accounts(apps, None)

    added = {a.role: a for a in Account.objects.filter(book=book, role__startswith="expense_")}
    assert added["expense_bank_charges"].name == "Beban Administrasi Bank"
    assert added["expense_tax"].parent.code == "5"


def test_bank_charges_beyond_what_the_bank_holds_are_refused(client, book):
    bank = account_for(book, "bank")
    fund_bank(book, amount=5000)

    page = send(client, book, "bank-charges", bank_account=bank.pk, amount="7500")

    assert page.status_code == 200
    assert "kurang Rp\u00a02.500" in " ".join(field_errors(page, "amount"))
    assert JournalEntry.objects.filter(book=book).count() == 1
