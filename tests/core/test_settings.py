"""Settings come from the environment and stop start-up with a message naming any bad or missing value."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


# Variables the test run itself sets, which a deployment would not have.
_TEST_ONLY = {
    "SECRET_KEY",
    "DEBUG",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SECURE_SSL_REDIRECT",
    "EMAIL_URL",
    "DEFAULT_FROM_EMAIL",
    "SITE_URL",
    "SMS_BACKEND",
    "SMS_API_URL",
    "SMS_API_TOKEN",
}

# A complete production environment; each test below spoils one value of it.
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-real-production-secret-" + "k" * 40,
    "ALLOWED_HOSTS": "clinic.example",
    "EMAIL_URL": "smtp://mailer:secret@smtp.clinic.example:587",
    "DEFAULT_FROM_EMAIL": "Needle & Move <appointments@needleandmove.example>",
    "SITE_URL": "https://book.needleandmove.example",
    "SMS_BACKEND": "clinic.core.sms.HTTPSMSBackend",
    "SMS_API_URL": "https://sms.example/send",
    "SMS_API_TOKEN": "token",
}


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


@pytest.mark.parametrize("value", ["perhaps", "2", "enabled", "tru"])
def test_it_names_a_bad_boolean(value):
    """Regression: DEBUG=perhaps read as off, so a typo silently decided production behaviour."""
    result = _settings("s.DEBUG", **(PRODUCTION | {"DEBUG": value}))

    assert result.returncode != 0
    assert f"DEBUG must be true or false (1/0, yes/no, on/off), not {value!r}" in result.stderr


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("TRUE", True),
        ("yes", True),
        ("On", True),
        ("0", False),
        ("false", False),
        ("NO", False),
        ("off", False),
    ],
)
def test_it_reads_each_boolean_spelling(value, expected):
    result = _settings("s.DEBUG", **(PRODUCTION | {"DEBUG": value}))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(expected)


def test_it_starts_with_a_complete_production_environment():
    result = _settings("s.SITE_URL, s.EMAIL_BACKEND, s.SMS_BACKEND", **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "https://book.needleandmove.example",
        "clinic.core.mail.EmailBackend",  # Django's SMTP backend, the sender parsed once
        "clinic.core.sms.HTTPSMSBackend",
    ]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("EMAIL_URL", None),
        ("EMAIL_URL", "consolemail://"),
        ("EMAIL_URL", "dummymail://"),
        ("SMS_BACKEND", None),
        ("SMS_BACKEND", "clinic.core.sms.ConsoleSMSBackend"),
        ("SITE_URL", None),
        ("SITE_URL", "http://localhost:8000"),
        ("SITE_URL", "http://127.0.0.1:8000"),
        ("SITE_URL", "not a url"),
        ("DEFAULT_FROM_EMAIL", None),
        ("DEFAULT_FROM_EMAIL", "Needle & Move <appointments@clinic.example>"),
    ],
)
def test_it_refuses_to_guess_in_production(name, value):
    """Unset or left at the local default, patients' e-mails and texts would go to a log or link to localhost."""
    env = {k: v for k, v in PRODUCTION.items() if k != name} | ({name: value} if value is not None else {})

    result = _settings("s.DEBUG", **env)

    assert result.returncode != 0
    assert f"Set the {name} environment variable for production (DEBUG is off)" in result.stderr


def test_it_keeps_local_defaults_when_debug_is_on():
    result = _settings("s.EMAIL_BACKEND, s.SMS_BACKEND, s.SITE_URL", DEBUG="1", DATABASE_URL="", PORT="")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.console.EmailBackend",
        "clinic.core.sms.ConsoleSMSBackend",
        "http://127.0.0.1:8000",
    ]


def test_a_local_run_links_to_its_own_port():
    """PORT=8843 make run: links in e-mails and texts (SITE_URL) point at the port the server listens on."""
    result = _settings("s.SITE_URL", DEBUG="1", DATABASE_URL="", PORT="8843")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://127.0.0.1:8843"


def test_make_run_prints_links_on_its_own_port_and_serves_there():
    """`PORT=8843 make run`: the addresses it prints, and the server it starts, use 8843 (never a default 8000)."""
    plan = subprocess.run(
        ["make", "--dry-run", "--always-make", "run", "PORT=8843"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    printed = [line for line in plan.stdout.splitlines() if line.startswith("echo")]
    links = re.findall(r"https?://[^\s/]+", "\n".join(printed))
    assert plan.returncode == 0, plan.stderr
    assert links == ["http://127.0.0.1:8843", "http://127.0.0.1:8843"]
    assert "runserver 127.0.0.1:$PORT" in (ROOT / "Procfile.dev").read_text()  # make exports PORT to honcho


def test_it_refuses_a_port_that_is_not_a_number():
    result = _settings("s.SITE_URL", DEBUG="1", DATABASE_URL="", PORT="eighty")

    assert result.returncode != 0
    assert "PORT must be a port number, not 'eighty'" in result.stderr


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
    env = PRODUCTION | {"DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic")}
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


def test_it_believes_x_forwarded_proto_only_with_a_proxy_configured():
    without = _settings("getattr(s, 'SECURE_PROXY_SSL_HEADER', None)", DEBUG="1")
    behind_one = _settings("s.SECURE_PROXY_SSL_HEADER", DEBUG="1", TRUSTED_PROXY_COUNT="1")

    assert without.stdout.strip() == "None", without.stderr
    assert behind_one.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')", behind_one.stderr


def test_it_refuses_a_negative_proxy_count_and_a_too_short_idle_timeout():
    assert "TRUSTED_PROXY_COUNT" in _settings("1", DEBUG="1", TRUSTED_PROXY_COUNT="-1").stderr
    assert "SESSION_IDLE_MINUTES" in _settings("1", DEBUG="1", SESSION_IDLE_MINUTES="1").stderr
