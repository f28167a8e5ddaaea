"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server."""

from pathlib import Path

import pytest

from tests.support.courses import london  # noqa: F401 (courses of treatment)

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

VIEWPORTS = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: install Debian's package with `apt-get install chromium`.", pytrace=False)
    return {
        "executable_path": str(CHROMIUM),
        "headless": True,
        # The machine has no network: keep Chromium from reaching out for updates, sync and the like.
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport_name(request):
    return request.param


@pytest.fixture
def screen(browser, viewport_name, live_server):
    """A fresh page on a phone or a desktop viewport, with its base URL at the live server."""
    context = browser.new_context(base_url=live_server.url, **VIEWPORTS[viewport_name])
    page = context.new_page()
    page.viewport_name = viewport_name
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, **VIEWPORTS["phone"])
    page = context.new_page()
    page.viewport_name = "phone"
    yield page
    context.close()


@pytest.fixture
def desktop(browser, live_server):
    """A fresh page on the desktop viewport (the staff pages' tests)."""
    context = browser.new_context(base_url=live_server.url, **VIEWPORTS["desktop"])
    page = context.new_page()
    page.viewport_name = "desktop"
    yield page
    context.close()


def save_screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{page.viewport_name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
