"""Settings for the test suite: the real settings, pointed at PostgreSQL and Redis unless told otherwise.

Tests must run against the same database and broker as production; conftest.py stops the run with a clear
message when either is unreachable instead of falling back to SQLite or skipping.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("CACHE_KEY_PREFIX", "clinic-test")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# The tests run with DEBUG off, like production, so the production-only values must be set; the e-mail and SMS
# backends and the site URL are swapped for local ones below.
os.environ.setdefault("EMAIL_URL", "smtp://127.0.0.1:1025")
os.environ.setdefault("DEFAULT_FROM_EMAIL", "Needle & Move <appointments@clinic.test>")
os.environ.setdefault("SITE_URL", "https://clinic.test")
os.environ.setdefault("SMS_BACKEND", "clinic.core.sms.HTTPSMSBackend")
os.environ.setdefault("SMS_API_URL", "http://127.0.0.1:9/sms")
os.environ.setdefault("SMS_API_TOKEN", "test-only")

from clinic.settings import *  # noqa: F403

# Hashing cost is not what the tests are about.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Templates reference static files by plain names; the manifest is a deployment concern.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# Photos the tests upload (and the demo draws) go to a folder of this run, not to the developer's var/media.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="clinic-test-media-"))
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "clinic.core.sms.LocMemSMSBackend"
# Links in test messages point at the local server, as in `make run`.
SITE_URL = "http://localhost:8000"
