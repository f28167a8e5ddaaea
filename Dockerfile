# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 1000 clinic
WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=clinic:clinic . .
# Static files are collected at build time; whitenoise serves them compressed with far-future cache headers.
# Production settings refuse to start without their real values; these placeholders exist for this step only.
RUN DEBUG=0 SECRET_KEY=collectstatic-only-build-key-not-used-at-runtime-xxxxxxxxxxxxxxx ALLOWED_HOSTS=build \
    EMAIL_URL=smtp://build.invalid SITE_URL=https://build.invalid DEFAULT_FROM_EMAIL=build@build.invalid \
    SMS_BACKEND=clinic.core.sms.HTTPSMSBackend SMS_API_URL=https://build.invalid SMS_API_TOKEN=build \
    python manage.py collectstatic --no-input -v 0 && mkdir -p /app/var/media && chown -R clinic:clinic /app/var

USER clinic
EXPOSE 8000
CMD ["gunicorn", "clinic.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
