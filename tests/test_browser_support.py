"""Browser journeys must never vanish quietly: skipped with a loud summary on a laptop without
Chromium, a failure on CI. Proved without touching the machine's real Chromium."""

import pytest

from tests import conftest
from tests.conftest import (
    CHROMIUM,
    browser_tests_must_run,
    browser_unavailable_reason,
    skipped_browser_summary,
)

pytest_plugins = ["pytester"]


def _exists_only(*paths):
    return lambda path: path in paths


def test_browser_tests_run_when_chromium_is_installed():
    assert browser_unavailable_reason({}, _exists_only(CHROMIUM)) is None
    assert browser_unavailable_reason({"CI": "true"}, _exists_only(CHROMIUM)) is None


def test_a_missing_chromium_is_explained_with_the_install_command():
    reason = browser_unavailable_reason({}, _exists_only())

    assert CHROMIUM in reason
    assert "apt-get install chromium" in reason


@pytest.mark.parametrize("value", ["true", "TRUE", " true "])
def test_on_ci_a_missing_browser_is_a_failure_not_a_skip(value):
    assert browser_tests_must_run({"CI": value})
    assert "CI=true" in browser_unavailable_reason({"CI": value}, _exists_only())


@pytest.mark.parametrize("env", [{}, {"CI": ""}, {"CI": "false"}, {"CI": "0"}])
def test_outside_ci_a_missing_browser_only_skips(env):
    assert not browser_tests_must_run(env)


def test_the_summary_names_every_skipped_browser_test_and_how_to_install_chromium():
    lines = skipped_browser_summary(["tests/test_a.py::test_login", "tests/test_b.py::test_book"])

    text = "\n".join(lines)
    assert "2 browser test(s) did NOT run" in text
    assert "tests/test_a.py::test_login" in text
    assert "tests/test_b.py::test_book" in text
    assert "apt-get install chromium" in text


def test_no_summary_when_every_browser_test_ran():
    assert skipped_browser_summary([]) == []


# --- The hooks themselves, in a throwaway pytest run ------------------------------------------

INNER_CONFTEST = """
import pytest
from tests.conftest import (
    pytest_collection_modifyitems,
    pytest_configure,
    pytest_runtest_setup,
    pytest_terminal_summary,
)

@pytest.fixture
def page():
    return "a page that never opens a browser"
"""

INNER_TESTS = """
def test_journey_in_the_browser(page):
    assert page

def test_plain_logic():
    assert True
"""


@pytest.fixture
def without_chromium(pytester, monkeypatch):
    monkeypatch.setattr(conftest, "CHROMIUM", str(pytester.path / "no-such-chromium"))
    pytester.makeconftest(INNER_CONFTEST)
    pytester.makepyfile(test_journeys=INNER_TESTS)
    pytester.makeini("[pytest]\nmarkers =\n    browser: browser journeys\n")
    return pytester


def test_without_chromium_a_browser_test_is_skipped_and_reported(without_chromium, monkeypatch):
    monkeypatch.delenv("CI", raising=False)

    result = without_chromium.runpytest_inprocess("-p", "no:django", "-p", "no:playwright")

    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*browser tests skipped*",
            "*1 browser test(s) did NOT run*",
            "*test_journeys.py::test_journey_in_the_browser*",
            "*apt-get install chromium*",
        ]
    )


def test_without_chromium_on_ci_a_browser_test_fails_with_the_reason(without_chromium, monkeypatch):
    monkeypatch.setenv("CI", "true")

    result = without_chromium.runpytest_inprocess("-p", "no:django", "-p", "no:playwright")

    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*Chromium is not installed*apt-get install chromium*"])
    assert "did NOT run" not in result.stdout.str()
