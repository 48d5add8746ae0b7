"""Roles read once per session: the scope is kept in the session under a stamp read with the
user row, and any change of roles shows on the very next request (in every worker: the stamp
is in the database, not in a process)."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import ADMINISTRATORS
from groups.models import Membership
from groups.services import membership_change_role, membership_end
from ksm_portal.scope import SESSION_KEY
from tests.web.support import logged_in
from villages.models import FacilitatorAssignment
from villages.services import facilitator_assign, facilitator_assignment_end

pytestmark = pytest.mark.django_db

ROLE_TABLES = re.compile(r"auth_permission|facilitatorassignment|groups_officer", re.IGNORECASE)


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, [q["sql"] for q in queries]


@pytest.mark.parametrize("who", ["staff_user", "facilitator", "treasurer"])
def test_an_unchanged_session_reads_no_role_again(request, who, ksm):
    user = request.getfixturevalue(who)
    client = logged_in(user)
    url = ksm.get_absolute_url()
    first, first_sql = _get(client, url)
    assert first.status_code == 200
    assert any(ROLE_TABLES.search(sql) for sql in first_sql) or who == "treasurer"
    second, second_sql = _get(client, url)
    assert second.status_code == 200
    assert second.content.count(b"<nav") == first.content.count(b"<nav")
    assert not [sql for sql in second_sql if ROLE_TABLES.search(sql)]
    # The first request worked the scope out (its role queries) and kept it (the session's
    # save); the second reads neither.
    assert len(second_sql) < len(first_sql) - 1
    assert client.session[SESSION_KEY]["stamp"][0] == user.pk


def test_a_page_of_an_unchanged_session_makes_a_fixed_number_of_queries(
    staff_user, ksm, django_assert_num_queries
):
    client = logged_in(staff_user)
    url = ksm.get_absolute_url()
    client.get(url)
    _response, sql = _get(client, url)
    with django_assert_num_queries(len(sql)):
        assert client.get(url).status_code == 200
    assert not [s for s in sql if ROLE_TABLES.search(s)]


def test_a_facilitator_assignment_ended_shows_on_the_next_request(facilitator, ksm):
    client = logged_in(facilitator)
    url = ksm.get_absolute_url()
    assert client.get(url).status_code == 200
    assignment = FacilitatorAssignment.objects.get(user=facilitator)
    facilitator_assignment_end(
        actor=None, assignment=assignment, end_date=timezone.localdate() - datetime.timedelta(1)
    )
    assert client.get(url).status_code == 404
    # Assigned again: seen again at once.
    facilitator_assign(
        actor=None, user=facilitator, village=ksm.village, start_date=timezone.localdate()
    )
    assert client.get(url).status_code == 200


def test_an_assignment_deleted_in_admin_shows_on_the_next_request(facilitator, ksm):
    client = logged_in(facilitator)
    url = ksm.get_absolute_url()
    assert client.get(url).status_code == 200
    FacilitatorAssignment.objects.filter(user=facilitator).delete()
    assert client.get(url).status_code == 404


def test_an_assignment_ending_by_date_shows_the_next_day(facilitator, ksm, monkeypatch):
    assignment = FacilitatorAssignment.objects.get(user=facilitator)
    today = timezone.localdate()
    assignment.end_date = today
    assignment.save()
    client = logged_in(facilitator)
    url = ksm.get_absolute_url()
    assert client.get(url).status_code == 200
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today + datetime.timedelta(1))
    assert client.get(url).status_code == 404


def test_a_member_made_treasurer_gets_the_books_on_the_next_request_and_loses_them_on_leaving(
    member_user, ksm
):
    from finance.services import book_open

    book = book_open(owner=ksm, opening_date=datetime.date(2017, 1, 1))
    client = logged_in(member_user)
    book_url = book.get_absolute_url()
    assert client.get(book_url).status_code in (403, 404)
    membership = Membership.objects.get(member__user=member_user)
    membership_change_role(actor=None, membership=membership, role=Membership.Role.TREASURER)
    assert client.get(book_url).status_code == 200
    membership_end(actor=None, membership=membership, left_date=timezone.localdate())
    assert client.get(book_url).status_code != 200


def test_staff_removed_from_their_role_group_lose_it_on_the_next_request(staff_user, other_village):
    from tests.groups.factories import SelfHelpGroupFactory

    elsewhere = SelfHelpGroupFactory(village=other_village)
    client = logged_in(staff_user)
    url = elsewhere.get_absolute_url()
    assert client.get(url).status_code == 200
    group = Group.objects.get(name=ADMINISTRATORS)
    staff_user.groups.remove(group)
    assert client.get(url).status_code == 404
    group.user_set.add(staff_user)
    assert client.get(url).status_code == 200
    # The group's permissions taken away (staff roles edited in admin): at once too.
    permissions = list(group.permissions.all())
    group.permissions.clear()
    assert client.get(url).status_code == 404
    group.permissions.set(permissions)
    assert client.get(url).status_code == 200


def test_a_login_made_superuser_or_deactivated_shows_on_the_next_request(user, other_village):
    from tests.groups.factories import SelfHelpGroupFactory

    elsewhere = SelfHelpGroupFactory(village=other_village)
    client = logged_in(user)
    url = elsewhere.get_absolute_url()
    assert client.get(url).status_code == 404
    user.is_superuser = True
    user.save()
    assert client.get(url).status_code == 200


def test_a_kept_scope_is_not_used_for_another_login_on_the_same_session(staff_user, user, ksm):
    client = logged_in(staff_user)
    assert client.get(ksm.get_absolute_url()).status_code == 200
    client.force_login(user)
    assert client.get(ksm.get_absolute_url()).status_code == 404


def test_a_treasurers_ksm_moved_to_another_village_shows_that_village_on_the_next_request(
    treasurer, ksm, other_village
):
    from django.urls import reverse

    from groups.services import group_update
    from tests.villages.factories import BumdesFactory

    there = BumdesFactory(village=other_village)
    url = reverse("villages:bumdes_detail", args=[there.pk])
    client = logged_in(treasurer)
    assert client.get(url).status_code == 404
    group_update(actor=None, group=ksm, village=other_village)
    assert client.get(url).status_code == 200


def test_a_login_moved_to_another_member_takes_the_office_with_it(treasurer, ksm):
    from finance.services import book_open
    from tests.groups.factories import MemberFactory

    book = book_open(owner=ksm, opening_date=datetime.date(2017, 1, 1))
    client = logged_in(treasurer)
    assert client.get(book.get_absolute_url()).status_code == 200
    member = treasurer.member
    member.user = None
    member.save()
    MemberFactory(village=ksm.village, user=treasurer)  # an ordinary person, no office
    assert client.get(book.get_absolute_url()).status_code in (403, 404)
