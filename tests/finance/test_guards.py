"""Inputs and admin paths that must not break the books or answer with a server error."""

import datetime

import pytest
from django.urls import reverse

from finance.services import account_for, cash_receive
from tests.web.support import logged_in

pytestmark = pytest.mark.django_db
JAN = datetime.date(2017, 1, 10)


@pytest.fixture
def admin_user(staff_user):
    staff_user.is_superuser = True
    staff_user.save()
    return staff_user


@pytest.fixture
def posted_book(book):
    cash_receive(book=book, source="income_other", amount=1000, entry_date=JAN, description="x")
    return book


def test_admin_cannot_turn_a_used_account_into_a_heading_or_move_it(posted_book, admin_user):
    cash = account_for(posted_book, "cash")
    page = logged_in(admin_user).get(reverse("admin:finance_account_change", args=[cash.pk]))

    assert page.status_code == 200
    for field in ("is_header", "parent", "type", "is_active", "book"):
        assert f'name="{field}"' not in page.content.decode()


def test_admin_cannot_move_the_opening_date_once_entries_are_posted(posted_book, admin_user):
    page = logged_in(admin_user).get(reverse("admin:finance_book_change", args=[posted_book.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="opening_date"' not in html
    assert 'name="group"' not in html


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("finance:trial_balance", {"date": "0001-01-01"}),
        ("finance:cash_book", {"date_from": "0001-01-01", "date_to": "2017-01-31"}),
        ("finance:cash_book", {"date_from": "2017-13-45"}),
        ("finance:record", {"lines": "²"}),
    ],
)
def test_odd_values_in_the_address_get_a_page_not_a_server_error(
    posted_book, staff_user, name, params
):
    args = [posted_book.pk, "general"] if name == "finance:record" else [posted_book.pk]
    response = logged_in(staff_user).get(reverse(name, args=args), params, follow=True)

    assert response.status_code == 200
