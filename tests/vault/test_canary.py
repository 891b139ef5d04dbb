"""The canary: a unique identity number goes through every flow (submit, correction, the
officer's view, approval, exports, an error report), then the database, the logs, the e-mails,
the cache, the media files and every export except the security office's are searched for it
in plaintext. After the purge it is gone from everything, the security export included.

Excluded on purpose before the purge: the security office's export (it exists to carry the
values to the site's access office) and the person's own data download (they have a right to
their own data, and it is served only to them); both are searched after the purge too."""

import io
import logging
import os
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.views.debug import ExceptionReporter
from openpyxl import load_workbook

from fusionforum.notifications.models import OutboundEmail
from fusionforum.vault import crypto, services
from fusionforum.vault.models import AccessLogEntry, AccessRecord
from fusionforum.vault.views import public as views
from tests.conftest import login_verified

from .conftest import identity, paris

pytestmark = pytest.mark.django_db


def _database_texts():
    """Every cell of every table, as text (bytes decoded leniently)."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for cell in row:
                    if isinstance(cell, memoryview | bytes | bytearray):
                        yield table, bytes(cell).decode("utf-8", "replace")
                    elif cell is not None:
                        yield table, str(cell)


def _cache_blobs():
    if hasattr(cache, "_cache"):  # locmem: pickled values
        for key, value in cache._cache.items():
            yield key, value if isinstance(value, bytes) else repr(value).encode()
    else:  # Redis: every key under this run's prefix
        client = cache.client.get_client()
        prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
        for key in client.scan_iter(match=f"{prefix}*"):
            if client.type(key) == b"string":
                yield key, client.get(key) or b""


def _media_files():
    for root in (settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT):
        for path, _, names in os.walk(root):
            for name in names:
                yield Path(path) / name


def _find(canary, *, logs, exports, include_security=False):
    """Every place the canary (or its name) is found, as readable labels."""
    found = []
    needles = [canary, canary.encode()]
    for table, text in _database_texts():
        if canary in text:
            found.append(f"database:{table}")
    if canary in logs.text or any(canary in str(r.__dict__) for r in logs.records):
        found.append("logs")
    for email in OutboundEmail.objects.all():
        if canary in email.subject + email.body:
            found.append("outbox")
    for message in mail.outbox:
        if canary in message.subject + message.body + str(message.message()):
            found.append("mail.outbox")
    for key, blob in _cache_blobs():
        if needles[1] in blob:
            found.append(f"cache:{key}")
    for path in _media_files():
        if needles[1] in path.read_bytes():
            found.append(f"media:{path}")
    for label, content in exports.items():
        if not include_security and label in ("security", "own download"):
            continue
        if needles[1] in content:
            found.append(f"export:{label}")
    return found


def _exports(client_for, event, organiser, officer, alice):
    results = {}
    organiser_client = client_for(organiser)
    for name in ("desk_export_csv", "desk_export_xlsx"):
        response = organiser_client.get(reverse(f"registration:{name}", args=[event.slug]))
        results[name] = response.content
    for name in ("ics", "schedule_xml", "schedule_json", "programme_json"):
        response = organiser_client.get(reverse(f"programme_exports:{name}", args=[event.slug])
                                        if _ns("programme_exports") else
                                        reverse(name, args=[event.slug]))
        results[name] = response.content
    results["organiser site-access page"] = organiser_client.get(
        reverse("vault:status", args=[event.slug])).content
    officer_client = client_for(officer)
    results["office overview"] = officer_client.get(
        reverse("vault_security:overview", args=[event.slug])).content
    results["office log"] = officer_client.get(
        reverse("vault_security:log", args=[event.slug])).content
    url = officer_client.post(reverse("vault_security:export_create", args=[event.slug]),
                              {"fmt": "xlsx"})["Location"]
    assert canary_token_free(url)
    sheet = load_workbook(io.BytesIO(officer_client.get(url).content)).active
    results["security"] = repr([[c.value for c in row] for row in sheet.iter_rows()]).encode()
    alice_client = client_for(alice, verified=False)
    results["own download"] = alice_client.get(reverse("accounts:export")).content
    results["own page"] = alice_client.get(reverse("vault:status", args=[event.slug])).content
    return results


def canary_token_free(url):
    return "CANARY" not in url


def _ns(namespace):
    from django.urls import get_resolver

    return namespace in get_resolver().namespace_dict


@pytest.fixture
def client_for(client):
    from django.test import Client

    def make(user, *, verified=True):
        c = Client()
        if verified:
            login_verified(c, user)
        else:
            c.force_login(user)
        return c

    return make


def test_the_canary_never_leaks_and_is_gone_after_the_purge(
        caplog, clock, event, alice, bob, organiser, officer, client_for,
        django_capture_on_commit_callbacks):
    canary = f"CANARY{uuid.uuid4().hex[:12].upper()}"
    caplog.set_level(logging.DEBUG)
    connection.force_debug_cursor = True  # log every SQL statement with its parameters
    try:
        with django_capture_on_commit_callbacks(execute=True):
            alice_client = client_for(alice, verified=False)
            page = reverse("vault:status", args=[event.slug])
            assert alice_client.post(page, identity(document_number=canary + "X")
                                     ).status_code == 302
            assert alice_client.post(page, identity(document_number=canary)).status_code == 302
            # Bad input carrying the canary: refused, and not logged either.
            assert alice_client.post(page, identity(document_number=canary,
                                                    surname="\x00")).status_code == 400
            assert canary.encode() in alice_client.get(page).content  # the owner sees it
            officer_client = client_for(officer)
            person = reverse("vault_security:person", args=[event.slug, alice.pk])
            assert canary.encode() in officer_client.get(person).content
            assert officer_client.post(person, {"decision": "approve"}).status_code == 302
            exports = _exports(client_for, event, organiser, officer, alice)
        assert canary.encode() in exports["security"]
        assert canary.encode() in exports["own download"]

        # An error while the values are in memory: the error report hides them.
        request = RequestFactory().post(page, identity(document_number=canary))
        request.user = bob
        request._dont_enforce_csrf_checks = True
        original = crypto.seal
        crypto.seal = lambda *a, **k: (_ for _ in ()).throw(RuntimeError("sealing failed"))
        try:
            with pytest.raises(RuntimeError) as failure:
                views.status(request, slug=event.slug)
        finally:
            crypto.seal = original
        # From the view's frame down (the test's own frame holds the canary, of course).
        report = ExceptionReporter(request, failure.type, failure.value, failure.tb.tb_next)
        text = report.get_traceback_text()
        assert "sealing failed" in text and "document_number" in text  # a real report
        assert canary not in text
        assert canary not in report.get_traceback_html()

        assert _find(canary, logs=caplog, exports=exports) == []
        assert mail.outbox  # the decision e-mail was really sent

        # The purge: seven days after the last tour (28 May, 12:00).
        clock.set(paris(2027, 6, 4, 12, 0))
        assert services.purge_due() == 1
        exports = _exports(client_for, event, organiser, officer, alice)
        assert _find(canary, logs=caplog, exports=exports, include_security=True) == []
    finally:
        connection.force_debug_cursor = False
    record = AccessRecord.objects.get(user=alice)
    assert record.status == "approved" and record.purged_at
    assert AccessLogEntry.objects.filter(action="view", subject=alice).exists()
    assert AccessLogEntry.objects.filter(action="purge", subject=alice).exists()
