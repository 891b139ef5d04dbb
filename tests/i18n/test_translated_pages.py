"""Every visible string of the main pages of every role is translated: each page of the page
catalogue (tests/browser/page_catalogue.py) is rendered in English and in French with the
Django test client, on the demo loaded once; a visible text of the English page that appears
unchanged in the French page fails, unless people entered it (any text stored in the demo's
database) or it is in ``SAME_IN_BOTH`` (words French and English write alike).

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
    parts = [part for part in _LIST.split(text) if part.strip(_EDGES)]
    if len(parts) > 1:
        return any(_needs_translation(part, content, same) for part in parts)
    return _needs_translation(text, content, same)


def _needs_translation(text: str, content: str, same: frozenset[str]) -> bool:
    bare = _NUMBERED.sub("", text.strip(_EDGES)).strip(_EDGES)
    if text in SAME_IN_BOTH or bare in SAME_IN_BOTH or bare in same:
        return False
    if not _LETTERS.search(bare) or "@" in bare or bare.startswith(("http://", "https://")):
        return False
    return bare not in content


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
