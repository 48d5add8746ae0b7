"""Each role's menu leads to what that role does: a treasurer's to their books and the
meeting sheet, a BUMDes or cooperative treasurer's to the entity's books."""

import datetime

import pytest
from django.urls import reverse

from finance.services import book_open
from tests.web.support import logged_in, parse

pytestmark = pytest.mark.django_db


def _menu(client) -> list[str]:
    return parse(client.get(reverse("groups:list"))).by_id("main-nav").hrefs()


def test_a_treasurer_goes_from_the_menu_to_the_books_and_the_meeting_sheet(treasurer, ksm):
    book = book_open(owner=ksm, opening_date=datetime.date(2017, 1, 1))
    menu = _menu(logged_in(treasurer))
    assert book.get_absolute_url() in menu
    assert reverse("finance:meeting_sheet", args=[book.pk]) in menu


def test_before_the_books_are_opened_the_menu_has_no_dead_link(treasurer, ksm):
    menu = _menu(logged_in(treasurer))
    assert not any("/books/" in href for href in menu)


def test_a_facilitator_and_staff_have_no_books_of_their_own_in_the_menu(
    facilitator, staff_user, ksm
):
    book_open(owner=ksm, opening_date=datetime.date(2017, 1, 1))
    for user in (facilitator, staff_user):
        assert not any("/books/" in href for href in _menu(logged_in(user)))


def test_a_bumdes_treasurer_goes_from_the_menu_to_its_books(bumdes):
    from tests.groups.test_entity_officers import logged_officer

    book = book_open(owner=bumdes, opening_date=datetime.date(2017, 1, 1))
    user = logged_officer(bumdes, "treasurer")
    assert book.get_absolute_url() in _menu(logged_in(user))
