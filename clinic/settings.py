"""Settings for the clinic project, read from the environment (twelve-factor).

Every value has a safe local default so `make run` works on a fresh machine with nothing but Python; production
sets DEBUG=0 and the required secrets, and start-up stops with a message naming any value that is missing or bad.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()


def _require(name: str, value):
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable (it is required when DEBUG is off).")
    return value


_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}


def env_bool(name: str, *, default: bool) -> bool:
    """A yes/no setting. Only true/false, 1/0, yes/no and on/off (any case) are understood; anything else stops
    start-up, so DEBUG=perhaps never quietly reads as off."""
    raw = env.str(name, default="").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off), not {raw!r}.")


DEBUG = env_bool("DEBUG", default=False)

# A fixed key is acceptable only for a local DEBUG run; anything else must bring its own.
SECRET_KEY = env.str("SECRET_KEY", default="") or (
    "django-insecure-local-development-key-never-used-in-production" if DEBUG else ""
)
_require("SECRET_KEY", SECRET_KEY)
if not DEBUG and (SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG:
    _require("ALLOWED_HOSTS", ALLOWED_HOSTS)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "clinic.core.admin_site.ClinicAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "formtools",
    "crispy_forms",
    "crispy_bootstrap5",
    "phonenumber_field",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "clinic.core",
    "education",
    "intake",
    "booking",
    "desk",
    # The project package itself, last: it only holds cross-app commands such as seed_demo.
    "clinic",
]

MIDDLEWARE = [
    # First: a cached public page for an anonymous visitor is answered from here, whole, with the headers every
    # middleware below gave it when it was rendered; nothing else runs (clinic/core/pagecache.py).
    "clinic.core.pagecache.PublicPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Before anything reads request.POST: a form not in UTF-8, or a NUL in the address, gets a 400 page.
    "clinic.core.request_guard.RejectUnreadableRequestsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session timeouts, the second factor owed, and no-store on personal pages.
    "clinic.core.middleware.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.core.context_processors.clinic",
                "desk.context_processors.staff_nav",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------------
# Local default: an SQLite file, so a fresh machine needs no server. Writes there run in IMMEDIATE transactions
# so that a check-then-insert (is this time still free?) cannot interleave with another writer.
VAR_DIR.mkdir(exist_ok=True)
DATABASE_URL = env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'clinic.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
if not DATABASES["default"].get("ENGINE"):
    raise ImproperlyConfigured(f"DATABASE_URL has a scheme Django cannot use: {DATABASE_URL.split(':', 1)[0]!r}.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------------------------
# Redis when REDIS_URL is set (shared by every web process, needed for rate limits across them); otherwise a file
# cache under var/, which the local web server and workers still share. The Redis backend degrades instead of failing
# (clinic/core/cache.py): with Redis down a read is a miss and a write is dropped, so pages still render.
REDIS_URL = env.str("REDIS_URL", default="")
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="clinic")
if REDIS_URL:
    _cache = {
        "BACKEND": "clinic.core.cache.DegradingRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": CACHE_KEY_PREFIX,
    }
    CACHES = {
        "default": _cache,
        # Rate-limit counters: during an outage they count in each process's memory rather than let everyone through.
        "ratelimit": {**_cache, "OPTIONS": {"FALLBACK": "local"}},
    }
else:
    _cache = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
        "KEY_PREFIX": CACHE_KEY_PREFIX,
    }
    CACHES = {"default": _cache, "ratelimit": _cache}
# Part of every cached page's key: set it to the release (e.g. the git commit) so a deploy never serves old pages;
# the page cache also hashes the templates, static manifest and code itself.
RELEASE = env.str("RELEASE", default="")
# How long a web process takes the page cache's generation it last read as current (clinic/core/pagecache.py): a
# content change reaches other processes' cached pages within this many seconds of its commit; 0 reads it every time.
PAGE_CACHE_GENERATION_SECONDS = env.float("PAGE_CACHE_GENERATION_SECONDS", default=1.0)
# Each process's own memory, in front of the shared cache, for entries keyed by a version read from the database
# on every request (whole slots answers): no staleness to share, and no round trip to Redis on a hit.
CACHES["local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "clinic-local",
    "OPTIONS": {"MAX_ENTRIES": 500},
}

# Rate limits (django-ratelimit) count in the "ratelimit" cache. Its app is deliberately not installed: its system
# check only knows django-redis and would flag Django's own RedisCache, whose INCR is just as atomic.
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_VIEW = "clinic.core.views.rate_limited"

# --- Auth, two-factor login, sessions and lockout (docs/access.md) ------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend that reads the user's permissions, groups, devices and staff records in the same query.
    "desk.auth.StaffBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/desk/start/"  # therapists land on their day, the desk on the schedule
LOGOUT_REDIRECT_URL = "/"
# Second factor (TOTP app, with one-time recovery codes). Always required for anyone who can see health answers;
# for the front desk only when this says so.
TWO_FACTOR_REQUIRED_FOR_FRONT_DESK = env_bool("TWO_FACTOR_REQUIRED_FOR_FRONT_DESK", default=False)
TWO_FACTOR_ISSUER = env.str("TWO_FACTOR_ISSUER", default="Needle & Move clinic")
OTP_TOTP_ISSUER = TWO_FACTOR_ISSUER
# Sessions: signed out after this long without a request (a warning comes two minutes before), and after the
# absolute lifetime whatever the activity. The cookie itself lives no longer than the absolute lifetime.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_ABSOLUTE_HOURS = env.int("SESSION_ABSOLUTE_HOURS", default=12)
if SESSION_IDLE_MINUTES < 5 or SESSION_ABSOLUTE_HOURS < 1:
    raise ImproperlyConfigured("SESSION_IDLE_MINUTES must be at least 5 and SESSION_ABSOLUTE_HOURS at least 1.")
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 3600
# Lockout (django-axes): a user name is locked after repeated failures from any address, for a cool-off that
# ends by itself, so no one can lock a colleague out for good. Failures are also written to the audit log.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_MINUTES = env.int("AXES_COOLOFF_MINUTES", default=15)
AXES_COOLOFF_TIME = AXES_COOLOFF_MINUTES / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "clinic.core.parsing.lockout_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "clinic.core.client.client_ip"
# An address that fails across many user names is slowed by a rate limit on failed logins (429 until it passes)
# rather than by axes' own address lockout, whose limit would be the per-user one and would lock a whole clinic's
# shared address out after a few typos. Hence axes' "no ip_address" warning is silenced on purpose.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
LOGIN_FAILURES_PER_ADDRESS_RATE = env.str("LOGIN_FAILURES_PER_ADDRESS_RATE", default="20/h")
# Password reset: a few requests per address and per account; past the per-account limit the answer is the same
# page but nothing is sent, so it never tells whether an address has an account.
PASSWORD_RESET_ADDRESS_RATE = env.str("PASSWORD_RESET_ADDRESS_RATE", default="10/h")
PASSWORD_RESET_ACCOUNT_RATE = env.str("PASSWORD_RESET_ACCOUNT_RATE", default="3/h")
PASSWORD_RESET_TIMEOUT = 3600  # seconds a reset link works

# The client address (clinic.core.client.client_ip): how many reverse proxies stand in front of the app. Only
# then are X-Forwarded-For and X-Forwarded-Proto believed; with 0 a forged header changes nothing.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 (no proxy) or the number of proxies in front.")
RATELIMIT_IP_META_KEY = "clinic.core.client.client_ip_for_rate_limits"

# --- Internationalisation and time ---------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
# The clinic's default zone; every location carries its own IANA zone and times are shown in that.
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Kolkata")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Uploaded files (therapists' photos) -------------------------------------------------------------------------
# Stored under MEDIA_ROOT with generated names (booking/photos.py). `make run` (DEBUG) serves them itself; whitenoise
# serves only static files, so production serves /media/ from the web server in front or a bucket (README).
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

# --- Forms ----------------------------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"

# --- E-mail ---------------------------------------------------------------------------------------------------
# Local defaults print e-mails to the console and link to localhost. With DEBUG off each must be set for real:
# patients' e-mails and texts silently going to a log, or links pointing at localhost, is worse than not starting.
_LOCAL_EMAIL_SCHEMES = ("consolemail", "filemail", "memorymail", "dummymail")
_LOCAL_FROM_EMAIL = "Needle & Move <appointments@clinic.example>"
# `make run` serves on PORT, so local links follow it: a manage link in a console e-mail works on any port.
_LOCAL_PORT = env.str("PORT", default="") or "8000"
if not (_LOCAL_PORT.isascii() and _LOCAL_PORT.isdigit()):
    raise ImproperlyConfigured(f"PORT must be a port number, not {_LOCAL_PORT!r}.")
_LOCAL_SITE_URL = f"http://127.0.0.1:{_LOCAL_PORT}"


def _production_value(name: str, value: str, *, is_local) -> str:
    if not DEBUG and (not value or is_local(value)):
        raise ImproperlyConfigured(
            f"Set the {name} environment variable for production (DEBUG is off): "
            f"{'it is not set' if not value else f'{value!r} is a local default'}."
        )
    return value


EMAIL_URL = _production_value(
    "EMAIL_URL", env.str("EMAIL_URL", default=""), is_local=lambda v: v.split(":", 1)[0] in _LOCAL_EMAIL_SCHEMES
)
EMAIL_CONFIG = env.email_url_config(EMAIL_URL or "consolemail://")
# SMTP goes through Django's backend with the sender's address prepared once per process (clinic/core/mail.py).
if EMAIL_CONFIG["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    EMAIL_CONFIG["EMAIL_BACKEND"] = "clinic.core.mail.EmailBackend"
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = (
    _production_value(
        "DEFAULT_FROM_EMAIL", env.str("DEFAULT_FROM_EMAIL", default=""), is_local=lambda v: v == _LOCAL_FROM_EMAIL
    )
    or _LOCAL_FROM_EMAIL
)
# Seconds an SMTP connect or reply may take: a hanging server fails the attempt (retried later) instead of holding the
# sweep. The outbox also sizes each attempt's lease from it.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Absolute links in e-mails and SMS (they have no request to build from).
SITE_URL = (
    _production_value(
        "SITE_URL",
        env.str("SITE_URL", default=""),
        is_local=lambda v: urlsplit(v).hostname in (None, "localhost", "127.0.0.1", "::1", "0.0.0.0"),  # noqa: S104
    )
    or _LOCAL_SITE_URL
).rstrip("/")

# --- Celery ---------------------------------------------------------------------------------------------------
# Local default: kombu's filesystem transport under var/, so the worker and beat need no server.
_celery_dir = VAR_DIR / "celery"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("queue", "processed"):
        (_celery_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=5 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Publishing must not hang a request when the broker is down: the beat sweep catches up on anything not nudged.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False

# --- Security -------------------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Browser features the app never uses, denied to every page and anything it might embed.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)

# Strict CSP: everything from our own origin, no inline script; pages must render offline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Logging --------------------------------------------------------------------------------------------------
# Plain lines to stderr. Health data never goes into a log line: code logs ids, never answers or contact details.
# Every line goes through the redacting filter: no self-service, returning-patient or reset token, and no search
# query, reaches the log (clinic/core/logs.py). Django's request loggers (including the development server's access
# lines) are routed to the same handler instead of Django's own.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "clinic.core.logs.RedactSecretsFilter"}},
    # Exceptions are logged by class and place, never by message (which can repeat raw input): clinic/core/logs.py.
    "formatters": {
        "plain": {
            "()": "clinic.core.logs.RedactingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}

# --- Outbox and SMS -------------------------------------------------------------------------------------------
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=50)
OUTBOX_CLAIM_SECONDS = env.int("OUTBOX_CLAIM_SECONDS", default=300)  # a dead worker's rows come back after this
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=5)
OUTBOX_MESSAGE_ID_DOMAIN = env.str("OUTBOX_MESSAGE_ID_DOMAIN", default="clinic.example")
SMS_BACKEND = (
    _production_value(
        "SMS_BACKEND",
        env.str("SMS_BACKEND", default=""),
        is_local=lambda v: v.rsplit(".", 1)[-1] in ("ConsoleSMSBackend", "LocMemSMSBackend"),
    )
    or "clinic.core.sms.ConsoleSMSBackend"
)
SMS_API_URL = env.str("SMS_API_URL", default="")
SMS_API_TOKEN = env.str("SMS_API_TOKEN", default="")
SMS_SENDER = env.str("SMS_SENDER", default="Clinic")
SMS_TIMEOUT_SECONDS = env.int("SMS_TIMEOUT_SECONDS", default=10)  # per request to the provider
if SMS_BACKEND.endswith("HTTPSMSBackend") and not (SMS_API_URL and SMS_API_TOKEN):
    raise ImproperlyConfigured("Set SMS_API_URL and SMS_API_TOKEN for the HTTP SMS backend.")
OUTBOX_SWEEP_SECONDS = env.float("OUTBOX_SWEEP_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE = {
    "send-due-messages": {"task": "clinic.core.tasks.send_due_messages", "schedule": OUTBOX_SWEEP_SECONDS},
    # Waiting-list offers whose time ran out go to the next wish (booking/waitlist.py); the database is the record.
    "expire-waitlist-offers": {"task": "booking.tasks.expire_waitlist_offers", "schedule": OUTBOX_SWEEP_SECONDS},
    # Retention (booking/retention.py): old intakes, abandoned questionnaires, expired sessions; one audit event each.
    "purge-old-records": {
        "task": "booking.tasks.purge_old_records",
        "schedule": crontab(hour=env.int("RETENTION_PURGE_HOUR_UTC", default=2), minute=30),
    },
}

# --- Screening and booking ------------------------------------------------------------------------------------
# How long intakes (health answers, consent) are kept: 8 years is a common period for adults' clinical records.
INTAKE_RETENTION_YEARS = env.int("INTAKE_RETENTION_YEARS", default=8)
if INTAKE_RETENTION_YEARS < 1:
    raise ImproperlyConfigured("INTAKE_RETENTION_YEARS must be at least 1.")
INTAKE_VALID_DAYS = env.int("INTAKE_VALID_DAYS", default=183)  # about six months
INTAKE_SUBMIT_RATE = env.str("INTAKE_SUBMIT_RATE", default="10/h")  # per IP address
INTAKE_LINK_RATE = env.str("INTAKE_LINK_RATE", default="5/h")  # returning-patient links, per IP address
INTAKE_LINK_MAX_AGE_HOURS = env.int("INTAKE_LINK_MAX_AGE_HOURS", default=72)
# Reads of one therapist's calendar feed link (desk/feeds.py): calendar apps poll every 15 minutes to a few hours.
CALENDAR_FEED_RATE = env.str("CALENDAR_FEED_RATE", default="60/h")
BOOKING_REMINDER_OFFSETS_HOURS = tuple(env.list("BOOKING_REMINDER_OFFSETS_HOURS", cast=int, default=[24, 2]))
if any(hours <= 0 for hours in BOOKING_REMINDER_OFFSETS_HOURS):
    raise ImproperlyConfigured("BOOKING_REMINDER_OFFSETS_HOURS must be whole hours above zero, e.g. 24,2.")
BOOKING_AFTERCARE_DELAY_MINUTES = env.int("BOOKING_AFTERCARE_DELAY_MINUTES", default=60)
BOOKING_FOLLOW_UP_LEAD_DAYS = env.int("BOOKING_FOLLOW_UP_LEAD_DAYS", default=3)
# How long a freed time offered from the waiting list is held for the patient it went to (booking/waitlist.py).
WAITLIST_OFFER_MINUTES = env.int("WAITLIST_OFFER_MINUTES", default=30)
if not 5 <= WAITLIST_OFFER_MINUTES <= 24 * 60:
    raise ImproperlyConfigured("WAITLIST_OFFER_MINUTES must be between 5 and 1440 (a day).")
