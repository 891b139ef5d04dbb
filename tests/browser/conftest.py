"""Browser tests: Playwright for Python driving Debian's Chromium (never a downloaded one)."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.migrated_sqlite import migrated_copy
from tests.playwright_run import CHROMIUM, CHROMIUM_ARGS  # noqa: F401 (named by tests)

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts"


@contextmanager
def _test_contexts(browser, request):
    """Close the contexts a test opened (photographing their pages when it failed), and the
    database connections opened while Playwright's loop ran, before the test database goes."""
    before = set(browser.contexts)
    try:
        yield browser
    finally:
        mine = [context for context in browser.contexts if context not in before]
        if _failed(request):
            _photograph([p for context in mine for p in context.pages], request.node.name)
        for context in mine:
            context.close()
        from django.db import connections

        connections.close_all()


@pytest.fixture
def browser(transactional_db, playwright_run, request):
    """The run's Chromium (one per test process), for a test with a transactional database and
    a live server. When the test fails, every page it left open is photographed into
    test-artifacts/failed/."""
    with _test_contexts(playwright_run.browser(), request) as browser:
        yield browser


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


def _failed(request):
    report = getattr(request.node, "rep_call", None)
    return report is not None and report.failed


@pytest.fixture
def page(browser, request):
    page = open_page(browser)
    yield page
    if _failed(request):
        _photograph(page.context.pages, request.node.name)
    page.context.close()


def screenshots_wanted():
    """Screenshots of the steps of a browser test, to look at a change by eye, are taken with
    BROWSER_SCREENSHOTS=1 only (a full-page PNG costs time and checks nothing); a failing test's
    open pages are photographed whatever it says (``browser`` fixture)."""
    return os.environ.get("BROWSER_SCREENSHOTS", "") not in ("", "0")


def screenshot(page, name):
    if not screenshots_wanted():
        return
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _photograph(pages, test_name):
    """Full-page screenshots of a failed test's pages still open, for the person who reads
    the failure (test-artifacts/failed/<test>-<n>.png)."""
    folder = ARTIFACTS / "failed"
    folder.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in test_name)
    existing = len(list(folder.glob(f"{safe}-*.png")))
    for n, page in enumerate(pages, start=existing):
        try:
            page.screenshot(path=str(folder / f"{safe}-{n}.png"), full_page=True, timeout=5000)
        except Exception:  # noqa: BLE001 (a page that cannot be photographed: the others may)
            continue


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


# The loaded demo, served for page sweeps ---------------------------------------------------


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(args, env, timeout):
    done = subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=timeout)
    if done.returncode:
        pytest.fail(f"{' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done.stdout


def _demo_env(var):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST", "DJANGO_", "GUNICORN_"))}
    for name in ("REDIS_URL", "CACHE_KEY_PREFIX", "SITE_URL", "ALLOWED_HOSTS", "EMAIL_URL",
                 "DATABASE_URL", "SECRET_KEY", "VAULT_KEYS"):
        env.pop(name, None)
    env.update(DJANGO_SETTINGS_MODULE="fusionforum.settings.test_pages",
               DATABASE_URL=f"sqlite:///{var / 'demo.sqlite3'}", FUSIONFORUM_VAR_DIR=str(var),
               DEBUG="False", PYTHONUNBUFFERED="1", GUNICORN_WORKERS="2",
               GUNICORN_THREADS="4", GUNICORN_WORKER_CLASS="gthread")
    return env


def _loaded_demo(tmp_path_factory):
    """A folder with the migrated, loaded demo (SQLite file, keys, media), made once per test
    run: the xdist workers of a run share the parent of their temporary folders, and the first
    one to take the lock loads the demo there."""
    import fcntl

    root = tmp_path_factory.getbasetemp()
    shared = root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root
    loaded = shared / "loaded-demo"
    with open(shared / "loaded-demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (loaded / "ready").exists():
            loaded.mkdir(exist_ok=True)
            env = _demo_env(loaded)
            migrated_copy(tmp_path_factory, loaded / "demo.sqlite3")
            _run(["manage.py", "load_demo"], env, 600)
            (loaded / "ready").write_text("")
    return loaded


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory):
    """The demo workshop, loaded once per test run into a SQLite file of its own and served by
    gunicorn on a free port (threads, as ``make demo``); with the addresses of the page
    catalogue and the demo accounts of every role. Each xdist worker serves its own copy of
    the loaded demo (so each has its own single-use backup codes). Tests that use it only
    read, or change what no other test looks at."""
    import shutil

    from . import page_catalogue

    var = tmp_path_factory.mktemp("page-sweep")
    shutil.copytree(_loaded_demo(tmp_path_factory), var, dirs_exist_ok=True)
    env = _demo_env(var)
    resolved = json.loads(_run(["-m", page_catalogue.__name__, "resolve"], env, 120))
    port = _free_port()
    log = (var / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", "gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "fusionforum.wsgi"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log_text = (var / "gunicorn.log").read_text()
                    pytest.fail(f"the demo server did not start: {log_text}")
                time.sleep(0.3)
        yield {"url": url, "env": env, **resolved}
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture
def chromium(playwright_run, request):
    """The run's Chromium for page sweeps (no test database: they drive ``demo_site``, which
    runs in its own processes)."""
    with _test_contexts(playwright_run.browser(), request) as browser:
        yield browser
