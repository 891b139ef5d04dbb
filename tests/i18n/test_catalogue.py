"""The translation catalogues: up to date with the code, compiling without error, complete
(nothing untranslated, nothing fuzzy) and typeset as French is (tests/i18n/catalogue.py reads
them). A failure names the entries and where their strings come from."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from .catalogue import DOMAINS, LOCALE, catalogue, languages, read

SOURCE = LOCALE.parent
NBSP, NNBSP = "\u00a0", "\u202f"
# Placeholders of python-format (%(name)s, %s, %d) and of the JavaScript catalogue (%s).
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]")
TAG = re.compile(r"<[^>]*>")

CATALOGUES = [(language, domain) for language in languages() for domain in DOMAINS]


def _where(entry) -> str:
    return f"{' '.join(entry.locations[:3]) or '?'}: {entry.msgid[:70]!r}"


def _entries(language, domain):
    path = catalogue(language, domain)
    assert path.exists(), f"{path} is missing: run `make messages`"
    return [e for e in read(path) if e.msgid and not e.obsolete]


@pytest.fixture(scope="module")
def fresh_catalogues(tmp_path_factory):
    """``makemessages`` (the project's: no fuzzy guesses) run on a copy of the source with a
    copy of the catalogues, so the real ones are never touched: {(language, domain): path}."""
    copy = tmp_path_factory.mktemp("messages") / "fusionforum"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns(
        "__pycache__", "*.mo", "*.pyc", "fonts", "*.png", "*.jpg", "*.svg", "*.woff2", "*.pdf"))
    previous = Path.cwd()
    try:
        os.chdir(copy)
        with override_settings(LOCALE_PATHS=[]):
            options = {"locale": languages(), "add_location": "file", "no_obsolete": True,
                       "verbosity": 0}
            call_command("makemessages", ignore_patterns=["static/*"], **options)
            call_command("makemessages", domain="djangojs", **options)
    finally:
        os.chdir(previous)
    return {(language, domain): copy / "locale" / language / "LC_MESSAGES" / f"{domain}.po"
            for language, domain in CATALOGUES}


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_the_catalogue_holds_every_marked_string(fresh_catalogues, language, domain):
    known = {(e.msgctxt, e.msgid) for e in _entries(language, domain)}
    found = [e for e in read(fresh_catalogues[language, domain]) if e.msgid and not e.obsolete]
    missing = [_where(e) for e in found if (e.msgctxt, e.msgid) not in known]
    assert not missing, (f"{len(missing)} marked strings are not in {domain}.po ({language}); "
                         "run `make messages` and translate them:\n" + "\n".join(missing))


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_the_catalogue_compiles_without_error(language, domain, tmp_path):
    result = subprocess.run(
        ["msgfmt", "--check-format", "--statistics", "-o", str(tmp_path / "out.mo"),
         str(catalogue(language, domain))],
        capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_nothing_is_untranslated_or_fuzzy(language, domain):
    entries = _entries(language, domain)
    untranslated = [_where(e) for e in entries if not e.translated]
    fuzzy = [_where(e) for e in entries if e.fuzzy]
    print(f"{domain}.po ({language}): {len(entries)} messages, {len(untranslated)} "
          f"untranslated, {len(fuzzy)} fuzzy")
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries (check and unflag them):\n" + "\n".join(fuzzy)
    assert not untranslated, (f"{len(untranslated)} untranslated entries:\n"
                              + "\n".join(untranslated))


def _placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text))


def _template_variables(text: str) -> list[str]:
    return sorted(re.findall(r"\{\{\s*\w+\s*\}\}", text))


def placeholder_problems(entry) -> list[str]:
    problems = []
    if entry.msgid_plural:
        pairs = [(entry.msgid_plural if n else entry.msgid, text)
                 for n, text in sorted(entry.msgstr_plural.items())]
    else:
        pairs = [(entry.msgid, entry.msgstr)]
    for n, (source, text) in enumerate(pairs):
        if not text:
            continue
        wanted, got = _placeholders(source), _placeholders(text)
        plural_one = entry.msgid_plural and n == 0
        # The singular may leave out the count ("une seule place"); it may never add one.
        if (set(got) - set(_placeholders(entry.msgid_plural) + wanted)) if plural_one \
                else got != wanted:
            problems.append(f"placeholders {got} instead of {wanted}")
        if _template_variables(source) != _template_variables(text):
            problems.append("{{ }} placeholders differ")
    return problems


def typography_problems(text: str) -> list[str]:
    """French typography of one translation (tags and placeholders left out)."""
    visible = PLACEHOLDER.sub("x", TAG.sub(" ", text))
    problems = []
    if re.search(r" [:;?!»]", visible) or "« " in visible:
        problems.append("a plain space before : ; ? ! or inside « » (use U+00A0 / U+202F)")
    if re.search(r"[^\s\u00a0\u202f([{«][;?!](?=\s|$)", visible) \
            or re.search(r"[^\s\u00a0\u202f:/\d]:(?=\s|$)", visible):
        problems.append("no space before : ; ? ! (use U+00A0 / U+202F)")
    if re.search(r"«(?![\u00a0\u202f])|(?<![\u00a0\u202f])»", visible):
        problems.append("« » without non-breaking spaces inside")
    if re.search(r'["“”]', visible):
        problems.append("English quotation marks (use « »)")
    if "'" in visible:
        problems.append("a straight apostrophe (use ’)")
    if re.search(r"\b\d{1,2}(:\d\d)?\s?[ap]\.?m\.?\b", visible, re.IGNORECASE):
        problems.append("a 12-hour time")
    return problems


@pytest.mark.parametrize(("language", "domain"), [c for c in CATALOGUES if c[0] == "fr"])
def test_french_typography_and_placeholders(language, domain):
    problems = []
    for entry in _entries(language, domain):
        found = placeholder_problems(entry)
        for text in entry.translations:
            if text:
                found += typography_problems(text)
        problems += [f"{_where(entry)}: {problem}" for problem in dict.fromkeys(found)]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_the_typography_rules_themselves():
    assert typography_problems("Pays\u00a0: France\u00a0; «\u00a0oui\u00a0»\u00a0!") == []
    assert typography_problems('Voir <a href="/x">ici</a>, l’atelier.') == []
    assert typography_problems("%(label)s\u00a0: %(error)s") == []
    assert typography_problems("Pays : France")
    assert typography_problems("Pays: France")
    assert typography_problems("Vraiment ?")
    assert typography_problems("« oui »")
    assert typography_problems('Dites "oui"')
    assert typography_problems("l'atelier")
    assert typography_problems("à 9:00 am")
    assert typography_problems("https://example.org/ et 09:00") == []
