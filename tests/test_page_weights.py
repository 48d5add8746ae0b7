"""Page weights (issue 13): on a 400 kbps link every kilobyte is 20 ms. A first visit to any
page carries at most 60 KB over the wire (the page and the CSS and scripts it links), a repeat
visit at most 20 KB (the page alone: the static files have hashed names and a year's cache
lifetime, tests/test_make_run.py checks that).

Measured without a browser, through the test client, so it is fast and the same on every run:
the page as GZipMiddleware sends it to a browser that accepts gzip, its response headers, and
each stylesheet and script it links, gzip-compressed as WhiteNoise serves it (level 9; brotli
over HTTPS is smaller still), plus a round 400 bytes of headers each. bench/weights.py measures
the same pages in Chromium against a served demo.

Bootstrap is compiled from its Sass with only the parts the templates use; the last test
checks that every Bootstrap class a template, a template tag or a crispy field template names
is in it.
"""

import datetime
import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.finance import conftest as finance_fixtures
from tests.finance import test_reports
from tests.groups.factories import MembershipFactory
from tests.training.factories import TrainingEventFactory, VisitFactory

book = finance_fixtures.book
people, march_book = test_reports.people, test_reports.march_book

pytestmark = pytest.mark.django_db

FIRST_LOAD_LIMIT = 60 * 1024
REPEAT_LIMIT = 20 * 1024
ASSET_HEADERS = 400  # bytes of response headers for a static file (status line, type, cache)
LINKED = re.compile(
    r'<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"|<script\b[^>]*\bsrc="([^"]+)"'
)
HTMX = "vendor/htmx/htmx.min.js"

# The pages each role opens most, as (URL name, what its arguments name). A facilitator reads
# the books but posts nothing, so has no meeting sheet.
COMMON = [
    ("dashboard:dashboard", ()),
    ("groups:list", ()),
    ("groups:detail", ("ksm",)),
    ("groups:member_search", ()),
    ("training:event_list", ()),
    ("finance:book", ("book",)),
    ("finance:cash_book", ("book",)),
    ("finance:balance_sheet", ("book",)),
]
PAGES = {
    "staff": [
        *COMMON,
        ("finance:meeting_sheet", ("book",)),  # 25 members: the heaviest page
        ("dashboard:overview", ()),
        ("villages:regions", ()),
        ("villages:bumdes_list", ()),
        ("groups:cooperative_list", ()),
        ("training:visit_list", ()),
    ],
    "facilitator": [*COMMON, ("training:agenda", ()), ("training:visit_list", ())],
    "treasurer": [
        ("dashboard:dashboard", ()),
        ("finance:book", ("book",)),
        ("finance:meeting_sheet", ("book",)),
        ("finance:cash_book", ("book",)),
        ("finance:members", ("book",)),
        ("finance:loans", ("book",)),
    ],
    "anonymous": [("login", ())],
}


def _static_path(url: str) -> Path:
    assert url.startswith(settings.STATIC_URL) or url.startswith("/" + settings.STATIC_URL), url
    name = url.split(settings.STATIC_URL, 1)[1].split("?")[0]
    found = finders.find(name)
    assert found, f"{name} is linked but not there: `make assets` builds static/build/"
    return Path(found)


def _compressed(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))


def _header_bytes(response) -> int:
    status_line = len("HTTP/1.1 200 OK\r\n")
    return status_line + sum(len(f"{k}: {v}\r\n") for k, v in response.headers.items()) + 2


def weigh(client, url: str) -> dict:
    """What a browser that accepts gzip fetches for `url` with an empty cache: the page (after
    any redirect, which counts too), and the CSS and scripts it links."""
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
    page = 0
    while response.status_code in (301, 302):
        page += len(response.content) + _header_bytes(response)
        response = client.get(response.headers["Location"], HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert response.status_code == 200, (url, response.status_code)
    assert response.headers.get("Content-Encoding") == "gzip", f"{url} is sent uncompressed"
    html = gzip.decompress(response.content).decode()
    page += len(response.content) + _header_bytes(response)
    assets = {}
    for stylesheet, script in LINKED.findall(html):
        path = _static_path(stylesheet or script)
        assets[stylesheet or script] = _compressed(path) + ASSET_HEADERS
    return {"html": html, "page": page, "assets": assets, "first": page + sum(assets.values())}


def _figure(url: str, weight: dict) -> str:
    parts = ", ".join(f"{Path(a).name} {b / 1024:.1f}" for a, b in weight["assets"].items())
    return (
        f"{url}: first load {weight['first'] / 1024:.1f} KB "
        f"(page {weight['page'] / 1024:.1f} KB; {parts}), repeat {weight['page'] / 1024:.1f} KB"
    )


@pytest.fixture
def world(march_book, ksm, facilitator, treasurer, staff_user, client):
    """A KSM of 25 members with a month of books, a training and a visit, as a facilitator's
    village holds them."""
    for _ in range(25 - ksm.memberships.filter(left_date__isnull=True).count()):
        MembershipFactory(group=ksm, joined_date=datetime.date(2016, 6, 1))
    TrainingEventFactory()
    VisitFactory(group=ksm, facilitator=facilitator)
    return {
        "objects": {"ksm": ksm.pk, "book": march_book.pk},
        "users": {"staff": staff_user, "facilitator": facilitator, "treasurer": treasurer},
    }


@pytest.mark.parametrize("role", list(PAGES))
def test_every_page_stays_light_on_a_first_and_a_repeat_visit(client, world, role):
    if role in world["users"]:
        client.force_login(world["users"][role])
    too_heavy = []
    for name, args in PAGES[role]:
        url = reverse(name, args=[world["objects"][arg] for arg in args])

        weight = weigh(client, url)

        print(role, _figure(url, weight))
        if weight["first"] > FIRST_LOAD_LIMIT or weight["page"] > REPEAT_LIMIT:
            too_heavy.append(_figure(url, weight))
    assert not too_heavy, (
        f"over {FIRST_LOAD_LIMIT // 1024} KB on a first load or {REPEAT_LIMIT // 1024} KB on a "
        "repeat visit:\n" + "\n".join(too_heavy)
    )


@pytest.mark.parametrize("role", list(PAGES))
def test_htmx_is_loaded_only_where_the_page_uses_it(client, world, role):
    if role in world["users"]:
        client.force_login(world["users"][role])
    for name, args in PAGES[role]:
        url = reverse(name, args=[world["objects"][arg] for arg in args])

        weight = weigh(client, url)

        uses_htmx = re.search(r"\shx-[a-z]+=", weight["html"]) is not None
        loads_htmx = any(asset.endswith(HTMX) for asset in weight["assets"])
        assert loads_htmx == uses_htmx, f"{url}: hx- attributes {uses_htmx}, htmx {loads_htmx}"


# --- The compiled Bootstrap holds every Bootstrap class a template uses -----------------------

ROOT = Path(settings.BASE_DIR)
CLASS_VALUE = re.compile(r'class=\\?"([^"\\]*)|\["class"\]\s*=\s*f?"([^"]*)"|"class":\s*"([^"]*)"')
TEMPLATE_CODE = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{[^}]*\}")
SELECTOR_CLASS = re.compile(r"\.([a-z][a-z0-9-]*)")


def _classes_in(text: str) -> set[str]:
    """The class names in class="..." attributes (template code taken out) and in the class
    a form widget or a template tag writes."""
    found = set()
    for groups in CLASS_VALUE.findall(text):
        found |= set(TEMPLATE_CODE.sub(" ", " ".join(groups)).split())
    return found


def _site_sources():
    skip = {".venv", "node_modules", "tests", "bench", ".git", "static"}
    for path in sorted(ROOT.rglob("*")):
        if path.suffix in {".html", ".py"} and not skip & set(path.relative_to(ROOT).parts):
            yield path
    import crispy_bootstrap5

    # crispy-bootstrap5's field templates; its accordion, modal, tab and alert layout objects
    # are not used by any form here.
    crispy = Path(crispy_bootstrap5.__file__).parent / "templates"
    for path in sorted(crispy.rglob("*.html")):
        if not re.search("accordion|modal|tab|alert", path.name):
            yield path
    yield from sorted((ROOT / "static" / "js").glob("*.js"))


def test_the_compiled_bootstrap_has_every_bootstrap_class_the_templates_use():
    """static/scss/bootstrap-ksm.scss compiles only some of Bootstrap: a template that starts
    using a component or a utility left out (a modal, col-xl-3, text-md-end) must add it there,
    or the page loses its look."""
    full = (ROOT / "node_modules" / "bootstrap" / "dist" / "css" / "bootstrap.css").read_text()
    compiled = _static_path(settings.STATIC_URL + "build/bootstrap.css").read_text()
    used = set()
    for path in _site_sources():
        used |= _classes_in(path.read_text(errors="ignore"))
    bootstrap_classes = used & set(SELECTOR_CLASS.findall(full))

    missing = bootstrap_classes - set(SELECTOR_CLASS.findall(compiled))

    assert len(bootstrap_classes) > 150  # the scan finds the templates' classes
    assert not missing, f"add to static/scss/bootstrap-ksm.scss: {sorted(missing)}"
