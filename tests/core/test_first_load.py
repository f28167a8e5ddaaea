"""What a new visitor downloads for the home page: HTML, CSS, JavaScript and fonts within 100 KB as sent
(static files gzipped as whitenoise serves them, the HTML as Django sends it), and Bootstrap trimmed to the rules
our pages can use. bench/bench_first_load.py measures the same in Chromium, with the Largest Contentful Paint."""

import gzip
import importlib.util
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db

BUDGET = 100 * 1024
ROOT = Path(settings.BASE_DIR)


def _static_file(url: str) -> Path:
    found = finders.find(url.removeprefix("/" + settings.STATIC_URL.strip("/") + "/"))
    assert found, f"{url} is not a static file"
    return Path(found)


def test_it_keeps_the_home_pages_first_load_within_100_kb(client):
    for n in range(3):
        LocationFactory(name=f"Clinic {n}")
    html = client.get("/").content
    page = html.decode()
    urls = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page) + re.findall(r'<script src="([^"]+)"', page)
    files = [_static_file(url) for url in urls]
    fonts = [
        _static_file(url)
        for path in files
        if path.suffix == ".css"
        for url in re.findall(r"url\(['\"]?([^'\")]+\.(?:woff2?|ttf|otf))", path.read_text())
    ]
    sent = {str(path.name): len(gzip.compress(path.read_bytes(), compresslevel=9)) for path in files + fonts}

    assert any(name.endswith(".css") for name in sent)
    assert any(name.endswith(".js") for name in sent)
    assert len(html) + sum(sent.values()) <= BUDGET, (len(html), sent)


def test_it_loads_no_unused_bootstrap_javascript_or_full_css(client):
    page = client.get("/").content.decode()
    assert "bootstrap.trimmed.min.css" in page
    assert "bootstrap.min.css" not in page
    assert "bootstrap.bundle" not in page


def test_it_keeps_the_trimmed_bootstrap_in_step_with_the_templates():
    """Fails when a template starts using a Bootstrap class the trimmed file left out: run the script again."""
    spec = importlib.util.spec_from_file_location("trim_bootstrap", ROOT / "scripts" / "trim_bootstrap.py")
    trim_bootstrap = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(trim_bootstrap)

    expected = trim_bootstrap.trim(trim_bootstrap.SOURCE.read_text(), trim_bootstrap.words()) + "\n"

    assert trim_bootstrap.TARGET.read_text() == expected, "run scripts/trim_bootstrap.py and commit the result"
    for used in (".navbar-collapse", ".btn-primary", ".form-control", ".invalid-feedback", ".alert-success"):
        assert used + "{" in expected or used + "," in expected or used + ":" in expected or used + " " in expected
    assert ".carousel-item" not in expected
