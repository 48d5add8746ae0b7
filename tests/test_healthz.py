"""The uptime check tells a load balancer whether the portal can reach its database."""

import pytest
from django.db import OperationalError
from django.urls import reverse

from ksm_portal import views


@pytest.mark.django_db
def test_healthz_says_ok_when_the_database_answers(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


class _UnreachableDatabase:
    def cursor(self):
        raise OperationalError("could not connect to server: Connection refused")


def test_healthz_reports_503_with_a_reason_when_the_database_is_down(client, caplog, monkeypatch):
    monkeypatch.setattr(views, "connection", _UnreachableDatabase())

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    body = response.json()
    assert body["status"] != "ok"
    assert body["reason"] == "database unavailable"
    # The database's own words go to the log, not to an anonymous caller.
    assert "Connection refused" not in response.content.decode()
    assert "Connection refused" in caplog.text


def test_healthz_needs_no_login_and_no_https_redirect(client, monkeypatch, settings):
    settings.SECURE_SSL_REDIRECT = True
    monkeypatch.setattr(views, "connection", _UnreachableDatabase())

    response = client.get("/healthz")

    assert response.status_code == 503


@pytest.mark.django_db
def test_healthz_only_answers_get(client):
    assert client.post(reverse("healthz")).status_code == 405
