"""Every visible string of the main pages of every role is translated: each page of the page
catalogue (tests/browser/page_catalogue.py) is rendered in English and in French with the
Django test client, on the demo loaded once; a visible text of the English page that appears
unchanged in the French page fails, unless people entered it (any text stored in the demo's
database) or it is in ``SAME_IN_BOTH`` (words French and English write alike, names, file
names). A text made only of such pieces is content too: « Ada Example (Example Labs) », a
time range before a session's title, a stored label and its value (« Pinch current: 650 kA »).

Not compared: what the French page marks as written in another language (an element whose
``lang`` differs from the page's), the values of inputs (a ``<textarea>`` holds what people wrote
or will write) and code (``<code>``, ``<kbd>``, ``<samp>``: placeholders, CSV column keys).

Visible means: text nodes outside <script>/<style>, and the aria-label, title, alt and
placeholder attributes, and the value of buttons. The untranslated strings are printed per
page (``pytest -s``)."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

import lxml.html
import pytest
from django.apps import apps
from django.db import models
from django.test import Client

from tests.browser import page_catalogue as pages
from tests.conftest import login_verified
from tests.rolled_back import demo_rolled_back

pytestmark = pytest.mark.django_db

TODAY = dt.date(2027, 5, 26)
ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")

# Identical in French and English, on purpose; each with the reason.
SAME_IN_BOTH = {
    "Fusion Forum": "the product's name",
    "English": "the switcher names each language in its own language",
    "Français": "the switcher names each language in its own language",
    "Menu": "the same word in French",
    "Modules": "the same word in French",
    "Programme": "the same word in French",
    "Contact": "the same word in French",
    "Code": "the same word in French",
    "Notifications": "the same word in French",
    "Tokamak": "a kind of fusion device, the same word in French",
    "Stellarator": "a kind of fusion device, the same word in French",
    "Badge": "the same word in French",
    "Badges": "the same word in French",
    "Participants": "the same word in French",
    "Participant": "the same word in French",
    "Sessions": "the same word in French",
    "Session": "the same word in French",
    "Description": "the same word in French",
    "Questions": "the same word in French",
    "Question": "the same word in French",
    "Type": "the same word in French",
    "Total": "the same word in French",
    "Date": "the same word in French",
    "Dates": "the same word in French",
    "Notes": "the same word in French",
    "Message": "the same word in French",
    "Messages": "the same word in French",
    "Version": "the same word in French",
    "Export": "the same word in French (glossary)",
    "Import": "the same word in French (glossary)",
    "E-mail": "the glossary keeps « e-mail »",
    "Public": "the same word in French",
    "Expert": "the same word in French (short label, glossary)",
    "Experts": "the same word in French (short label, glossary)",
    "Publication": "the same word in French",
    "Discipline": "the same word in French",
    "Direction": "the same word in French",
    "ITER": "a name",
    "CSV": "a file format",
    "XLSX": "a file format",
    "PDF": "a file format",
    "JSON": "a file format",
    "iCalendar": "a file format",
    "QR": "a code's name",
    "OK": "the same in French",
    "FreeOTP": "an app's name",
    "Excel": "a program's name",
    "Open Data Commons Attribution 1.0 (ODC-By)": "a licence's name",
    "schedule.json": "a file name",
    # Marked for translation; French writes them alike.
    "Action": "the same word in French",
    "Actions": "the same word in French",
    "Active": "the same word in French (a meeting table, feminine)",
    "Introduction": "the same word in French",
    "Licence": "the same word in French",
    "Maximum": "the same word in French",
    "Min – max": "the same abbreviations in French",
    "Minutes": "the same word in French",
    "Photo": "the same word in French",
    "Points": "the same word in French",
    "Score": "the same word in French",
    "Sources": "the same word in French",
    "Tables": "the same word in French",
    "Versions": "the same word in French",
}

_LETTERS = re.compile(r"[^\W\d_]{2,}")
_SPACES = re.compile(r"\s+")


def _normal(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def visible_texts(html: bytes) -> list[str]:
    """The texts a person reads or hears on the page, in document order, without repeats."""
    document = lxml.html.fromstring(html)
    for hidden in document.xpath("//script|//style|//template|//noscript"):
        hidden.drop_tree()
    # Input values and code are not interface text; neither is what the page says is written
    # in another language than its own.
    for value in document.xpath("//textarea|//code|//kbd|//samp"):
        value.drop_tree()
    page_language = (document.get("lang") or "").split("-")[0]
    if page_language:
        for foreign in document.xpath("//*[@lang]"):
            if foreign is not document and foreign.getparent() is not None \
                    and foreign.get("lang").split("-")[0] != page_language:
                foreign.drop_tree()
    found = []
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        for text in (element.text, element.tail):
            if text and text.strip():
                found.append(_normal(text))
        for name in ATTRIBUTES:
            if element.get(name):
                found.append(_normal(element.get(name)))
        # A button's text is a text node; an input button shows its value.
        if element.tag == "input" and element.get("type") in ("submit", "button", "reset") \
                and element.get("value"):
            found.append(_normal(element.get("value")))
    return list(dict.fromkeys(found))


def stored_texts() -> str:
    """Every text value stored in the database, joined: what people (and the demo) entered.
    A page text found inside it is content, not interface."""
    values = []
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields
                  if isinstance(f, models.CharField | models.TextField | models.JSONField)]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            for value in row:
                if isinstance(value, str):
                    values.append(_normal(value))
                elif isinstance(value, dict | list):
                    values.extend(_normal(str(v)) for v in _strings_in(value))
    # The security office's identity data is stored encrypted: what people entered, too.
    from fusionforum.vault.models import AccessRecord
    from fusionforum.vault.services import owner_values

    for record in AccessRecord.objects.all():
        values.extend(_normal(str(v)) for v in owner_values(record).values())
    return "\n".join(values)


def _strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings_in(item)


_EDGES = " ·:;,.()[]–—|/*•\u00a0“”\"«»‘’'"
_NUMBERED = re.compile(r"^\d+[.)]\s+")  # « 7. Licensing »: a number the page puts before content
# « 09:45–10:05 Title », « 650 kA », « 32 experts »: a time range or a number before a text.
_LEADING_NUMBER = re.compile(r"^(?:\d{1,2}:\d{2}\s*[–-]\s*\d{1,2}:\d{2}|[\d.,]+)\s+")
# A code such as a booking code or a document number: capitals and digits, one word.
_CODE = re.compile(r"^(?=.*\d)[A-Z0-9-]{4,}$")


def same_words() -> set[str]:
    """Names that are the same text in both languages by nature: the countries whose French
    name is their English one (django-countries translates the others)."""
    from django.utils import translation
    from django_countries import countries

    with translation.override("fr"):
        french = {str(name) for _code, name in countries}
    with translation.override("en"):
        return french & {str(name) for _code, name in countries}


_LIST = re.compile(r"\s*(?:[·;]|,\s)\s*")


def needs_translation(text: str, content: str, same: frozenset[str] = frozenset()) -> bool:
    """Whether ``text`` (shown unchanged in both languages) is interface left in English: a
    list of items (« a, b », « a · b ») is so when one of its items is."""
    if not _needs_translation(text, content, same):
        return False
    parts = [part for part in _LIST.split(text) if part.strip(_EDGES)]
    if len(parts) > 1:
        return any(_needs_translation(part, content, same) for part in parts)
    return _needs_translation(text, content, same)


def _needs_translation(text: str, content: str, same: frozenset[str]) -> bool:
    bare = _NUMBERED.sub("", text.strip(_EDGES)).strip(_EDGES)
    bare = _LEADING_NUMBER.sub("", bare).strip(_EDGES)
    if text in SAME_IN_BOTH or bare in SAME_IN_BOTH or bare in same \
            or bare[:1].upper() + bare[1:] in SAME_IN_BOTH:
        return False
    if not _LETTERS.search(bare) or "@" in bare or _CODE.match(bare) \
            or bare.startswith(("http://", "https://")) \
            or (text.strip().startswith("/") and " " not in text.strip()):  # a site address
        return False
    if bare in content:
        return False
    return _needs_translation_composite(text.strip(), content, same)


def _needs_translation_composite(text: str, content: str, same: frozenset[str]) -> bool:
    """« A (B) » or « A: B » is content when each of A and B is (tried at every split that
    leaves the brackets of both sides balanced)."""
    candidates = []
    for index in range(len(text)):
        if text.startswith(" (", index) and text.endswith(")"):
            candidates.append((text[:index], text[index + 2:-1]))
        elif text.startswith(": ", index):
            candidates.append((text[:index], text[index + 2:]))
    for left, right in candidates:
        if left.strip(_EDGES) and right.strip(_EDGES) and _balanced(left) and _balanced(right) \
                and not _needs_translation(left, content, same) \
                and not _needs_translation(right, content, same):
            return False
    return True


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_rolled_back(django_db_blocker, TODAY) as event:
        from fusionforum.accounts.models import User

        # The comparison asks for each language with Accept-Language: no saved preference.
        User.objects.update(preferred_language="")
        yield event


def _client(role, accounts) -> Client:
    from fusionforum.accounts.models import User

    client = Client()
    if role != pages.ANONYMOUS:
        user = User.objects.get(email=accounts[role])
        if role in pages.STAFF:
            login_verified(client, user)
        else:
            client.force_login(user)
    return client


def test_every_visible_string_of_every_role_is_translated(demo, capsys):
    catalogue = pages.resolve()
    content = stored_texts()
    same = frozenset(same_words())
    clients: dict[str, Client] = {}
    untranslated: dict[str, list[str]] = defaultdict(list)
    opened = 0
    for name, role, path, status in catalogue["visits"]:
        if name.startswith("admin:"):
            continue  # Django's back office speaks French on its own
        client = clients.setdefault(role, _client(role, catalogue["accounts"]))
        english = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
        if english.status_code != status or "html" not in english.get("Content-Type", ""):
            continue
        french = client.get(path, HTTP_ACCEPT_LANGUAGE="fr")
        assert french.status_code == english.status_code, f"{path} as {role} in French"
        opened += 1
        french_texts = set(visible_texts(french.content))
        for text in visible_texts(english.content):
            if text in french_texts and needs_translation(text, content, same):
                untranslated[f"{path} ({role})"].append(text)
    report = "\n".join(f"{page}:\n    " + "\n    ".join(texts)
                       for page, texts in sorted(untranslated.items()))
    with capsys.disabled():
        print(f"\n{opened} pages compared in English and French; "
              f"{sum(map(len, untranslated.values()))} untranslated strings on "
              f"{len(untranslated)} pages")
        if report:
            print(report)
    assert opened > 20, "too few pages opened: the page catalogue or the demo changed"
    assert not untranslated, f"untranslated strings:\n{report}"


def test_the_comparison_sees_what_a_person_sees():
    html = (b'<html><body><p>Hello <b>you</b></p><script>var x = "no";</script>'
            b'<button aria-label="Close" title="Shut">x</button>'
            b'<input type="submit" value="Send"><img alt="A logo" src="/l.png">'
            b'<input placeholder="Your name"></body></html>')
    assert visible_texts(html) == ["Hello", "you", "x", "Close", "Shut", "Send", "A logo",
                                   "Your name"]
    assert not needs_translation("Menu", "")
    assert not needs_translation("12:00", "")
    assert not needs_translation("A synthetic workshop", "About A synthetic workshop here")
    assert needs_translation("Register now", "")
    assert not needs_translation("“A quoted answer.”", "A quoted answer.")
    assert not needs_translation("7. Licensing and safety", "Licensing and safety")
    assert not needs_translation("Magnets, Cryogenics · Tokamak", "Magnets\nCryogenics")
    assert needs_translation("Magnets · Register now", "Magnets")
    people = "Ada Example (demo)\nExample Labs (fictional)\nPinch current\nkA"
    assert not needs_translation("Ada Example (demo) (Example Labs (fictional))", people)
    assert not needs_translation("Example Labs (fictional) (Tokamak)", people)
    assert needs_translation("Ada Example (demo) (seats left)", people)
    assert needs_translation("Seats (Ada Example (demo))", people)
    assert not needs_translation("Pinch current: 650 kA", people)
    assert needs_translation("Subject: Ada Example (demo)", people)
    assert not needs_translation("09:45–10:05 Example Labs (fictional)", people)
    assert not needs_translation("DEMO00010X", "")
    assert needs_translation("identity_card", "")
    assert not needs_translation("/demo-workshop/outcomes/survey/", "")
    assert visible_texts(b'<html lang="fr"><body><p>Bonjour</p><pre lang="en">Dear Ada</pre>'
                         b'<textarea>Typed</textarea><code>{{ name }}</code></body></html>') \
        == ["Bonjour"]
