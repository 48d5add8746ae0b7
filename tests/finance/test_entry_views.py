"""The treasurer forms, the journal, entry pages and reversals, as users meet them."""

import datetime
from decimal import Decimal

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import ADMINISTRATORS
from finance import tokens
from finance.models import Book, JournalEntry, JournalLine
from finance.services import (
    account_for,
    bank_transfer,
    book_open,
    cash_pay,
    cash_receive,
    entry_reverse,
    savings_deposit,
)
from tests.groups.factories import MembershipFactory, SelfHelpGroupFactory, UserFactory
from tests.villages.factories import BumdesFactory
from tests.web.support import element, field_errors, logged_in, non_field_errors, parse, translated

pytestmark = pytest.mark.django_db
D = Decimal
DAY = datetime.date(2017, 2, 10)


# --- Helpers ----------------------------------------------------------------------------------


@pytest.fixture
def client(treasurer):
    """In this module the client is the treasurer's logged-in browser."""
    return logged_in(treasurer)


@pytest.fixture
def other_book(other_village):
    """The books of a KSM in a village nobody here looks after, with one member."""
    group = SelfHelpGroupFactory(village=other_village)
    book = book_open(owner=group, opening_date=datetime.date(2017, 1, 1))
    book.member = MembershipFactory(group=group).member
    return book


def record_url(book, form: str) -> str:
    return reverse("finance:record", args=[book.pk, form])


def token_in(response) -> str:
    """The one-time token a form page carries, as a browser would send it back."""
    field = next(el for el in parse(response).find_all("input") if el.attrs.get("name") == "token")
    return field.attrs["value"]


def page_token(client, url: str) -> str:
    response = client.get(url, follow=True)
    assert response.status_code == 200
    return token_in(response)


def submit(client, book, form: str, **fields):
    """Fill in a record form as the page gives it (with its token) and send it."""
    url = record_url(book, form)
    data = {"token": page_token(client, url), "entry_date": DAY.isoformat(), **fields}
    return client.post(url, {k: v for k, v in data.items() if v is not None})


def posted_lines(entry) -> dict:
    """{(account role, member id): (debit, credit)}"""
    return {
        (line.account.role, line.member_id): (line.debit, line.credit)
        for line in entry.lines.select_related("account")
    }


def only_entry(book, *, besides: tuple = ()) -> JournalEntry:
    entries = list(JournalEntry.objects.filter(book=book).exclude(pk__in=besides))
    assert len(entries) == 1, f"{len(entries)} entries posted"
    return entries[0]


def fund(book) -> tuple:
    """Money in the cash box and the bank before the tests pay out of them (nothing may go
    below zero); the funding entries' ids."""
    day = datetime.date(2017, 1, 2)
    grant = cash_receive(
        book=book, source="grant", amount=2_000_000, entry_date=day, description="Hibah"
    )
    bank = bank_transfer(
        book=book, direction="to_bank", amount=1_000_000, entry_date=day, description="Setor"
    )
    return (grant.entry.pk, bank.entry.pk)


def general_lines(*lines) -> dict:
    """Management form and line fields of the general journal formset."""
    data = {"lines-TOTAL_FORMS": "4", "lines-INITIAL_FORMS": "0"}
    for index, line in enumerate(lines):
        for name, value in line.items():
            data[f"lines-{index}-{name}"] = value
    return data


# --- Each form posts the right balanced entry -------------------------------------------------


def test_cash_received_debits_cash_and_credits_the_chosen_income(client, book, treasurer):
    response = submit(
        client,
        book,
        "cash-in",
        source="income_business",
        amount="150.000",
        description="Penjualan keripik",
        receipt_ref="K-07",
    )

    entry = only_entry(book)
    assert response.status_code == 302
    assert response.url == reverse("finance:entry", args=[book.pk, entry.pk])
    assert posted_lines(entry) == {
        ("cash", None): (D("150000"), D("0")),
        ("income_business", None): (D("0"), D("150000")),
    }
    assert (entry.kind, entry.entry_date, entry.receipt_ref) == ("cash_in", DAY, "K-07")
    assert entry.description == "Penjualan keripik"
    assert entry.posted_by == treasurer


def test_cash_paid_debits_the_expense_category_and_credits_cash(client, book):
    funding = fund(book)
    submit(
        client,
        book,
        "cash-out",
        category="expense_meeting",
        amount="Rp 75.000",
        description="Snack rapat bulanan",
    )

    entry = only_entry(book, besides=funding)
    assert entry.kind == "cash_out"
    assert posted_lines(entry) == {
        ("expense_meeting", None): (D("75000"), D("0")),
        ("cash", None): (D("0"), D("75000")),
    }


def test_a_wajib_deposit_debits_cash_and_credits_the_members_compulsory_savings(
    client, book, saver
):
    submit(
        client, book, "deposit", member=saver.pk, savings_type="savings_mandatory", amount="25000"
    )

    entry = only_entry(book)
    assert entry.kind == "savings_deposit"
    assert posted_lines(entry) == {
        ("cash", None): (D("25000"), D("0")),
        ("savings_mandatory", saver.pk): (D("0"), D("25000")),
    }
    assert saver.full_name in entry.description


def test_a_withdrawal_debits_the_members_voluntary_savings_and_credits_cash(client, book, saver):
    savings_deposit(
        book=book, member=saver, savings_type="savings_voluntary", amount=100000, entry_date=DAY
    )

    page = client.get(record_url(book, "withdrawal"), follow=True)
    submit(client, book, "withdrawal", member=saver.pk, amount="40.000")

    options = [el.text for el in element(page, "id_member").find_all("option")]
    assert f"{saver.full_name} · Rp 100.000" in options
    entry = JournalEntry.objects.get(book=book, kind="savings_withdrawal")
    assert posted_lines(entry) == {
        ("savings_voluntary", saver.pk): (D("40000"), D("0")),
        ("cash", None): (D("0"), D("40000")),
    }


@pytest.mark.parametrize(
    ("direction", "debited", "credited"),
    [("to_bank", "bank", "cash"), ("from_bank", "cash", "bank")],
)
def test_cash_and_bank_moves_money_the_chosen_way(client, book, direction, debited, credited):
    funding = fund(book)
    submit(client, book, "bank", direction=direction, amount="500000", description="Setor/tarik")

    assert posted_lines(only_entry(book, besides=funding)) == {
        (debited, None): (D("500000"), D("0")),
        (credited, None): (D("0"), D("500000")),
    }


def test_a_general_journal_posts_its_lines_as_written(client, book, saver):
    funding = fund(book)
    cash, loans = account_for(book, "cash"), account_for(book, "loans_receivable")
    data = general_lines(
        {"account": loans.pk, "member": saver.pk, "debit": "300.000"},
        {"account": cash.pk, "credit": "300000"},
    )

    response = submit(client, book, "general", description="Pinjaman anggota", **data)

    entry = only_entry(book, besides=funding)
    assert response.status_code == 302
    assert entry.kind == "general"
    assert posted_lines(entry) == {
        ("loans_receivable", saver.pk): (D("300000"), D("0")),
        ("cash", None): (D("0"), D("300000")),
    }


@pytest.mark.parametrize("typed", ["25000", "25.000", "Rp 25.000", "Rp. 25.000,-", "rp25000"])
def test_amounts_are_read_as_indonesians_write_them(client, book, typed):
    submit(client, book, "cash-in", source="grant", amount=typed, description="Hibah")

    assert posted_lines(only_entry(book))[("grant", None)] == (D("0"), D("25000"))


# --- Bad input: a clear message on the right field, nothing written ---------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "The amount must be more than zero."),
        ("-5000", "The amount must be more than zero."),
        ("Rp -5.000", "The amount must be more than zero."),
        ("dua puluh ribu", "Write the amount in rupiah, e.g. 25000 or 25.000."),
        ("25.5", "Write the amount in rupiah, e.g. 25000 or 25.000."),
        ("25,000", "Write the amount in rupiah, e.g. 25000 or 25.000."),
        ("12345678901234567", "This amount is too large."),
        ("", "This field is required."),
    ],
)
def test_bad_amounts_are_refused_on_the_amount_field(client, book, typed, message):
    response = submit(client, book, "cash-in", source="grant", amount=typed, description="Hibah")

    assert response.status_code == 200
    assert field_errors(response, "amount") == [translated(message)]
    assert not JournalEntry.objects.exists()


def test_a_date_in_the_future_is_refused_on_the_date_field(client, book):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = submit(
        client,
        book,
        "cash-in",
        source="grant",
        amount="1000",
        description="Hibah",
        entry_date=tomorrow.isoformat(),
    )

    assert field_errors(response, "entry_date") == [translated("This date is in the future.")]
    assert not JournalEntry.objects.exists()


def test_a_date_before_the_books_opened_is_refused_on_the_date_field(client, book):
    response = submit(
        client,
        book,
        "cash-out",
        category="expense_admin",
        amount="1000",
        description="ATK",
        entry_date="2016-12-31",
    )

    [message] = field_errors(response, "entry_date")
    assert "01-01-2017" in message
    assert not JournalEntry.objects.exists()


def test_a_date_in_a_closed_month_is_refused_on_the_date_field(client, book):
    Book.objects.filter(pk=book.pk).update(closed_through=datetime.date(2017, 2, 28))

    response = submit(client, book, "cash-in", source="grant", amount="1000", description="Hibah")

    [message] = field_errors(response, "entry_date")
    assert "28-02-2017" in message
    assert not JournalEntry.objects.exists()


def test_an_unbalanced_general_journal_is_refused(client, book):
    cash, income = account_for(book, "cash"), account_for(book, "income_other")
    data = general_lines(
        {"account": cash.pk, "debit": "10000"}, {"account": income.pk, "credit": "9000"}
    )

    response = submit(client, book, "general", description="Bunga bank", **data)

    assert response.status_code == 200
    errors = element(response, "lines-errors").text
    assert "Rp 10.000" in errors and "Rp 9.000" in errors
    assert not JournalEntry.objects.exists()


def test_a_general_journal_needs_two_lines(client, book):
    data = general_lines({"account": account_for(book, "cash").pk, "debit": "10000"})

    response = submit(client, book, "general", description="Satu baris", **data)

    assert list(response.context["form"].lines.non_form_errors()) == [
        translated("A journal entry needs at least two lines.")
    ]
    assert not JournalEntry.objects.exists()


def test_a_general_journal_line_with_both_debit_and_credit_is_refused_on_that_line(client, book):
    cash, income = account_for(book, "cash"), account_for(book, "income_other")
    data = general_lines(
        {"account": cash.pk, "debit": "5000", "credit": "5000"},
        {"account": income.pk, "credit": "5000"},
    )

    response = submit(client, book, "general", description="Salah", **data)

    line = response.context["form"].lines.forms[0]
    assert line.errors["credit"] == [translated("A line is either a debit or a credit, not both.")]
    assert not JournalEntry.objects.exists()


def test_an_account_of_another_book_is_refused_in_the_general_journal(client, book, other_book):
    foreign_cash = account_for(other_book, "cash")
    data = general_lines(
        {"account": foreign_cash.pk, "debit": "10000"},
        {"account": account_for(book, "income_other").pk, "credit": "10000"},
    )

    response = submit(client, book, "general", description="Akun lain", **data)

    line = response.context["form"].lines.forms[0]
    assert line.errors["account"] == [translated("Choose an account of these books.")]
    assert not JournalEntry.objects.exists()


def test_a_savings_line_in_the_general_journal_must_name_the_member(client, book):
    data = general_lines(
        {"account": account_for(book, "cash").pk, "debit": "10000"},
        {"account": account_for(book, "savings_voluntary").pk, "credit": "10000"},
    )

    response = submit(client, book, "general", description="Tanpa anggota", **data)

    line = response.context["form"].lines.forms[1]
    assert line.errors["member"] == [translated("Choose the member whose savings or loan this is.")]
    assert not JournalEntry.objects.exists()


def test_a_member_not_in_the_group_is_refused_on_the_member_field(client, book, other_book):
    response = submit(
        client,
        book,
        "deposit",
        member=other_book.member.pk,
        savings_type="savings_mandatory",
        amount="25000",
    )

    assert field_errors(response, "member") == [translated("Choose an active member of this KSM.")]
    assert not JournalEntry.objects.exists()


def test_a_member_who_left_the_group_cannot_deposit(client, book, ksm):
    gone = MembershipFactory(group=ksm, ended=True).member

    response = submit(
        client, book, "deposit", member=gone.pk, savings_type="savings_mandatory", amount="25000"
    )

    assert field_errors(response, "member") == [translated("Choose an active member of this KSM.")]
    assert not JournalEntry.objects.exists()


def test_a_withdrawal_beyond_the_voluntary_balance_is_refused_on_the_amount(client, book, saver):
    savings_deposit(
        book=book, member=saver, savings_type="savings_voluntary", amount=30000, entry_date=DAY
    )

    response = submit(client, book, "withdrawal", member=saver.pk, amount="30.001")

    [message] = field_errors(response, "amount")
    assert "Rp\u00a030.000" in message and saver.full_name in message
    assert JournalEntry.objects.filter(kind="savings_withdrawal").count() == 0


# --- The one-time token -----------------------------------------------------------------------


def test_the_same_form_sent_twice_posts_once_and_shows_the_entry_already_posted(
    client, book, saver
):
    url = record_url(book, "deposit")
    data = {
        "token": page_token(client, url),
        "member": saver.pk,
        "savings_type": "savings_mandatory",
        "amount": "25000",
        "entry_date": DAY.isoformat(),
    }

    first = client.post(url, data)
    second = client.post(url, data, follow=True)

    entry = only_entry(book)
    assert first.url == entry.get_absolute_url()
    assert second.redirect_chain == [(entry.get_absolute_url(), 302)]
    assert translated("This was already recorded.") in second.content.decode()


def test_a_resent_withdrawal_shows_its_entry_even_though_the_balance_is_now_spent(
    client, book, saver
):
    savings_deposit(
        book=book, member=saver, savings_type="savings_voluntary", amount=50000, entry_date=DAY
    )
    url = record_url(book, "withdrawal")
    data = {
        "token": page_token(client, url),
        "member": saver.pk,
        "amount": "50000",
        "entry_date": DAY.isoformat(),
    }

    client.post(url, data)
    again = client.post(url, data)

    withdrawal = JournalEntry.objects.get(kind="savings_withdrawal")
    assert again.url == withdrawal.get_absolute_url()


def test_a_form_page_carries_its_token_in_its_address(client, book, saver):
    response = client.get(record_url(book, "deposit") + f"?member={saver.pk}")

    page_url = response.url
    assert response.status_code == 302
    assert page_url.startswith(record_url(book, "deposit") + f"?member={saver.pk}&t=")
    page = client.get(page_url)
    assert token_in(page) == page.wsgi_request.GET["t"]
    assert page.context["form"]["member"].value() == str(saver.pk)


def test_a_forged_token_in_the_address_is_replaced_by_a_fresh_one(client, book):
    response = client.get(record_url(book, "cash-in") + "?t=forged")

    assert response.status_code == 302
    fresh = client.get(response.url).wsgi_request.GET["t"]
    assert fresh != "forged"
    assert tokens.token_key(book, fresh)


def test_going_back_to_a_sent_form_says_so_and_sending_it_again_posts_nothing(client, book):
    page_url = client.get(record_url(book, "cash-in")).url
    token = client.get(page_url).wsgi_request.GET["t"]
    data = {"token": token, "source": "grant", "amount": "1000", "description": "Hibah"}
    client.post(page_url, {**data, "entry_date": DAY.isoformat()})
    entry = only_entry(book)

    back = client.get(page_url)
    again = client.post(page_url, {**data, "entry_date": DAY.isoformat()})

    notice = element(back, "form-used")
    assert entry.reference in notice.text
    assert entry.get_absolute_url() in notice.hrefs()
    assert record_url(book, "cash-in") in notice.hrefs()
    assert token_in(back) == token
    assert again.url == entry.get_absolute_url()
    assert JournalEntry.objects.count() == 1


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        "eyJib29rIjoxfQ:forged:signature",
        tokens.SALT,
    ],
)
def test_a_missing_or_forged_token_is_refused_and_nothing_is_posted(client, book, token):
    data = {
        "source": "grant",
        "amount": "1000",
        "description": "Hibah",
        "entry_date": DAY.isoformat(),
    }
    if token is not None:
        data["token"] = token

    response = client.post(record_url(book, "cash-in"), data)

    assert response.status_code == 200
    [message] = non_field_errors(response)
    assert message in {translated(str(tokens.MISSING)), translated(str(tokens.REFUSED))}
    assert not JournalEntry.objects.exists()


def test_a_token_signed_with_another_salt_is_refused(client, book):
    forged = signing.dumps({"book": book.pk, "nonce": "0" * 32}, salt="something.else")

    response = submit(client, book, "cash-in", source="grant", amount="1000", description="Hibah")
    assert response.status_code == 302  # the page's own token works
    response = client.post(
        record_url(book, "cash-in"),
        {
            "token": forged,
            "source": "grant",
            "amount": "1000",
            "description": "x",
            "entry_date": DAY.isoformat(),
        },
    )

    assert non_field_errors(response) == [translated(str(tokens.REFUSED))]
    assert JournalEntry.objects.count() == 1


def test_a_token_of_another_book_is_refused_and_nothing_is_posted(staff_user, book, other_book):
    client = logged_in(staff_user)
    foreign = page_token(client, record_url(other_book, "cash-in"))

    response = client.post(
        record_url(book, "cash-in"),
        {
            "token": foreign,
            "source": "grant",
            "amount": "1000",
            "description": "Hibah",
            "entry_date": DAY.isoformat(),
        },
    )

    assert non_field_errors(response) == [translated(str(tokens.REFUSED))]
    assert not JournalEntry.objects.exists()


def test_a_refused_form_comes_back_with_a_fresh_token_that_works(client, book):
    url = record_url(book, "cash-in")
    data = {"source": "grant", "amount": "1000", "description": "Hibah", "entry_date": "2017-02-10"}

    refused = client.post(url, {**data, "token": "forged"})
    fresh = token_in(refused)
    accepted = client.post(url, {**data, "token": fresh})

    assert accepted.status_code == 302
    assert only_entry(book).description == "Hibah"


def test_a_form_with_an_error_keeps_its_token_so_the_correction_posts_once(client, book):
    url = record_url(book, "cash-in")
    token = page_token(client, url)
    data = {"token": token, "source": "grant", "description": "Hibah", "entry_date": "2017-02-10"}

    wrong = client.post(url, {**data, "amount": "abc"})
    client.post(url, {**data, "amount": "1000"})
    client.post(url, {**data, "amount": "1000"})

    assert token_in(wrong) == token
    assert only_entry(book).lines.count() == 2


# --- Who may record and read ------------------------------------------------------------------


@pytest.mark.parametrize(
    "form", ["cash-in", "cash-out", "deposit", "withdrawal", "bank", "general"]
)
def test_a_facilitator_may_not_open_or_send_the_record_forms_of_a_ksm_in_their_village(
    facilitator, book, form
):
    client = logged_in(facilitator)

    assert client.get(record_url(book, form)).status_code == 403
    assert client.post(record_url(book, form), {"amount": "1000"}).status_code == 403
    assert not JournalEntry.objects.exists()


def test_a_facilitator_reads_the_journal_and_entries_of_a_ksm_in_their_village(facilitator, book):
    entry = cash_receive(
        book=book, source="grant", amount=5000, entry_date=DAY, description="Hibah desa"
    ).entry
    client = logged_in(facilitator)

    journal = client.get(reverse("finance:journal", args=[book.pk]))
    detail = client.get(entry.get_absolute_url())

    assert "Hibah desa" in element(journal, "journal").text
    assert detail.status_code == 200
    assert parse(detail).by_id("reverse-link") is None
    assert parse(detail).by_id("record-another") is None
    reverse_page = client.get(reverse("finance:entry_reverse", args=[book.pk, entry.pk]))
    assert reverse_page.status_code == 403


def test_a_treasurer_gets_not_found_for_another_groups_book(client, other_book):
    entry = cash_receive(
        book=other_book, source="grant", amount=5000, entry_date=DAY, description="Hibah"
    ).entry
    pages = [
        record_url(other_book, "cash-in"),
        reverse("finance:journal", args=[other_book.pk]),
        entry.get_absolute_url(),
        reverse("finance:entry_reverse", args=[other_book.pk, entry.pk]),
    ]

    assert [client.get(url).status_code for url in pages] == [404] * 4
    assert client.post(pages[0], {"amount": "1"}).status_code == 404


def test_an_entry_is_found_only_under_its_own_book(client, book, other_book, staff_user):
    entry = cash_receive(
        book=other_book, source="grant", amount=5000, entry_date=DAY, description="Hibah"
    ).entry

    response = logged_in(staff_user).get(reverse("finance:entry", args=[book.pk, entry.pk]))

    assert response.status_code == 404


def test_staff_read_every_book(staff_user, book, other_book):
    entry = cash_receive(
        book=other_book, source="grant", amount=5000, entry_date=DAY, description="Hibah jauh"
    ).entry
    client = logged_in(staff_user)

    assert (
        "Hibah jauh"
        in element(client.get(reverse("finance:journal", args=[other_book.pk])), "journal").text
    )
    assert client.get(entry.get_absolute_url()).status_code == 200


def test_an_ordinary_member_cannot_record(member_user, book):
    client = logged_in(member_user)

    assert client.get(record_url(book, "cash-in")).status_code == 404


def test_a_bumdes_book_offers_no_member_forms(village):
    manager = UserFactory(staff_role=ADMINISTRATORS)
    book = book_open(owner=BumdesFactory(village=village), opening_date=datetime.date(2017, 1, 1))
    client = logged_in(manager)

    home = client.get(book.get_absolute_url())
    links = element(home, "record-links").hrefs()

    assert record_url(book, "cash-in") in links
    assert record_url(book, "deposit") not in links
    assert client.get(record_url(book, "deposit")).status_code == 404
    assert client.get(record_url(book, "withdrawal")).status_code == 404
    general = client.get(record_url(book, "general"), follow=True).content.decode()
    assert "lines-0-account" in general
    assert "lines-0-member" not in general


def test_the_book_page_shows_record_links_to_the_treasurer_only(client, facilitator, book):
    mine = client.get(book.get_absolute_url())
    theirs = logged_in(facilitator).get(book.get_absolute_url())

    assert record_url(book, "deposit") in element(mine, "record-links").hrefs()
    assert parse(theirs).by_id("record-links") is None
    journal = reverse("finance:journal", args=[book.pk])
    assert journal in element(theirs, "read-links").hrefs()


# --- Entry page and reversal ------------------------------------------------------------------


def test_the_entry_page_shows_lines_who_posted_and_a_record_another_button(
    client, book, saver, treasurer
):
    submit(
        client, book, "deposit", member=saver.pk, savings_type="savings_mandatory", amount="25000"
    )
    entry = only_entry(book)

    page = client.get(entry.get_absolute_url())

    rows = element(page, "entry-lines").rows()
    assert ["1.01 Kas", "", "25.000", ""] in rows
    assert ["3.02 Simpanan Wajib", saver.full_name, "", "25.000"] in rows
    assert treasurer.get_full_name() in element(page, "entry-posted").text
    assert element(page, "record-another").attrs["href"] == record_url(book, "deposit")
    assert entry.reference in element(page, "entry-reference").text


def test_the_success_message_names_and_links_the_entry(client, book):
    response = submit(client, book, "cash-in", source="grant", amount="1000", description="Hibah")
    page = client.get(response.url)
    entry = only_entry(book)

    alert = next(el for el in parse(page).find_all("div") if el.attrs.get("role") == "alert")
    assert entry.reference in alert.text
    assert entry.get_absolute_url() in alert.hrefs()


def test_reversing_posts_the_mirror_entry_and_marks_the_original(client, book):
    fund(book)
    original = cash_pay(
        book=book, category="expense_admin", amount=12000, entry_date=DAY, description="ATK"
    ).entry
    url = reverse("finance:entry_reverse", args=[book.pk, original.pk])
    data = {"token": page_token(client, url), "reason": "Salah catat", "entry_date": "2017-02-11"}

    response = client.post(url, data)
    again = client.post(url, data)

    reversal = JournalEntry.objects.get(reversal_of=original)
    assert response.url == reversal.get_absolute_url() == again.url
    assert posted_lines(reversal) == {
        ("expense_admin", None): (D("0"), D("12000")),
        ("cash", None): (D("12000"), D("0")),
    }
    assert "Salah catat" in reversal.description
    original_page = client.get(original.get_absolute_url())
    assert element(original_page, "reversed-by").attrs["href"] == reversal.get_absolute_url()
    assert parse(original_page).by_id("reverse-link") is None
    reversal_page = client.get(reversal.get_absolute_url())
    assert element(reversal_page, "reversal-of").attrs["href"] == original.get_absolute_url()
    assert parse(reversal_page).by_id("reverse-link") is None


def test_a_reversal_needs_a_reason_and_a_valid_date(client, book):
    fund(book)
    original = cash_pay(
        book=book, category="expense_admin", amount=12000, entry_date=DAY, description="ATK"
    ).entry
    url = reverse("finance:entry_reverse", args=[book.pk, original.pk])
    token = page_token(client, url)

    no_reason = client.post(url, {"token": token, "reason": "", "entry_date": "2017-02-11"})
    too_early = client.post(url, {"token": token, "reason": "Salah", "entry_date": "2016-01-01"})

    assert field_errors(no_reason, "reason") == [translated("This field is required.")]
    assert len(field_errors(too_early, "entry_date")) == 1
    assert not JournalEntry.objects.filter(kind="reversal").exists()


def test_an_entry_already_reversed_cannot_be_reversed_again(client, book):
    fund(book)
    original = cash_pay(
        book=book, category="expense_admin", amount=12000, entry_date=DAY, description="ATK"
    ).entry
    entry_reverse(entry=original, reason="Salah", entry_date=DAY)
    url = reverse("finance:entry_reverse", args=[book.pk, original.pk])

    response = client.get(url, follow=True)

    assert response.redirect_chain == [(original.get_absolute_url(), 302)]
    assert translated("This entry has already been reversed.") in response.content.decode()
    assert JournalEntry.objects.filter(kind="reversal").count() == 1


def test_a_posted_entry_has_no_edit_or_delete(client, book):
    entry = cash_receive(
        book=book, source="grant", amount=5000, entry_date=DAY, description="Hibah"
    ).entry

    response = client.post(entry.get_absolute_url(), {"description": "Diubah"})

    assert response.status_code == 405
    assert JournalEntry.objects.get(pk=entry.pk).description == "Hibah"


# --- The journal list -------------------------------------------------------------------------


@pytest.fixture
def journal_book(book, saver):
    cash_receive(
        book=book,
        source="income_business",
        amount=100000,
        entry_date=datetime.date(2017, 1, 5),
        description="Penjualan keripik",
        receipt_ref="NOTA-11",
    )
    savings_deposit(
        book=book,
        member=saver,
        savings_type="savings_mandatory",
        amount=25000,
        entry_date=datetime.date(2017, 2, 10),
    )
    wrong = cash_pay(
        book=book,
        category="expense_admin",
        amount=8000,
        entry_date=datetime.date(2017, 3, 1),
        description="Beli buku kas",
    ).entry
    entry_reverse(entry=wrong, reason="Dobel", entry_date=datetime.date(2017, 3, 2))
    return book


def journal_rows(client, book, query: str = "") -> list[list[str]]:
    response = client.get(reverse("finance:journal", args=[book.pk]) + query)
    found = parse(response).by_id("journal")
    return found.rows()[1:] if found else []


def test_the_journal_lists_entries_newest_first_with_amount_kind_and_reversal(client, journal_book):
    rows = journal_rows(client, journal_book)

    assert [row[1] for row in rows] == ["02-03-2017", "01-03-2017", "10-02-2017", "05-01-2017"]
    assert rows[3][0].startswith("2017/00001")
    assert rows[3][3] == "100.000"
    assert translated("Cash received") == rows[3][4]
    assert translated("Reversed") in rows[1][2]
    assert translated("Reversal of") in rows[0][2]


@pytest.mark.parametrize(
    ("query", "dates"),
    [
        ("?q=keripik", ["05-01-2017"]),
        ("?q=nota-11", ["05-01-2017"]),
        ("?q=2017/00002", ["10-02-2017"]),
        ("?kind=savings_deposit", ["10-02-2017"]),
        ("?date_from=2017-02-01&date_to=2017-03-01", ["01-03-2017", "10-02-2017"]),
        ("?q=tidak+ada", []),
    ],
)
def test_the_journal_searches_and_filters(client, journal_book, query, dates):
    assert [row[1] for row in journal_rows(client, journal_book, query)] == dates


def test_the_journal_filters_by_account(client, journal_book):
    expense = account_for(journal_book, "expense_admin")

    rows = journal_rows(client, journal_book, f"?account={expense.pk}")

    assert [row[1] for row in rows] == ["02-03-2017", "01-03-2017"]


def test_the_journal_paginates(client, book, settings):
    settings.PAGE_SIZE = 2
    for day in range(1, 6):
        cash_receive(
            book=book,
            source="grant",
            amount=1000,
            entry_date=datetime.date(2017, 1, day),
            description=f"Hibah {day}",
        )

    response = client.get(reverse("finance:journal", args=[book.pk]))

    assert len(element(response, "journal").rows()) == 3
    assert "?page=2" in parse(response).page_links()


def test_the_journal_costs_the_same_queries_with_three_entries_or_thirty(client, book):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("finance:journal", args=[book.pk]))
        assert response.status_code == 200
        return len(captured)

    def add(count: int) -> None:
        for n in range(count):
            posted = cash_receive(
                book=book,
                source="grant",
                amount=1000 + n,
                entry_date=datetime.date(2017, 1, 1 + n % 28),
                description=f"Hibah {n}",
            )
            if n % 3 == 0:
                entry_reverse(entry=posted.entry, reason="x", entry_date=datetime.date(2017, 2, 1))

    queries()  # the session's first page: the user's roles are read and kept once
    add(3)
    few = queries()
    add(27)
    many = queries()

    assert few == many
    assert JournalLine.objects.filter(book=book).count() > 60


def test_a_general_journal_line_holding_only_spaces_counts_as_empty_and_posts_nothing(client, book):
    """Found by the fuzz test: a credit box of one space made the page fail (500)."""
    response = submit(
        client,
        book,
        "general",
        description="Penyesuaian",
        **general_lines({"credit": " "}, {"debit": "  ", "account": ""}),
    )
    assert response.status_code == 200
    assert translated("A journal entry needs at least two lines.") in response.content.decode()
    assert not JournalEntry.objects.filter(book=book).exists()
