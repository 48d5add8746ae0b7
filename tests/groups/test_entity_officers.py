"""BUMDes and cooperative officers: recorded by those who look after the entity, given logins
the same way as KSM officers, and posting to their own entity's books only."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.services import login_activate
from finance.models import Book
from finance.services import book_open
from groups.models import Cooperative, Officer, SelfHelpGroup
from groups.services import officer_appoint, officer_end, officer_login_grant
from tests.groups.factories import CooperativeFactory
from tests.villages.factories import BumdesFactory
from tests.web.support import element, logged_in
from villages.models import Bumdes

pytestmark = pytest.mark.django_db
PASSWORD = "Sawah-Hijau-2017"
START = datetime.date(2017, 3, 15)


def appoint(entity, role, name="Budi Santoso"):
    return officer_appoint(actor=None, entity=entity, full_name=name, role=role, start_date=START)


def logged_officer(entity, role):
    officer = appoint(entity, role)
    issued = officer_login_grant(actor=None, officer=officer)
    return login_activate(username=issued.user.username, code=issued.code, password=PASSWORD)


@pytest.fixture
def books(bumdes, cooperative, ksm, other_village):
    opened = datetime.date(2017, 1, 1)
    return {
        "bumdes": book_open(owner=bumdes, opening_date=opened),
        "other_bumdes": book_open(owner=BumdesFactory(village=other_village), opening_date=opened),
        "cooperative": book_open(owner=cooperative, opening_date=opened),
        "other_cooperative": book_open(owner=CooperativeFactory(), opening_date=opened),
        "ksm": book_open(owner=ksm, opening_date=opened),
    }


def test_a_bumdes_treasurer_posts_to_their_bumdes_books_only(bumdes, books):
    user = logged_officer(bumdes, Officer.Role.TREASURER)

    assert list(Book.objects.postable_by(user)) == [books["bumdes"]]
    assert list(Bumdes.objects.visible_to(user)) == [bumdes]
    assert not SelfHelpGroup.objects.visible_to(user).exists()
    browser = logged_in(user)
    assert (
        browser.get(
            reverse("finance:record", args=[books["bumdes"].pk, "cash-in"]), follow=True
        ).status_code
        == 200
    )
    assert browser.get(books["other_bumdes"].get_absolute_url()).status_code == 404
    assert browser.get(books["ksm"].get_absolute_url()).status_code == 404


def test_a_cooperative_treasurer_posts_to_their_cooperative_books_only(cooperative, books):
    user = logged_officer(cooperative, Officer.Role.TREASURER)

    assert list(Book.objects.postable_by(user)) == [books["cooperative"]]
    assert list(Cooperative.objects.visible_to(user)) == [cooperative]
    browser = logged_in(user)
    assert browser.get(books["cooperative"].get_absolute_url()).status_code == 200
    assert browser.get(books["other_cooperative"].get_absolute_url()).status_code == 404


def test_a_bumdes_director_reads_the_books_but_does_not_post(bumdes, books):
    user = logged_officer(bumdes, Officer.Role.DIRECTOR)
    browser = logged_in(user)

    assert browser.get(books["bumdes"].get_absolute_url()).status_code == 200
    assert not Book.objects.postable_by(user).exists()
    url = reverse("finance:record", args=[books["bumdes"].pk, "cash-in"])
    assert browser.get(url, follow=True).status_code == 403


def test_leaving_office_ends_the_officers_reach(bumdes, books):
    user = logged_officer(bumdes, Officer.Role.TREASURER)
    officer = Officer.objects.get(user=user)

    officer_end(actor=None, officer=officer, end_date=timezone.localdate())

    user.refresh_from_db()
    assert not user.is_active
    assert not Book.objects.postable_by(user).exists()


def test_offices_fit_the_entity(bumdes, cooperative):
    with pytest.raises(ValidationError, match="direktur"):
        appoint(cooperative, Officer.Role.DIRECTOR)
    with pytest.raises(ValidationError, match="ketua"):
        appoint(bumdes, Officer.Role.CHAIR)


def test_one_treasurer_in_office_at_a_time(bumdes):
    first = appoint(bumdes, Officer.Role.TREASURER)
    with pytest.raises(ValidationError, match="sudah punya bendahara"):
        appoint(bumdes, Officer.Role.TREASURER, name="Ani")
    officer_end(actor=None, officer=first, end_date=timezone.localdate())
    assert appoint(bumdes, Officer.Role.TREASURER, name="Ani").full_name == "Ani"


def test_an_office_cannot_start_before_the_entity_existed(bumdes):
    with pytest.raises(ValidationError, match="sebelum lembaganya berdiri"):
        officer_appoint(
            actor=None,
            entity=bumdes,
            full_name="Budi",
            role=Officer.Role.TREASURER,
            start_date=bumdes.established_date - datetime.timedelta(days=1),
        )


def test_a_facilitator_records_a_bumdes_officer_and_gives_a_login_from_its_page(
    facilitator, bumdes
):
    browser = logged_in(facilitator)
    response = browser.post(
        reverse("groups:officer_add", args=["bumdes", bumdes.pk]),
        {
            "full_name": "Budi  Santoso",
            "role": "treasurer",
            "phone": "+62 812-3456-7890",
            "start_date": "2017-03-01",
        },
    )
    officer = Officer.objects.get(bumdes=bumdes)
    assert response.status_code == 302
    assert (officer.full_name, officer.phone) == ("Budi Santoso", "081234567890")

    page = browser.get(bumdes.get_absolute_url())
    assert "Budi Santoso" in element(page, "entity-officers").text
    response = browser.post(
        reverse("groups:officer_login", args=[officer.pk]), {"username": "budi.bumdes"}
    )
    assert element(browser.get(response.url), "slip-username").text == "budi.bumdes"


def test_a_facilitator_cannot_record_officers_of_another_villages_bumdes(
    facilitator, other_village
):
    elsewhere = BumdesFactory(village=other_village)
    browser = logged_in(facilitator)

    response = browser.post(
        reverse("groups:officer_add", args=["bumdes", elsewhere.pk]),
        {"full_name": "Budi", "role": "treasurer", "start_date": "2017-03-01"},
    )

    assert response.status_code == 404
    assert not Officer.objects.exists()


def test_cooperative_officers_are_recorded_by_program_staff_not_facilitators(
    facilitator, program_staff, cooperative, ksm
):
    data = {"full_name": "Sri Wahyuni", "role": "chair", "start_date": "2017-12-01"}
    url = reverse("groups:officer_add", args=["cooperative", cooperative.pk])

    assert logged_in(facilitator).post(url, data).status_code in (403, 404)
    assert logged_in(program_staff).post(url, data).status_code == 302
    assert Officer.objects.get().cooperative == cooperative


def test_the_book_pages_post_check_follows_the_same_rule_as_postable_by(
    bumdes, cooperative, books, treasurer, facilitator, staff_user
):
    from accounts.roles import FINANCE_STAFF
    from tests.groups.factories import UserFactory

    users = [
        logged_officer(bumdes, Officer.Role.TREASURER),
        logged_officer(cooperative, Officer.Role.TREASURER),
        logged_officer(bumdes, Officer.Role.DIRECTOR),
        treasurer,
        facilitator,
        staff_user,
        UserFactory(username="staf.keuangan", staff_role=FINANCE_STAFF),
    ]
    posting = 0
    for user in users:
        for book in books.values():
            allowed = Book.objects.postable_by(user).filter(pk=book.pk).exists()
            assert book.is_postable_by(user) == allowed, (user.username, str(book))
            posting += allowed
    assert 0 < posting < len(users) * len(books)
