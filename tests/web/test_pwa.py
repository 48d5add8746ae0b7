"""The installable web app: the manifest and the service worker the site serves itself, and the
forms that say they work offline."""

import datetime
import json

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from finance.services import book_open
from tests.web.support import logged_in, parse, translated


def test_the_service_worker_is_served_at_the_sites_root_so_it_can_keep_every_page(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert reverse("pwa_service_worker") == "/sw.js"
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    # Checked on every visit, so a new release reaches the phones.
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    assert 'var STATIC_PREFIX = "/static/";' in script
    assert "data-offline-form" in script


def test_a_changed_worker_names_a_new_static_cache(client, settings):
    first = client.get("/sw.js").content.decode()
    settings.STATIC_URL = "/assets/"

    second = client.get("/sw.js").content.decode()

    def version(script):
        return script.split('var VERSION = "', 1)[1].split('"', 1)[0]

    assert len(version(first)) == 12
    assert version(first) != version(second)


def test_the_workers_no_connection_page_is_in_the_users_language(client):
    script = client.get("/sw.js", HTTP_ACCEPT_LANGUAGE="id").content.decode()

    assert translated("No connection") in script


def test_the_manifest_makes_the_site_installable_with_its_own_icons(client):
    response = client.get(reverse("pwa_manifest"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == translated("KSM Portal")
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (
        "/",
        "/",
        "standalone",
    )
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        # Served by the site itself, no CDN.
        assert icon["src"].startswith("/static/")
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_every_page_links_the_manifest_and_a_logged_in_page_loads_the_offline_script(
    client, treasurer
):
    login_page = parse(client.get(reverse("login")).content.decode())
    assert reverse("pwa_manifest") in [el.attrs.get("href") for el in login_page.find_all("link")]
    assert login_page.by_id("offline-js") is None

    home = parse(logged_in(treasurer).get(reverse("home")).content.decode())
    script = home.by_id("offline-js")
    assert script.attrs["data-sw"] == "/sw.js"
    assert script.attrs["data-waiting"] == translated("waiting")
    assert script.attrs["data-sent"] == translated("sent")
    assert script.attrs["data-refused"] == translated("refused")


@pytest.fixture
def book(ksm):
    return book_open(owner=ksm, opening_date=datetime.date(2024, 1, 1))


def _offline_forms(response) -> list:
    page = parse(response.content.decode())
    return [form for form in page.find_all("form") if "data-offline-form" in form.attrs]


@pytest.mark.parametrize("slug", ["cash-in", "cash-out", "deposit", "withdrawal", "general"])
def test_the_treasurers_record_forms_work_offline(treasurer, book, slug):
    client = logged_in(treasurer)
    response = client.get(reverse("finance:record", args=[book.pk, slug]), follow=True)

    assert len(_offline_forms(response)) == 1


def test_the_meeting_sheet_works_offline(treasurer, book):
    response = logged_in(treasurer).get(
        reverse("finance:meeting_sheet", args=[book.pk]), follow=True
    )

    assert [form.attrs.get("id") for form in _offline_forms(response)] == ["meeting-sheet"]


def test_the_visit_form_works_offline(facilitator, ksm):
    response = logged_in(facilitator).get(
        reverse("training:visit_create", args=[ksm.pk]), follow=True
    )

    assert [form.attrs.get("id") for form in _offline_forms(response)] == ["visit-form"]
