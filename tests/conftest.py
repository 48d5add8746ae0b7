"""Shared fixtures (factories as fixtures, cookiecutter-django style) and browser-test support.

Fixtures compose: `facilitator` is assigned to `village`, `ksm` lies in `village`, and
`treasurer` keeps the books of `ksm`, so a test that asks for two of them gets related rows.
"""

import os
from collections.abc import Callable, Mapping

import pytest

from accounts.roles import ADMINISTRATORS, FINANCE_STAFF, PROGRAM_STAFF
from tests.groups.factories import (
    CooperativeFactory,
    MemberFactory,
    MembershipFactory,
    SelfHelpGroupFactory,
    UserFactory,
)
from tests.villages.factories import (
    BumdesFactory,
    DistrictFactory,
    FacilitatorAssignmentFactory,
    ProvinceFactory,
    RegencyFactory,
    VillageFactory,
)

# Playwright drives the browser from an event loop; the live server's ORM calls then run in
# what Django sees as an async context.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(autouse=True)
def _nothing_kept_between_tests():
    """What pages keep (ksm_portal.caching) is keyed by ids, which a later test may reuse."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request with the language cookie (or a test that overrides LANGUAGE_CODE) activates
    its language for the thread; the next test starts in the site's default again."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


# --- Model fixtures ---------------------------------------------------------------------------


@pytest.fixture
def province(db):
    return ProvinceFactory(code="33", name="Jawa Tengah")


@pytest.fixture
def regency(province):
    return RegencyFactory(province=province, code="33.25", name="Batang")


@pytest.fixture
def district(regency):
    return DistrictFactory(regency=regency, code="33.25.01", name="Wonotunggal")


@pytest.fixture
def village(district):
    return VillageFactory(district=district, code="33.25.01.2001", name="Wonotunggal")


@pytest.fixture
def other_village(db):
    """A village in another district, regency and province, assigned to nobody."""
    return VillageFactory()


@pytest.fixture
def ksm(village):
    return SelfHelpGroupFactory(village=village)


@pytest.fixture
def member(ksm):
    return MembershipFactory(group=ksm).member


@pytest.fixture
def bumdes(village):
    return BumdesFactory(village=village)


@pytest.fixture
def cooperative(regency):
    return CooperativeFactory(regency=regency)


@pytest.fixture
def user(db):
    return UserFactory()


# --- People in their roles --------------------------------------------------------------------


@pytest.fixture
def staff_user(db):
    """A Bina Swadaya administrator: sees and changes everything."""
    return UserFactory(username="staf", staff_role=ADMINISTRATORS)


@pytest.fixture
def program_staff(db):
    """Bina Swadaya program staff: reads every region, changes the register, posts nothing."""
    return UserFactory(username="staf.program", staff_role=PROGRAM_STAFF)


@pytest.fixture
def finance_staff(db):
    """Bina Swadaya finance staff: reads every region, posts and corrects, reopens months."""
    return UserFactory(username="staf.keuangan", staff_role=FINANCE_STAFF)


@pytest.fixture
def facilitator(village):
    """A pendamping with a current assignment to `village`."""
    assignment = FacilitatorAssignmentFactory(village=village, user__username="pendamping")
    return assignment.user


@pytest.fixture
def treasurer(ksm):
    """The bendahara of `ksm`, who logs in with their own account."""
    account = UserFactory(username="bendahara")
    member = MemberFactory(village=ksm.village, user=account)
    MembershipFactory(group=ksm, member=member, treasurer=True)
    return account


@pytest.fixture
def member_user(ksm):
    """An ordinary KSM member who happens to have an account: no officer role."""
    account = UserFactory(username="anggota")
    member = MemberFactory(village=ksm.village, user=account)
    MembershipFactory(group=ksm, member=member)
    return account


# --- Browser tests (Playwright on Debian's Chromium) ------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_INSTALL_HINT = "apt-get install chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_SKIPPED_BROWSER_TESTS = pytest.StashKey[list[str]]()


def browser_tests_must_run(env: Mapping[str, str]) -> bool:
    """On CI a missing browser is an error, never a quiet skip."""
    return env.get("CI", "").strip().lower() == "true"


def browser_unavailable_reason(
    env: Mapping[str, str], path_exists: Callable[[str], bool]
) -> str | None:
    """Why the browser tests cannot run on this machine, or None when they can."""
    if path_exists(CHROMIUM):
        return None
    reason = f"Chromium is not installed at {CHROMIUM} (install it with: {CHROMIUM_INSTALL_HINT})"
    if browser_tests_must_run(env):
        reason += "; CI=true, so the browser tests must run and this is a failure"
    return reason


def skipped_browser_summary(nodeids: list[str]) -> list[str]:
    """The lines printed at the end of a run whose browser tests were skipped."""
    if not nodeids:
        return []
    return [
        f"{len(nodeids)} browser test(s) did NOT run because Chromium is missing:",
        *(f"  {nodeid}" for nodeid in nodeids),
        f"Install Chromium to run them: {CHROMIUM_INSTALL_HINT}",
    ]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a browser downloaded by `playwright install`."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": list(CHROMIUM_ARGS)}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Drop the test database cleanly on PostgreSQL: the live server's request threads may
    still hold a keep-alive connection from Chromium when the session ends."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, stopped before the test database is dropped."""
    return live_server


def pytest_configure(config):
    config.stash[_SKIPPED_BROWSER_TESTS] = []


def _django_order(item) -> int:
    """pytest-django's order: tests in a rolled-back transaction first, then transactional
    tests (each flushes the tables after itself, and with them the reference rows the data
    migrations wrote: topics, levels, areas), then tests without a database."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    transactional = bool(
        marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    )
    if transactional or "transactional_db" in fixtures or "live_server" in fixtures:
        return 1
    return 0 if marker or "db" in fixtures else 2


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if "page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
    # pytest's own grouping of session-scoped parametrised fixtures (the browser's) can move
    # transactional browser tests in among the rolled-back ones, after pytest-django sorted
    # them, so that later tests find the reference rows flushed. Sort again (stable), last.
    items.sort(key=_django_order)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if item.get_closest_marker("browser") is None:
        return
    reason = browser_unavailable_reason(os.environ, os.path.exists)
    if reason is None:
        return
    if browser_tests_must_run(os.environ):
        pytest.fail(reason, pytrace=False)
    item.config.stash[_SKIPPED_BROWSER_TESTS].append(item.nodeid)
    pytest.skip(reason)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    lines = skipped_browser_summary(config.stash.get(_SKIPPED_BROWSER_TESTS, []))
    if lines:
        terminalreporter.section("browser tests skipped", sep="=", yellow=True, bold=True)
        for line in lines:
            terminalreporter.line(line, yellow=True)
