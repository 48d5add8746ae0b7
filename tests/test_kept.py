"""What pages keep between requests (ksm_portal.caching): each user's menu under their roles
stamp, so a change of roles, of a KSM's name or of its books shows at once; the dashboard's
region figures for a minute, worked out again at once after the page adds waiting postings."""

import datetime

import pytest
from django.template import engines
from django.urls import reverse

from dashboard.services.rollups import rollups_pending
from finance.services import book_open, savings_deposit
from groups.models import Membership
from tests.dashboard.test_dashboard_views import MARCH, URL, two_districts, value  # noqa: F401
from tests.web.support import logged_in, parse, translated

pytestmark = pytest.mark.django_db


def _menu(client) -> str:
    return str(parse(client.get(reverse("groups:list"))).by_id("main-nav").text)


def _menu_links(client) -> list[str]:
    return parse(client.get(reverse("groups:list"))).by_id("main-nav").hrefs()


def test_an_unchanged_session_renders_its_menu_once(treasurer, ksm, django_assert_max_num_queries):
    book_open(owner=ksm, opening_date=datetime.date(2017, 1, 1))
    client = logged_in(treasurer)
    with django_assert_max_num_queries(50) as first:
        client.get(reverse("groups:list"))
    # The menu's offices (the treasurer's KSM and its book) are not read again.
    with django_assert_max_num_queries(len(first) - 1) as second:
        client.get(reverse("groups:list"))
    assert not any("groups_membership" in q["sql"] for q in second.captured_queries)


def test_the_menu_names_a_renamed_ksm_at_once(treasurer, ksm, village):
    from tests.groups.factories import MembershipFactory, SelfHelpGroupFactory

    other = SelfHelpGroupFactory(village=village, name="KSM Lain")
    MembershipFactory(group=other, member=treasurer.member, treasurer=True)
    for group in (ksm, other):
        book_open(owner=group, opening_date=datetime.date(2017, 1, 1))
    client = logged_in(treasurer)
    assert "KSM Lain" in _menu(client)  # two KSM: each is named
    other.name = "KSM Baru Namanya"
    other.save()
    menu = _menu(client)
    assert "KSM Baru Namanya" in menu and "KSM Lain" not in menu


def test_books_opened_after_the_menu_was_kept_appear_in_it(treasurer, ksm):
    client = logged_in(treasurer)
    assert not any("/books/" in href for href in _menu_links(client))
    book = book_open(owner=ksm, opening_date=datetime.date(2017, 1, 1))
    assert book.get_absolute_url() in _menu_links(client)


def test_an_office_ended_leaves_the_menu_at_once(treasurer, ksm):
    book = book_open(owner=ksm, opening_date=datetime.date(2017, 1, 1))
    client = logged_in(treasurer)
    assert book.get_absolute_url() in _menu_links(client)
    membership = Membership.objects.get(member__user=treasurer, group=ksm)
    membership.role = Membership.Role.MEMBER
    membership.save()
    assert book.get_absolute_url() not in _menu_links(client)


def test_the_menu_is_kept_per_language(staff_user):
    client = logged_in(staff_user)
    assert "Pelatihan" in _menu(client)
    client.cookies["django_language"] = "en"
    assert "Training" in _menu(client)


def test_a_piece_without_a_stamp_is_rendered_every_time():
    template = engines["django"].from_string(
        '{% load kept %}{% kept "test_piece" 60 stamp %}{{ value }}{% endkept %}'
    )
    assert template.render({"stamp": "a", "value": 1}) == "1"
    assert template.render({"stamp": "a", "value": 2}) == "1"  # kept under stamp "a"
    assert template.render({"stamp": "b", "value": 3}) == "3"
    assert template.render({"stamp": None, "value": 4}) == "4"
    assert template.render({"stamp": None, "value": 5}) == "5"


def test_a_regions_figures_are_kept_and_worked_out_again_after_the_page_drains(
    staff_user,
    two_districts,  # noqa: F811
):
    client = logged_in(staff_user)
    query = {"region": "33.25", **MARCH}
    first = client.get(URL, query)
    assert value(first, "ksm_active") == "4"
    worked_out = parse(first).by_id("dashboard-worked-out").text
    assert worked_out.startswith(translated("Figures worked out at %(time)s.").split("%")[0])
    from tests.groups.factories import SelfHelpGroupFactory

    SelfHelpGroupFactory(village=two_districts.group.village)
    # A KSM registered: the region's figures are those kept, for at most a minute, and the
    # page says when they were worked out.
    again = client.get(URL, query)
    assert value(again, "ksm_active") == "4"
    assert parse(again).by_id("dashboard-worked-out").text == worked_out
    saver = two_districts.group.memberships.first().member
    savings_deposit(
        book=two_districts,
        member=saver,
        savings_type="savings_mandatory",
        amount=25_000,
        entry_date=datetime.date(2017, 3, 6),
    )
    assert rollups_pending()
    response = client.get(URL, query)  # the page adds the waiting posting, then reads
    assert not rollups_pending()
    assert value(response, "savings_mandatory") == "Rp 175.000"
    assert value(response, "ksm_active") == "5"


def test_an_officers_dashboard_of_their_own_books_is_worked_out_every_time(treasurer, ksm):
    book_open(owner=ksm, opening_date=datetime.date(2017, 1, 1))
    page = parse(logged_in(treasurer).get(URL, MARCH))
    assert page.by_id("dashboard-worked-out") is None
