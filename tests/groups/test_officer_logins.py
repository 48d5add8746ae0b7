"""Officer logins made by the people who know the officers: a facilitator gives a KSM's
treasurer a login from the KSM page, the treasurer activates it and reaches their group;
leaving office ends that reach in the same transaction."""

import datetime

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.services import login_activate
from finance.models import Book
from finance.services import book_open
from groups.models import Membership, SelfHelpGroup
from groups.services import (
    membership_change_role,
    membership_end,
    membership_login_grant,
    membership_login_reset,
)
from tests.groups.factories import MembershipFactory, SelfHelpGroupFactory
from tests.web.support import element, logged_in, parse

pytestmark = pytest.mark.django_db
PASSWORD = "Sawah-Hijau-2017"
TODAY = datetime.date.today


@pytest.fixture
def officer(ksm):
    """The KSM's treasurer, still without a login."""
    return MembershipFactory(group=ksm, treasurer=True, member__full_name="Siti Aminah")


def activate(issued):
    return login_activate(username=issued.user.username, code=issued.code, password=PASSWORD)


def test_a_facilitator_gives_the_treasurer_a_login_and_sees_the_slip(facilitator, officer):
    browser = logged_in(facilitator)
    page = browser.get(reverse("groups:membership_login", args=[officer.pk]))
    (username,) = [el for el in parse(page).find_all("input") if el.attrs.get("name") == "username"]
    assert username.attrs["value"] == "siti.aminah"

    response = browser.post(
        reverse("groups:membership_login", args=[officer.pk]), {"username": "siti.aminah"}
    )
    slip = browser.get(response.url)

    assert response.url == reverse("accounts:slip")
    assert element(slip, "slip-username").text == "siti.aminah"
    code = element(slip, "slip-code").text
    officer.member.refresh_from_db()
    assert officer.member.user.username == "siti.aminah"
    assert login_activate(username="siti.aminah", code=code, password=PASSWORD)


def test_the_ksm_page_shows_who_has_a_login_and_when_they_last_used_it(facilitator, officer):
    issued = membership_login_grant(actor=facilitator, membership=officer)
    browser = logged_in(facilitator)
    url = officer.group.get_absolute_url()
    assert "belum diaktifkan" in element(browser.get(url), "officers").text

    activate(issued)
    Client().login(username="siti.aminah", password=PASSWORD)
    officers = element(browser.get(url), "officers").text

    assert "siti.aminah" in officers
    assert "terakhir dipakai" in officers


def test_a_facilitator_cannot_make_logins_outside_their_villages(facilitator, other_village):
    stranger = MembershipFactory(group=SelfHelpGroupFactory(village=other_village), treasurer=True)
    browser = logged_in(facilitator)

    assert browser.get(reverse("groups:membership_login", args=[stranger.pk])).status_code == 404
    response = browser.post(
        reverse("groups:membership_login", args=[stranger.pk]), {"username": "x.y"}
    )
    assert response.status_code == 404
    assert stranger.member.user_id is None


def test_an_officer_cannot_make_logins_for_their_own_group(officer, ksm):
    chair = MembershipFactory(group=ksm, chair=True)
    issued = membership_login_grant(actor=None, membership=chair)
    activate(issued)
    browser = logged_in(get_user_model().objects.get(pk=issued.user.pk))

    response = browser.post(
        reverse("groups:membership_login", args=[officer.pk]), {"username": "a.b"}
    )

    assert response.status_code == 403


def test_only_officers_in_office_get_a_login(ksm):
    plain = MembershipFactory(group=ksm)
    with pytest.raises(ValidationError, match="ketua, sekretaris, atau bendahara"):
        membership_login_grant(actor=None, membership=plain)


def test_a_second_login_for_the_same_officer_is_refused_once_activated(officer):
    activate(membership_login_grant(actor=None, membership=officer))
    with pytest.raises(ValidationError, match="sudah punya login"):
        membership_login_grant(actor=None, membership=officer)


def test_the_activated_treasurer_posts_a_deposit_to_their_own_books(officer, ksm, village):
    book = book_open(owner=ksm, opening_date=datetime.date(2017, 1, 1))
    saver = MembershipFactory(group=ksm, joined_date=datetime.date(2016, 6, 1)).member
    user = activate(membership_login_grant(actor=None, membership=officer))
    browser = Client()
    assert browser.login(username=user.username, password=PASSWORD)

    assert browser.get(ksm.get_absolute_url()).status_code == 200
    assert list(Book.objects.postable_by(user)) == [book]
    url = reverse("finance:record", args=[book.pk, "deposit"])
    page = browser.get(url, follow=True)
    token = next(i for i in parse(page).find_all("input") if i.attrs.get("name") == "token")
    response = browser.post(
        url,
        {
            "token": token.attrs["value"],
            "entry_date": "2017-02-10",
            "member": saver.pk,
            "savings_type": "savings_mandatory",
            "amount": "25.000",
        },
    )
    assert response.status_code == 302
    assert book.entries.get().posted_by == user


def test_leaving_office_ends_the_login_in_the_same_transaction(officer, ksm):
    user = activate(membership_login_grant(actor=None, membership=officer))
    browser = Client()
    browser.login(username=user.username, password=PASSWORD)
    assert browser.get(ksm.get_absolute_url()).status_code == 200

    membership_end(actor=None, membership=officer, left_date=TODAY())

    user.refresh_from_db()
    assert not user.is_active
    assert browser.get(ksm.get_absolute_url()).status_code == 302  # back to the login page
    assert authenticate(username=user.username, password=PASSWORD) is None


def test_a_treasurer_who_becomes_a_plain_member_loses_the_login(officer, ksm):
    user = activate(membership_login_grant(actor=None, membership=officer))

    membership_change_role(actor=None, membership=officer, role=Membership.Role.MEMBER)

    user.refresh_from_db()
    assert not user.is_active
    assert not SelfHelpGroup.objects.visible_to(user).exists()


def test_an_officer_of_two_groups_sees_both_and_keeps_the_other_after_leaving_one(
    officer, ksm, village
):
    second = SelfHelpGroupFactory(village=village)
    MembershipFactory(group=second, member=officer.member, chair=True)
    user = activate(membership_login_grant(actor=None, membership=officer))

    assert set(SelfHelpGroup.objects.visible_to(user)) == {ksm, second}

    membership_end(actor=None, membership=officer, left_date=TODAY())
    user = get_user_model().objects.get(pk=user.pk)
    assert user.is_active
    assert set(SelfHelpGroup.objects.visible_to(user)) == {second}


def test_a_reset_from_the_ksm_page_gives_a_new_code_and_stops_the_old_password(
    facilitator, officer
):
    user = activate(membership_login_grant(actor=None, membership=officer))
    browser = logged_in(facilitator)

    response = browser.post(reverse("groups:membership_login_reset", args=[officer.pk]))
    code = element(browser.get(response.url), "slip-code").text

    assert authenticate(username=user.username, password=PASSWORD) is None
    assert login_activate(username=user.username, code=code, password="Baru-Sekali-2018")


def test_an_officer_given_office_again_gets_the_old_login_back_with_a_new_code(officer, ksm):
    user = activate(membership_login_grant(actor=None, membership=officer))
    membership_end(actor=None, membership=officer, left_date=TODAY())
    again = MembershipFactory(group=ksm, member=officer.member, treasurer=True)

    issued = membership_login_grant(actor=None, membership=again)

    assert issued.user.pk == user.pk
    user.refresh_from_db()
    assert user.is_active and not user.has_usable_password()
    assert activate(issued)


def test_a_reset_needs_a_login_to_reset(officer):
    with pytest.raises(ValidationError, match="belum punya login"):
        membership_login_reset(actor=None, membership=officer)


def test_an_ordinary_member_with_an_account_reaches_nothing(member_user, ksm):
    assert not SelfHelpGroup.objects.visible_to(member_user).exists()
