"""The production compose file is valid and describes every service the design asks for."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = {
    "SECRET_KEY": "s" * 60,
    "SITE_URL": "https://book.clinic.example",
    "DEFAULT_FROM_EMAIL": "appointments@clinic.example",
    "SMS_BACKEND": "clinic.core.sms.HTTPSMSBackend",
}


def test_it_validates_the_compose_file():
    docker_compose = shutil.which("docker-compose")
    if docker_compose is None:
        pytest.fail("docker-compose is missing: install Debian's package with `apt-get install docker-compose`.")

    def config(**env):
        return subprocess.run(
            [docker_compose, "-f", str(ROOT / "docker-compose.yml"), "config"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
            check=False,
            env={k: v for k, v in os.environ.items() if k not in REQUIRED} | env,
        )

    # Without a secret the stack refuses to start, naming what to set.
    refused = config(**{k: v for k, v in REQUIRED.items() if k != "SECRET_KEY"})
    assert refused.returncode != 0
    assert "SECRET_KEY" in refused.stderr

    # Nor without the values production must not guess (docs: README, "Settings").
    for name in REQUIRED:
        missing = config(**{k: v for k, v in REQUIRED.items() if k != name})
        assert missing.returncode != 0, name
        assert name in missing.stderr

    result = config(**REQUIRED)
    assert result.returncode == 0, result.stderr
    for service in ("db:", "redis:", "web:", "worker:", "beat:", "mailpit:", "proxy:"):
        assert f"  {service}" in result.stdout
    assert "postgres:16" in result.stdout
    # Photos outlive a rebuild (a named volume) and nginx serves them: whitenoise serves only static files.
    assert "media:/app/var/media:rw" in result.stdout  # the web containers write uploads there
    assert "media:/srv/media:ro" in result.stdout  # nginx reads them
