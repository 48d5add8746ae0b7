"""Fixtures of the training tests: uploads kept in a temporary folder, and the group health
figures of the finance app replaced by fixed ones, so every grading has an exact result."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from tests.web.support import logged_in


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded materials go to a fresh folder on disk, never to the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    return tmp_path / "media"


@dataclass
class FakeHealth:
    """The fields of finance.selectors.health.GroupHealth that the grading reads."""

    savings_growth: Decimal | None = None
    savings_regularity: Decimal | None = None
    repayment_rate: Decimal | None = None
    par30: Decimal | None = None
    attendance_rate: Decimal | None = None
    books_current: bool = False
    last_activity: object = None


@pytest.fixture(autouse=True)
def health(monkeypatch):
    """The figures every group has in these tests; a test sets them with `health.figures`.
    By default the books have nothing to say (as for a group without books)."""

    class Health:
        figures: FakeHealth | None = None
        calls: list = []

        def __call__(self, group, on_date):
            self.calls.append((group.pk, on_date))
            return self.figures

    fake = Health()
    fake.calls = []
    monkeypatch.setattr("training.services.grading.group_health", fake)
    return fake


@pytest.fixture
def facilitator_client(facilitator):
    return logged_in(facilitator)


@pytest.fixture
def staff_client(staff_user):
    return logged_in(staff_user)
