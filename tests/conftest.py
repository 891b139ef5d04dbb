import contextlib
import datetime as dt
import os
import subprocess
import zoneinfo
from pathlib import Path

import pytest

from fusionforum.core import clock as business_clock
from fusionforum.core import pagecache
from tests.cloned_database import drop_templates, migrations_copied
from tests.playwright_run import playwright_run  # noqa: F401 (one Playwright per test process)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def paris(year, month, day, hour=0, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


SCHEDULING_TESTS = Path(__file__).resolve().parent / "scheduling"
# Tests that keep a worker busy for long: browsers, live app servers, concurrent clients.
LONG_RUNNING = ("browser", "concurrency", "production", "own_sqlite")


LOCALE = Path(__file__).resolve().parents[1] / "fusionforum" / "locale"


def compile_catalogues() -> None:
    """Compile every catalogue whose ``.mo`` is missing or older than its ``.po`` (``make
    translations`` does the same; this keeps ``pytest`` run by hand from testing stale or no
    translations). Written to a temporary file and renamed, so a reader never sees half."""
    for po in LOCALE.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        partial = mo.with_name(f".{mo.name}.{os.getpid()}")
        try:
            subprocess.run(["msgfmt", "--check-format", "--output-file", str(partial), str(po)],
                           check=True)
        except FileNotFoundError:  # no gettext: pages stay English, tests/i18n will say so
            print(f"msgfmt not found: {mo.name} not compiled (make translations)")
            return
        partial.replace(mo)


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # once, in the controlling process
        compile_catalogues()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # The optimiser is pure Python (it may not import Django): no database is involved.
    for item in items:
        if item.path.is_relative_to(SCHEDULING_TESTS):
            item.add_marker(pytest.mark.own_sqlite)
    # pytest-xdist hands tests out in collection order, so a long module collected last keeps
    # one worker busy after the others have finished: modules holding long tests go first
    # (whole modules, so a module-scoped fixture is still set up once).
    long_modules = {item.module for item in items
                    if any(item.get_closest_marker(name) for name in LONG_RUNNING)}
    items.sort(key=lambda item: item.module not in long_modules)


@pytest.fixture(scope="session")
def _copy_migrated_databases(request, tmp_path_factory):
    """Django's migrate copies the run's migrated database (cloned_database.py) until
    ``django_db_setup`` below has made the test databases."""
    copying = contextlib.ExitStack()
    if not request.config.getoption("reuse_db"):
        copying.enter_context(migrations_copied(tmp_path_factory))
    with copying:
        yield copying


@pytest.fixture(scope="session")
def django_db_setup(_copy_migrated_databases, django_db_setup):
    """pytest-django's test databases, each a copy of the run's migrated database."""
    _copy_migrated_databases.close()  # a test's own migrate runs the migrations again
    yield


def pytest_sessionfinish(session):
    if not hasattr(session.config, "workerinput"):  # once, in the controlling process
        from django.conf import settings

        drop_templates(session.config._tmp_path_factory.getbasetemp(),
                       settings.DATABASES["default"])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Fixtures read the outcome of the test's call in teardown (e.g. the browser fixture
    # photographs the pages of a failed test).
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session", autouse=True)
def _demo_snapshot_folder(tmp_path_factory):
    """Where ``tests/demo_snapshot.py`` keeps the loaded demo's rows for this test run."""
    from tests.demo_snapshot import SNAPSHOT_FOLDER, snapshot_folder

    os.environ[SNAPSHOT_FOLDER] = str(snapshot_folder(tmp_path_factory))


@pytest.fixture(autouse=True)
def _site_language():
    # A request through the language middleware leaves its language active in the thread, and
    # django-modeltranslation writes ``event.title = ...`` into the active language's column:
    # without this, a French request in one test would make the next test's event French.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_public_cache():
    # A new version token makes every cached page of earlier tests unreachable (works on the
    # shared Redis of the CI run as well as on the in-process cache).
    pagecache.invalidate()
    yield


class ClockController:
    def set(self, moment):
        business_clock.set_now(moment)
        return moment

    def advance(self, **delta):
        return business_clock.advance(dt.timedelta(**delta))

    def now(self):
        return business_clock.now()


@pytest.fixture
def clock():
    controller = ClockController()
    controller.set(paris(2027, 5, 20, 12, 0))
    yield controller
    business_clock.set_now(None)


@pytest.fixture
def make_event(db):
    from fusionforum.events.models import Day, Event

    def factory(**overrides):
        values = {
            "slug": "workshop-2027",
            "title": "Test Fusion Workshop 2027",
            "tagline": "Synthetic test event",
            "start_date": dt.date(2027, 5, 26),
            "end_date": dt.date(2027, 5, 28),
            "venue_name": "Test Campus Headquarters",
            "venue_address": "1 Test Road\n13000 Testville",
            "latitude": "43.708000",
            "longitude": "5.776000",
            "description": "A **synthetic** workshop.",
            "contact_emails": "organisers@test.invalid, second@test.invalid",
            "public_email": "workshop@test.invalid",
            "status": "published",
        }
        values.update(overrides)
        with_days = values.pop("with_days", True)
        event = Event(**values)
        event.full_clean()
        event.save()
        if with_days:
            for offset, label in enumerate(
                ["Day 1: breakthroughs", "Day 2: challenges", "Day 3: open doors"]
            ):
                Day.objects.create(
                    event=event, date=event.start_date + dt.timedelta(days=offset), label=label
                )
        return event

    return factory


@pytest.fixture
def event(make_event):
    return make_event()


@pytest.fixture
def make_stream(db):
    from fusionforum.events.models import StreamLink

    def factory(event, **overrides):
        values = {
            "label": "Plenary",
            "url": "https://video.test.invalid/secret-live-4711",
            "visible_from": paris(2027, 5, 26, 9, 0),
            "visible_until": paris(2027, 5, 26, 18, 0),
            "replay_url": "https://video.test.invalid/replay-4711",
        }
        values.update(overrides)
        stream = StreamLink(event=event, **values)
        stream.full_clean()
        stream.save()
        return stream

    return factory


@pytest.fixture
def make_user(db):
    from fusionforum.accounts.models import User

    counter = {"n": 0}

    def factory(email=None, **extra):
        counter["n"] += 1
        email = email or f"person{counter['n']}@test.invalid"
        return User.objects.create_user(email, "a-long-test-password", **extra)

    return factory


@pytest.fixture
def organiser(make_user, event):
    from fusionforum.events.models import TeamMembership

    user = make_user("organiser@test.invalid", full_name="Olga Organiser")
    TeamMembership.objects.create(event=event, user=user, role=TeamMembership.Role.ORGANISER)
    return user


def login_verified(client, user):
    """Log ``user`` in with a session that passed the second factor, as the back office
    requires: a confirmed TOTP device of the user is put into the session (django-otp)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
              or TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True))
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
