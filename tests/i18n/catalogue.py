"""A small reader of gettext catalogues (.po), enough for the checks of tests/i18n: entries with
their context, singular and plural ids, translations and flags. (No dependency: the format is
simple, and the project's gettext tools already check the syntax when they compile.)"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "fusionforum" / "locale"
DOMAINS = ("django", "djangojs")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    locations: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def translations(self) -> list[str]:
        if self.msgid_plural:
            return [self.msgstr_plural[n] for n in sorted(self.msgstr_plural)]
        return [self.msgstr]

    @property
    def translated(self) -> bool:
        return all(self.translations) and bool(self.translations)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def read(path: Path) -> list[Entry]:
    """The entries of ``path``, the header (msgid "") included."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int | None] | None = None

    def finish():
        nonlocal current, target
        if target is not None:
            entries.append(current)
        current, target = Entry(), None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            current.obsolete = True
            line = line[2:].strip()
            if not line or line.startswith("#"):
                continue
        elif line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        elif line.startswith("#:"):
            current.locations += line[2:].split()
            continue
        elif line.startswith("#"):
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, text = match.groups()
            if keyword == "msgctxt" or (keyword == "msgid" and target
                                        and target[0].startswith("msgstr")):
                finish()
            target = ("msgstr_plural", int(index)) if index is not None else (keyword, None)
            _append(current, target, ast.literal_eval(text))
        elif line.startswith('"') and target is not None:
            _append(current, target, ast.literal_eval(line))
    finish()
    return entries


def _append(entry: Entry, target, text: str) -> None:
    name, index = target
    if name == "msgstr_plural":
        entry.msgstr_plural[index] = entry.msgstr_plural.get(index, "") + text
    else:
        setattr(entry, name, (getattr(entry, name) or "") + text)


def catalogue(language: str, domain: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{domain}.po"


def languages() -> list[str]:
    from django.conf import settings

    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
