"""Login throttling (django-axes): a handful of wrong passwords for a login, or from one
address, and the login is refused even with the right password, with a clear message, until
staff unlock it in admin. Every attempt is recorded."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import Client
from django.urls import reverse

from accounts.throttle import lockout_minutes
from tests.groups.factories import PASSWORD, UserFactory
from tests.web.support import logged_in, translated

pytestmark = pytest.mark.django_db

LOCKOUT = (
    "Too many wrong passwords for this login or from this device. Logging in is blocked "
    "for %(minutes)s minutes, even with the right password. Ask staff to unlock it sooner."
)


def lockout_text() -> str:
    return translated(LOCKOUT) % {"minutes": lockout_minutes()}


def log_in(client, url, username, password, address="10.0.0.7"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_then_the_right_one_is_refused_with_the_message(treasurer):
    client = Client()
    for _ in range(30):
        log_in(client, reverse("login"), "bendahara", "salah-terus")

    response = log_in(client, reverse("login"), "bendahara", PASSWORD)

    assert response.status_code == 429
    assert lockout_text() in response.content.decode()
    assert not is_logged_in(client)


def test_a_few_wrong_passwords_do_not_lock_the_login(treasurer):
    client = Client()
    for _ in range(4):
        assert log_in(client, reverse("login"), "bendahara", "salah").status_code == 200

    response = log_in(client, reverse("login"), "bendahara", PASSWORD)

    assert response.status_code == 302
    assert is_logged_in(client)


def test_the_lock_holds_for_the_username_from_another_address(treasurer):
    for _ in range(5):
        log_in(Client(), reverse("login"), "Bendahara ", "salah", address="10.0.0.7")

    client = Client()
    response = log_in(client, reverse("login"), "bendahara", PASSWORD, address="10.9.9.9")

    assert response.status_code == 429
    assert not is_logged_in(client)


def test_the_lock_holds_for_the_address_for_another_username(treasurer):
    for number in range(5):
        log_in(Client(), reverse("login"), f"tebakan{number}", "salah", address="10.0.0.7")

    client = Client()
    response = log_in(client, reverse("login"), "bendahara", PASSWORD, address="10.0.0.7")

    assert response.status_code == 429
    assert not is_logged_in(client)


def test_admin_login_is_throttled_too(staff_user):
    client = Client()
    for _ in range(30):
        log_in(client, reverse("admin:login"), "staf", "salah-terus")

    response = log_in(client, reverse("admin:login"), "staf", PASSWORD)

    assert response.status_code == 429
    assert lockout_text() in response.content.decode()
    assert not is_logged_in(client)
    assert client.get(reverse("admin:index")).status_code == 302  # back to the admin login


def test_staff_unlock_a_login_from_admin_and_the_user_gets_in(treasurer, staff_user):
    for _ in range(6):
        log_in(Client(), reverse("login"), "bendahara", "salah")
    lock = AccessAttempt.objects.get(username="bendahara")
    admin = logged_in(staff_user)
    assert admin.get(reverse("admin:axes_accessattempt_changelist")).status_code == 200

    response = admin.post(
        reverse("admin:axes_accessattempt_delete", args=[lock.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    client = Client()
    assert log_in(client, reverse("login"), "bendahara", PASSWORD).status_code == 302
    assert is_logged_in(client)


def test_every_attempt_is_recorded(treasurer):
    for _ in range(3):
        log_in(Client(), reverse("login"), "bendahara", "salah", address="10.0.0.8")
    log_in(Client(), reverse("login"), "bendahara", PASSWORD, address="10.0.0.8")

    failures = AccessFailureLog.objects.filter(username="bendahara", ip_address="10.0.0.8")
    assert failures.count() == 3
    assert AccessLog.objects.filter(username="bendahara", ip_address="10.0.0.8").count() == 1


def test_program_staff_see_the_attempts_but_cannot_unlock(treasurer, program_staff):
    log_in(Client(), reverse("login"), "bendahara", "salah")
    lock = AccessAttempt.objects.get(username="bendahara")
    viewer = logged_in(program_staff)

    assert viewer.get(reverse("admin:axes_accessattempt_changelist")).status_code == 200
    response = viewer.post(
        reverse("admin:axes_accessattempt_delete", args=[lock.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert AccessAttempt.objects.filter(pk=lock.pk).exists()


def test_the_test_client_login_still_works_without_a_request():
    user = UserFactory(username="tanpa.permintaan")
    assert Client().login(username=user.username, password=PASSWORD)


def _admin_unlock(admin, *events):
    return admin.post(
        reverse("admin:accounts_loginevent_changelist"),
        {"action": "unlock_logins", "_selected_action": [event.pk for event in events]},
    )


def test_staff_unlock_a_guessed_activation_code_from_admin_and_the_officer_activates(
    django_user_model,
):
    """Guesses kill the code and hold the username for the window; staff give a new code
    (the slip) and unlock, and the officer activates with it at once."""
    from django.core.exceptions import ValidationError

    from accounts.models import LoginEvent
    from accounts.services import (
        MAX_FAILURES_PER_USERNAME,
        activation_code_issue,
        login_activate,
        login_create,
    )

    login_create(actor=None, full_name="Siti Aminah")
    for _ in range(MAX_FAILURES_PER_USERNAME):
        with pytest.raises(ValidationError):
            login_activate(username="siti.aminah", code="XXXX-XXXX", password="Sawah-Hijau-2017")
    officer = django_user_model.objects.get(username="siti.aminah")
    fresh = activation_code_issue(actor=None, user=officer)
    with pytest.raises(ValidationError, match="Terlalu banyak"):  # the new code waits too
        login_activate(username="siti.aminah", code=fresh.code, password="Sawah-Hijau-2017")
    administrator = django_user_model.objects.create_superuser("root", "r@example.org", "x")
    failed = LoginEvent.objects.filter(username="siti.aminah", kind="activation_failed").first()

    response = _admin_unlock(logged_in(administrator), failed)

    assert response.status_code == 302
    assert LoginEvent.objects.filter(username="siti.aminah", kind="unlocked").count() == 1
    user = login_activate(username="siti.aminah", code=fresh.code, password="Sawah-Hijau-2017")
    assert user == officer


def test_the_same_unlock_lifts_a_password_lockout(treasurer, django_user_model):
    from accounts.models import LoginEvent

    for _ in range(6):
        log_in(Client(), reverse("login"), "bendahara", "salah")
    assert AccessAttempt.objects.filter(username="bendahara").exists()
    administrator = django_user_model.objects.create_superuser("root", "r@example.org", "x")
    failed = LoginEvent.objects.filter(username="bendahara", kind="login_failed").first()

    _admin_unlock(logged_in(administrator), failed)

    assert not AccessAttempt.objects.filter(username="bendahara").exists()
    client = Client()
    assert log_in(client, reverse("login"), "bendahara", PASSWORD).status_code == 302
    assert is_logged_in(client)


def test_program_staff_may_not_unlock(treasurer, program_staff):
    from accounts.models import LoginEvent

    for _ in range(6):
        log_in(Client(), reverse("login"), "bendahara", "salah")
    failed = LoginEvent.objects.filter(username="bendahara", kind="login_failed").first()
    viewer = logged_in(program_staff)

    page = viewer.get(reverse("admin:accounts_loginevent_changelist")).content.decode()
    _admin_unlock(viewer, failed)

    assert "unlock_logins" not in page
    assert not LoginEvent.objects.filter(kind="unlocked").exists()
    assert AccessAttempt.objects.filter(username="bendahara").exists()
