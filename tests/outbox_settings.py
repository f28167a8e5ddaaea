"""Settings for worker processes started by outbox failure tests and benchmarks: real SMTP from EMAIL_URL."""

from clinic.test_settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.outbox_app"]  # noqa: F405
vars().update(env.email_url("EMAIL_URL", default="smtp://127.0.0.1:25", backend="clinic.core.mail.EmailBackend"))  # noqa: F405
