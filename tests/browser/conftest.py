"""Browser tests: Playwright for Python driving Debian's Chromium (never a downloaded one)."""

import json
import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture
def browser(transactional_db, monkeypatch):
    """One Chromium per test. It is started after the test database and closed before it, so
    the event loop Playwright's sync API runs in this thread never outlives the test."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test` (it installs Debian's chromium).")
    from playwright.sync_api import sync_playwright

    # While the loop runs, the database calls the test makes between browser steps are still
    # synchronous; Django's guard would refuse them otherwise.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        # Connections the test opened while Playwright's loop ran live in that loop's context;
        # close them here, in the same context, or they outlive the test database.
        from django.db import connections

        connections.close_all()
        browser.close()


def open_page(browser, **context_options):
    """A page in a fresh context that records console errors in ``page.console_problems``."""
    options = {"viewport": {"width": 1280, "height": 900}, "locale": "en-GB", **context_options}
    page = browser.new_context(**options).new_page()
    page.set_default_timeout(15000)
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.console_problems = problems
    return page


@pytest.fixture
def page(browser):
    page = open_page(browser)
    yield page
    page.context.close()


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def axe_violations(page, impacts=("serious", "critical")):
    """Run axe-core (the npm package) in the page; return violations of the given impacts."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make test` (it runs `npm ci`).")
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    found = [v for v in result["violations"] if v["impact"] in impacts]
    if found:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "axe-violations.json").write_text(json.dumps(found, indent=2))
    return found
