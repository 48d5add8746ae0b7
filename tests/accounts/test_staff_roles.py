"""Staff roles are Django groups with one permission per action: program staff read every
region and keep the register, finance staff read every region and post, reopen and correct,
administrators do all of it."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import ADMINISTRATORS, FINANCE_STAFF, PROGRAM_STAFF, staff_roles_sync
from finance.models import Book
from finance.services import book_open
from finance.services.periods import may_reopen
from groups.models import SelfHelpGroup
from ksm_portal.scope import user_scope
from tests.groups.factories import SelfHelpGroupFactory
from tests.web.support import logged_in

pytestmark = pytest.mark.django_db


def test_the_staff_role_groups_exist_with_their_permissions_after_migrate():
    staff_roles_sync()
    perms = {
        group.name: set(
            group.permissions.filter(content_type__model="staffpermission").values_list(
                "codename", flat=True
            )
        )
        for group in Group.objects.all()
    }
    assert perms[PROGRAM_STAFF] == {"view_all_regions", "change_register"}
    assert perms[FINANCE_STAFF] == {"view_all_regions", "post_entries", "reopen_periods"}
    assert perms[ADMINISTRATORS] == {
        "view_all_regions",
        "change_register",
        "post_entries",
        "reopen_periods",
    }
    program = Group.objects.get(name=PROGRAM_STAFF)
    assert program.permissions.filter(codename="view_selfhelpgroup").exists()
    assert not program.permissions.filter(codename="change_selfhelpgroup").exists()


def test_a_permission_added_by_hand_is_taken_away_by_the_next_sync():
    program = Group.objects.get(name=PROGRAM_STAFF)
    program.permissions.add(
        Group.objects.get(name=FINANCE_STAFF).permissions.get(codename="post_entries")
    )
    staff_roles_sync()
    assert not program.permissions.filter(codename="post_entries").exists()


@pytest.fixture
def far_away(other_village):
    group = SelfHelpGroupFactory(village=other_village)
    book = book_open(owner=group, opening_date=datetime.date(2017, 1, 1))
    return group, book


def test_program_staff_see_every_region_and_register_ksm_but_do_not_post(program_staff, far_away):
    group, book = far_away
    browser = logged_in(program_staff)

    assert browser.get(group.get_absolute_url()).status_code == 200
    assert SelfHelpGroup.objects.editable_by(program_staff).filter(pk=group.pk).exists()
    assert browser.get(reverse("groups:update", args=[group.pk])).status_code == 200
    assert not Book.objects.postable_by(program_staff).exists()
    record = reverse("finance:record", args=[book.pk, "cash-in"])
    assert browser.get(record, follow=True).status_code == 403
    assert not may_reopen(program_staff)


def test_finance_staff_see_every_book_post_and_reopen_but_do_not_change_the_register(
    finance_staff, far_away
):
    group, book = far_away
    browser = logged_in(finance_staff)

    assert browser.get(book.get_absolute_url()).status_code == 200
    assert Book.objects.postable_by(finance_staff).filter(pk=book.pk).exists()
    assert may_reopen(finance_staff)
    assert browser.get(reverse("groups:update", args=[group.pk])).status_code == 403
    assert browser.get(reverse("groups:cooperative_create")).status_code == 403


def test_administrators_do_everything(staff_user, far_away):
    scope = user_scope(staff_user)
    assert scope.sees_all and scope.manages_register and scope.posts_anywhere
    assert scope.reopens_periods


def test_staff_status_alone_gives_no_reach(far_away):
    from tests.groups.factories import UserFactory

    bare = UserFactory(is_staff=True)
    assert not SelfHelpGroup.objects.visible_to(bare).exists()
    assert not Book.objects.postable_by(bare).exists()


def test_the_scope_is_read_once_per_request(staff_user, django_assert_max_num_queries, far_away):
    scope = user_scope(staff_user)
    with django_assert_max_num_queries(0):
        assert user_scope(staff_user) is scope
