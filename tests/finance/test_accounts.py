"""Editing a book's chart of accounts: who may, and what an account with entries or a role
keeps."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import translation

from finance.models import Account
from finance.services import Line, account_for, book_open, cash_receive, journal_post
from finance.services.accounts import account_create, account_deactivate, account_update
from tests.groups.factories import CooperativeFactory
from tests.villages.factories import BumdesFactory, FacilitatorAssignmentFactory
from tests.web.support import element, logged_in, parse

pytestmark = pytest.mark.django_db
D = Decimal
JAN = datetime.date(2017, 1, 10)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def header(book, code):
    return book.accounts.get(code=code)


def add_transport(book, actor=None, **fields):
    return account_create(
        book=book,
        code=fields.pop("code", "5.20"),
        name=fields.pop("name", "Transport"),
        type=fields.pop("type", "expense"),
        parent=fields.pop("parent", header(book, "5")),
        actor=actor,
        **fields,
    )


# --- The service ------------------------------------------------------------------------------


def test_a_facilitator_of_the_village_adds_an_account_whose_normal_balance_follows_its_type(
    book, facilitator
):
    account = add_transport(book, facilitator)

    assert (account.code, account.name, account.type, account.normal_balance) == (
        "5.20",
        "Transport",
        "expense",
        "debit",
    )
    assert account.parent == header(book, "5")
    assert account.is_active and not account.role
    assert account.history.get().history_user == facilitator
    income = account_create(
        book=book, code="4.20", name="Sewa Tenda", type="income", parent=header(book, "4")
    )
    assert income.normal_balance == "credit"


def test_codes_are_unique_within_a_book(book, staff_user):
    with pytest.raises(ValidationError) as error:
        add_transport(book, staff_user, code="5.01")
    assert error.value.message_dict == {
        "code": ["This book already has an account with this code."]
    }


def test_the_parent_must_be_a_heading_of_the_same_type(book, staff_user):
    for parent, message in (
        (header(book, "1"), "The heading must be of the same type as the account."),
        (account_for(book, "expense_admin"), "Choose a heading of this chart."),
    ):
        with pytest.raises(ValidationError) as error:
            add_transport(book, staff_user, parent=parent)
        assert error.value.message_dict == {"parent": [message]}


@pytest.mark.parametrize(
    ("code", "name"), [("", "Transport"), ("5 07", "Transport"), ("5.20", " ")]
)
def test_an_account_needs_a_code_and_a_name(book, code, name):
    with pytest.raises(ValidationError):
        add_transport(book, code=code, name=name)
    assert not book.accounts.filter(name="Transport").exists()


def test_a_treasurer_reads_the_chart_but_cannot_change_it(book, treasurer):
    with pytest.raises(PermissionDenied):
        add_transport(book, treasurer)
    with pytest.raises(PermissionDenied):
        account_update(account=account_for(book, "cash"), actor=treasurer, name="Kas Besar")
    assert account_for(book, "cash").name == "Kas"


def test_an_account_used_by_the_forms_can_be_renamed_and_renumbered_but_not_deactivated(
    book, facilitator
):
    cash = account_for(book, "cash")

    renamed = account_update(account=cash, actor=facilitator, code="1.10", name="Kas Kelompok")

    assert (renamed.code, renamed.name, renamed.role) == ("1.10", "Kas Kelompok", "cash")
    assert account_for(book, "cash").pk == cash.pk
    with pytest.raises(ValidationError) as error:
        account_deactivate(account=cash, actor=facilitator)
    assert error.value.messages == [
        "1.10 Kas Kelompok is used by the forms and stays active; you may rename it."
    ]
    with pytest.raises(ValidationError):
        account_update(account=cash, actor=facilitator, type="expense")
    cash.refresh_from_db()
    assert (cash.is_active, cash.type) == (True, "asset")


def test_an_account_with_entries_can_be_deactivated_once_its_balance_is_zero_never_deleted(
    book, staff_user
):
    transport = add_transport(book, staff_user)
    cash, grant = account_for(book, "cash"), account_for(book, "grant")
    journal_post(
        book=book,
        entry_date=JAN,
        description="Hibah",
        lines=[Line(account=cash, debit=D("15000")), Line(account=grant, credit=D("15000"))],
    )
    journal_post(
        book=book,
        entry_date=JAN,
        description="Ongkos angkut",
        lines=[Line(account=transport, debit=D("15000")), Line(account=cash, credit=D("15000"))],
    )

    with pytest.raises(ValidationError) as error:
        account_deactivate(account=transport, actor=staff_user)
    assert error.value.messages == [
        "5.20 Transport still has a balance; move it to another account first."
    ]
    with pytest.raises(ValidationError):
        account_update(account=transport, actor=staff_user, type="asset")

    journal_post(
        book=book,
        entry_date=JAN,
        description="Pindah ke Beban Lain",
        lines=[
            Line(account=account_for(book, "expense_other"), debit=D("15000")),
            Line(account=transport, credit=D("15000")),
        ],
    )
    account_deactivate(account=transport, actor=staff_user)

    transport.refresh_from_db()
    assert not transport.is_active
    assert transport.lines.count() == 2
    with pytest.raises(ProtectedError):
        transport.delete()
    with pytest.raises(ValidationError):  # nothing more is posted to it
        journal_post(
            book=book,
            entry_date=JAN,
            description="x",
            lines=[Line(account=transport, debit=D("1")), Line(account=cash, credit=D("1"))],
        )


def test_an_unused_account_may_change_its_type_while_it_has_no_entries(book, staff_user):
    account = add_transport(book, staff_user, parent=None)

    account = account_update(account=account, actor=staff_user, type="income")

    assert (account.type, account.normal_balance) == ("income", "credit")


def test_a_heading_is_deactivated_only_after_its_accounts(book, staff_user):
    heading = account_create(
        book=book,
        code="5.10",
        name="Beban Usaha",
        type="expense",
        is_header=True,
        parent=header(book, "5"),
    )
    child = add_transport(book, staff_user, code="5.10.01", parent=heading)

    with pytest.raises(ValidationError):
        account_deactivate(account=heading, actor=staff_user)
    account_deactivate(account=child, actor=staff_user)
    account_deactivate(account=heading, actor=staff_user)

    heading.refresh_from_db()
    assert not heading.is_active
    with pytest.raises(ValidationError) as error:
        account_update(account=child, actor=staff_user, is_active=True)
    assert error.value.message_dict == {"parent": ["The heading is inactive; reactivate it first."]}


def test_an_account_cannot_sit_under_itself(book, staff_user):
    heading = account_create(
        book=book, code="5.10", name="Beban Usaha", type="expense", is_header=True
    )
    sub = account_create(
        book=book, code="5.10.1", name="Sub", type="expense", is_header=True, parent=heading
    )
    with pytest.raises(ValidationError) as error:
        account_update(account=heading, actor=staff_user, parent=sub)
    assert error.value.message_dict == {"parent": ["An account cannot be under itself."]}


def test_bumdes_books_are_edited_by_the_village_facilitators_and_cooperatives_by_staff(
    village, regency, facilitator, staff_user
):
    bumdes_book = book_open(owner=BumdesFactory(village=village), opening_date=JAN)
    cooperative_book = book_open(owner=CooperativeFactory(regency=regency), opening_date=JAN)

    assert add_transport(bumdes_book, facilitator, code="5.20").pk
    with pytest.raises(PermissionDenied):
        add_transport(cooperative_book, facilitator)
    assert add_transport(cooperative_book, staff_user).pk


# --- The pages --------------------------------------------------------------------------------


def test_the_treasurer_reads_the_chart_without_edit_links(book, treasurer):
    response = logged_in(treasurer).get(reverse("finance:accounts", args=[book.pk]))

    assert response.status_code == 200
    rows = element(response, "accounts").rows()[1:]
    assert [row[0] for row in rows[:3]] == ["1", "1.01", "1.02"]
    assert len(rows) == book.accounts.count()
    assert parse(response).by_id("account-add") is None
    cash_url = reverse("finance:account_update", args=[book.pk, account_for(book, "cash").pk])
    assert cash_url not in parse(response).hrefs()


def test_the_village_facilitator_adds_an_account_from_the_page(book, facilitator):
    client = logged_in(facilitator)
    listing = client.get(reverse("finance:accounts", args=[book.pk]))
    assert parse(listing).by_id("account-add") is not None

    response = client.post(
        reverse("finance:account_create", args=[book.pk]),
        {"code": "5.20", "name": "Transport", "type": "expense", "parent": header(book, "5").pk},
    )

    assert response.status_code == 302
    account = book.accounts.get(code="5.20")
    assert (account.normal_balance, account.parent.code) == ("debit", "5")


def test_the_page_shows_a_duplicate_code_on_the_code_field(book, facilitator):
    response = logged_in(facilitator).post(
        reverse("finance:account_create", args=[book.pk]),
        {"code": "5.01", "name": "Transport", "type": "expense"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not book.accounts.filter(name="Transport").exists()


def test_renaming_a_role_account_from_the_page_keeps_it_active(book, facilitator):
    cash = account_for(book, "cash")
    url = reverse("finance:account_update", args=[book.pk, cash.pk])
    client = logged_in(facilitator)
    page = client.get(url)
    assert "type" not in page.context["form"].fields
    assert page.context["form"].fields["is_active"].disabled

    response = client.post(url, {"code": "1.01", "name": "Kas Tunai", "parent": cash.parent_id})

    assert response.status_code == 302
    cash.refresh_from_db()
    assert (cash.name, cash.is_active) == ("Kas Tunai", True)
    history = element(client.get(url), "history").find_all("li")
    assert len(history) == 2


def test_the_treasurer_cannot_edit_and_another_villages_facilitator_gets_not_found(
    book, treasurer, other_village
):
    cash = account_for(book, "cash")
    urls = [
        reverse("finance:account_create", args=[book.pk]),
        reverse("finance:account_update", args=[book.pk, cash.pk]),
    ]
    stranger = logged_in(FacilitatorAssignmentFactory(village=other_village).user)
    for url in urls:
        assert logged_in(treasurer).get(url).status_code == 403
        assert logged_in(treasurer).post(url, {"code": "9", "name": "x"}).status_code == 403
        assert stranger.get(url).status_code == 404
    assert stranger.get(reverse("finance:accounts", args=[book.pk])).status_code == 404
    assert Account.objects.get(pk=cash.pk).name == "Kas"


def test_an_account_of_another_book_is_not_found_under_this_one(book, staff_user, other_village):
    from tests.groups.factories import SelfHelpGroupFactory

    other = book_open(owner=SelfHelpGroupFactory(village=other_village), opening_date=JAN)
    url = reverse("finance:account_update", args=[book.pk, account_for(other, "cash").pk])
    assert logged_in(staff_user).get(url).status_code == 404


def test_deactivating_from_the_page_refuses_an_account_with_a_balance(book, staff_user):
    cash_receive(book=book, source="income_other", amount=1000, entry_date=JAN, description="x")
    other = account_for(book, "income_other")
    # A custom account with a balance, moved in through the general journal.
    gifts = account_create(
        book=book, code="4.20", name="Sumbangan", type="income", parent=header(book, "4")
    )
    journal_post(
        book=book,
        entry_date=JAN,
        description="Reklas",
        lines=[Line(account=other, debit=D("1000")), Line(account=gifts, credit=D("1000"))],
    )
    url = reverse("finance:account_update", args=[book.pk, gifts.pk])

    response = logged_in(staff_user).post(
        url, {"code": "4.20", "name": "Sumbangan", "parent": header(book, "4").pk}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    gifts.refresh_from_db()
    assert gifts.is_active
