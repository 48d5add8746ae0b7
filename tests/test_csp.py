"""Content-Security-Policy and Permissions-Policy: the site runs only its own scripts.

The policy forbids inline scripts and event handlers, so behaviour lives in static/js files
wired by data- attributes; the <style> blocks of report pages carry the request's nonce.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.finance import conftest as finance_fixtures
from tests.finance import test_reports
from tests.web.support import translated
from tests.web.test_journeys import log_in, with_password

book = finance_fixtures.book
people, march_book = test_reports.people, test_reports.march_book

ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [ROOT / "templates", *sorted(ROOT.glob("*/templates"))]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_TAG = re.compile(r"<style\b[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


def project_templates():
    for folder in TEMPLATE_DIRS:
        if ".venv" in folder.parts or "node_modules" in folder.parts:
            continue
        yield from sorted(folder.rglob("*.html"))


def test_every_page_sends_a_policy_that_allows_only_the_sites_own_scripts(client):
    response = client.get(reverse("login"))

    rules = policy(response)
    assert rules["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in rules["style-src"]
    assert rules["frame-ancestors"] == ["'none'"]
    assert rules["object-src"] == ["'none'"]
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]


def test_admin_pages_carry_the_policy_too(client, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert policy(response)["script-src"] == ["'self'"]


@pytest.mark.parametrize("path", list(project_templates()), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_carries_inline_script_handlers_or_style_attributes(path):
    text = path.read_text()

    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to static/js"
    assert not INLINE_HANDLER.search(text), "inline on...= handler: use a data- attribute"
    assert not STYLE_ATTRIBUTE.search(text), "style= attribute: use a class"
    for tag in STYLE_TAG.findall(text):
        assert 'nonce="{{ request.csp_nonce }}"' in tag, "a <style> block needs the nonce"


def test_a_report_pages_style_block_carries_the_nonce_the_header_allows(
    client, march_book, facilitator
):
    client.force_login(facilitator)
    response = client.get(reverse("finance:cash_book", args=[march_book.pk]))

    assert response.status_code == 200
    nonce = re.search(r'<style nonce="([^"]+)">', response.content.decode())
    assert nonce and nonce.group(1)
    assert f"'nonce-{nonce.group(1)}'" in policy(response)["style-src"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_run_without_a_single_policy_violation(
    page: Page, live_server, march_book, facilitator
):
    """The menu, the print button, the language select and the report styles all work in
    Chromium under the policy, and the browser reports no refused script or style."""
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    with_password(facilitator)
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server, facilitator)

    page.goto(f"{live_server.url}{reverse('finance:cash_book', args=[march_book.pk])}")
    amount_cell = page.locator(".report-table td.amount").first
    expect(amount_cell).to_have_css("text-align", "right")  # the nonce'd <style> applied

    page.get_by_role("button", name=translated("Menu")).click()  # Bootstrap's collapse
    expect(page.locator("#main-nav")).to_be_visible()

    page.locator("#language").select_option("en")  # data-autosubmit, no button
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.goto(f"{live_server.url}{reverse('dashboard:overview')}")
    assert refused == []
