"""Settings come from the environment and stop start-up with a message naming any bad or missing value."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


# Variables the test run itself sets, which a deployment would not have.
_TEST_ONLY = {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "SECURE_SSL_REDIRECT"}


def _clean_env(**env) -> dict:
    return {k: v for k, v in os.environ.items() if k not in _TEST_ONLY} | env


def _run(code: str, **env):
    base = _clean_env(**env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60, check=False
    )


def _settings(expr: str, **env):
    return _run(
        f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='clinic.settings'; django.setup(); "
        f"from django.conf import settings as s; print({expr})",
        **env,
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = _settings("s.DEBUG", DEBUG="0", ALLOWED_HOSTS="clinic.example")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_refuses_a_weak_secret_key_in_production():
    result = _settings("s.DEBUG", DEBUG="0", SECRET_KEY="short", ALLOWED_HOSTS="clinic.example")

    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_it_names_a_bad_boolean():
    result = _settings("s.DEBUG", DEBUG="perhaps")

    assert result.returncode != 0
    assert "DEBUG" in result.stderr or "perhaps" in result.stderr


def test_it_defaults_to_sqlite_and_the_filesystem_broker_for_local_runs():
    result = _settings(
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['OPTIONS']['transaction_mode'], s.CELERY_BROKER_URL",
        DEBUG="1",
        DATABASE_URL="",
        CELERY_BROKER_URL="",
        REDIS_URL="",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3 IMMEDIATE filesystem://"


def test_it_passes_the_deployment_checks_with_production_settings():
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "a-real-production-secret-" + "k" * 40,
        "ALLOWED_HOSTS": "clinic.example",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic"),
    }
    base = _clean_env(**env)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
