"""An officer's login: made by a facilitator, activated once with the code on the slip,
throttled against guessing, reset when forgotten."""

import datetime

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import ActivationCode, LoginEvent
from accounts.services import (
    MAX_FAILURES_PER_ADDRESS,
    MAX_FAILURES_PER_USERNAME,
    activation_code_issue,
    login_activate,
    login_create,
    login_reset,
    username_suggest,
)
from tests.groups.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Sawah-Hijau-2017"


def test_a_username_is_suggested_from_the_name_and_kept_free():
    assert username_suggest("Siti Nur Aminah") == "siti.aminah"
    UserFactory(username="siti.aminah")
    UserFactory(username="siti.aminah2")
    assert username_suggest("Siti Nur Aminah") == "siti.aminah3"
    assert username_suggest("Mukaromah") == "mukaromah"
    assert username_suggest("Ñoño Ŝuŝanto") == "nono.susanto"


def test_a_new_login_has_no_password_until_the_officer_activates_it():
    issued = login_create(actor=None, full_name="Siti Aminah")

    user = get_user_model().objects.get(username="siti.aminah")
    assert not user.has_usable_password()
    assert authenticate(username="siti.aminah", password="") is None
    assert len(issued.code) == 8 and issued.display[4] == "-"
    assert ActivationCode.objects.get(user=user).code_hash != issued.code  # kept hashed

    activated = login_activate(
        username="Siti.Aminah ", code=issued.display.lower(), password=PASSWORD
    )

    assert activated == user
    assert authenticate(username="siti.aminah", password=PASSWORD) == user


def test_a_code_works_once():
    issued = login_create(actor=None, full_name="Siti Aminah")
    login_activate(username="siti.aminah", code=issued.code, password=PASSWORD)

    with pytest.raises(ValidationError, match="tidak tepat"):
        login_activate(username="siti.aminah", code=issued.code, password="Lain-Lagi-2018")
    assert authenticate(username="siti.aminah", password=PASSWORD) is not None


def test_an_expired_code_is_refused():
    issued = login_create(actor=None, full_name="Siti Aminah")
    ActivationCode.objects.update(
        created_at=timezone.now() - datetime.timedelta(days=20),
        expires_at=timezone.now() - datetime.timedelta(days=6),
    )

    with pytest.raises(ValidationError, match="tidak tepat"):
        login_activate(username="siti.aminah", code=issued.code, password=PASSWORD)


def test_a_weak_password_is_refused_and_the_code_still_works():
    issued = login_create(actor=None, full_name="Siti Aminah")

    with pytest.raises(ValidationError):
        login_activate(username="siti.aminah", code=issued.code, password="12345678")

    assert login_activate(username="siti.aminah", code=issued.code, password=PASSWORD)


def test_wrong_guesses_for_a_username_lock_it_for_a_while_even_for_the_right_code():
    issued = login_create(actor=None, full_name="Siti Aminah")
    for _ in range(MAX_FAILURES_PER_USERNAME):
        with pytest.raises(ValidationError, match="tidak tepat"):
            login_activate(username="siti.aminah", code="AAAA-AAAA", password=PASSWORD)

    with pytest.raises(ValidationError, match="Terlalu banyak percobaan"):
        login_activate(username="siti.aminah", code=issued.code, password=PASSWORD)
    assert LoginEvent.objects.filter(kind="activation_failed", username="siti.aminah").count() == 5


def test_a_code_guessed_wrongly_too_often_stops_working():
    issued = login_create(actor=None, full_name="Siti Aminah")
    for _ in range(ActivationCode.MAX_FAILURES):
        with pytest.raises(ValidationError):
            login_activate(username="siti.aminah", code="AAAA-AAAA", password=PASSWORD)
    LoginEvent.objects.all().delete()  # the username lock has passed; the code stays spent

    with pytest.raises(ValidationError, match="tidak tepat"):
        login_activate(username="siti.aminah", code=issued.code, password=PASSWORD)


def test_many_wrong_guesses_from_one_address_lock_that_address():
    issued = login_create(actor=None, full_name="Siti Aminah")
    for number in range(MAX_FAILURES_PER_ADDRESS):
        with pytest.raises(ValidationError):
            login_activate(
                username=f"tebakan{number}",
                code="AAAA-AAAA",
                password=PASSWORD,
                ip_address="10.0.0.9",
            )

    with pytest.raises(ValidationError, match="Terlalu banyak percobaan"):
        login_activate(
            username="siti.aminah", code=issued.code, password=PASSWORD, ip_address="10.0.0.9"
        )
    assert login_activate(
        username="siti.aminah", code=issued.code, password=PASSWORD, ip_address="10.0.0.10"
    )


def test_a_reset_stops_the_old_password_and_the_old_code():
    first = login_create(actor=None, full_name="Siti Aminah")
    login_activate(username="siti.aminah", code=first.code, password=PASSWORD)
    user = get_user_model().objects.get(username="siti.aminah")
    pending = activation_code_issue(actor=None, user=user)

    second = login_reset(actor=None, user=user)

    assert authenticate(username="siti.aminah", password=PASSWORD) is None
    with pytest.raises(ValidationError):
        login_activate(username="siti.aminah", code=pending.code, password="Baru-Sekali-2018")
    LoginEvent.objects.all().delete()
    assert login_activate(username="siti.aminah", code=second.code, password="Baru-Sekali-2018")


def test_the_activation_page_sets_the_password_and_logs_the_officer_in():
    issued = login_create(actor=None, full_name="Siti Aminah")
    browser = Client()

    response = browser.post(
        reverse("accounts:activate"),
        {
            "username": "siti.aminah",
            "code": issued.display,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 302 and response.url == reverse("home")
    assert browser.get(reverse("home")).status_code == 200
    assert browser.get(reverse("home")).wsgi_request.user.username == "siti.aminah"


def test_the_activation_page_explains_a_wrong_code_in_indonesian():
    login_create(actor=None, full_name="Siti Aminah")

    response = Client().post(
        reverse("accounts:activate"),
        {
            "username": "siti.aminah",
            "code": "ZZZZ-ZZZZ",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 200
    assert "Nama pengguna atau kode aktivasi tidak tepat." in response.content.decode()
    assert LoginEvent.objects.get().ip_address == "127.0.0.1"


def test_anyone_logged_in_changes_their_own_password_on_the_site(user):
    browser = Client()
    browser.force_login(user)

    response = browser.post(
        reverse("accounts:password_change"),
        {"old_password": "rahasia-ksm-2016", "new_password1": PASSWORD, "new_password2": PASSWORD},
    )

    assert response.status_code == 302
    assert authenticate(username=user.username, password=PASSWORD) == user
    assert browser.get(reverse("home")).status_code == 200  # still logged in
