"""Playwright and one Chromium per test process (see ``Playwright``). The fixture lives here, and
is named in the root conftest, so that every test folder sees it."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


class Playwright:
    """Playwright and one Chromium for the whole test run of this process, started at the first
    browser test. Starting Chromium costs about 1.5 s of CPU (measured with bench/cpu_tree.py:
    five launches, 8.1 s); once per browser test that was several minutes per CI pass. Tests
    get a fresh browser context each (cookies, storage and cache are per context), and the
    contexts a test opened are closed after it."""

    def __init__(self):
        self.manager = None
        self.playwright = None
        self._browser = None

    def start(self):
        if self.playwright is None:
            if not Path(CHROMIUM).exists():
                pytest.fail(f"{CHROMIUM} is missing: run `make test` (it installs Debian's "
                            "chromium).")
            from playwright.sync_api import sync_playwright

            # Playwright's sync API keeps an event loop running in this thread from here on;
            # the database calls tests make between browser steps are still synchronous, and
            # Django's guard would refuse them otherwise.
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
            self.manager = sync_playwright()
            self.playwright = self.manager.__enter__()
        return self.playwright

    def browser(self):
        if self._browser is None or not self._browser.is_connected():
            self._browser = self.start().chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        return self._browser

    def stop(self):
        if self.manager is not None:
            from django.db import connections

            connections.close_all()
            if self._browser is not None and self._browser.is_connected():
                self._browser.close()
            self.manager.__exit__(None, None, None)
            self.manager = self.playwright = self._browser = None


@pytest.fixture(scope="session")
def playwright_run(django_db_setup, django_db_blocker):
    """The run's Playwright (see ``Playwright``); stopped before the test databases go."""
    run = Playwright()
    yield run
    with django_db_blocker.unblock():
        run.stop()
