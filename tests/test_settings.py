"""A production deployment configured from the environment passes Django's deploy checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(__file__).resolve().parent.parent


def _check_deploy(**env) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(DJANGO_SETTINGS_MODULE="ksm_portal.settings.base", **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _production_env(**overrides) -> dict[str, str]:
    env = {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "ksm.example.org",
    }
    env.update(overrides)
    return env


def test_a_production_configuration_passes_the_deploy_checks():
    result = _check_deploy(**_production_env())

    assert result.returncode == 0, result.stdout + result.stderr


def test_debug_in_production_is_reported():
    result = _check_deploy(**_production_env(DEBUG="1"))

    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


def test_a_missing_secret_key_is_reported():
    env = _production_env()
    del env["SECRET_KEY"]

    result = _check_deploy(**env)

    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


@pytest.mark.parametrize(
    "settings_module", ["ksm_portal.settings.base", "ksm_portal.settings.test"]
)
def test_the_portal_speaks_indonesian_on_jakarta_time(settings_module):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; from django.conf import settings; django.setup();"
            "print(settings.LANGUAGE_CODE, settings.TIME_ZONE, settings.USE_TZ)",
        ],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": settings_module},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.stdout.split() == ["id", "Asia/Jakarta", "True"], result.stderr


def test_the_test_run_uses_the_same_language_and_time_zone():
    assert settings.LANGUAGE_CODE == "id"
    assert settings.TIME_ZONE == "Asia/Jakarta"
