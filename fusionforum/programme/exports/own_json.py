"""Our own JSON export, ``programme.json``: the release's public snapshot as is (format
``fusionforum-programme/1``, see snapshot.py) plus which release it is. Documented by
``programme.schema.json`` beside this file (JSON Schema draft 2020-12).

    {"format": "fusionforum-programme/1", "version": 3,
     "released_at": "2027-05-20T12:00:00+02:00", "release_comment": "...",
     "url": "<this document's address>", "language": "en", "event": {...}, "rooms": [...],
     "days": [...], "sessions": [...], "talks": [...], "speakers": [...]}
"""

from __future__ import annotations

import json
from pathlib import Path

SCHEMA_PATH = Path(__file__).with_name("programme.schema.json")


def document(snapshot: dict, *, version: int, released_at, comment: str, url: str,
             language: str | None = None) -> dict:
    payload = {
        "format": snapshot["format"],
        "version": version,
        "released_at": released_at.isoformat(),
        "release_comment": comment,
        "url": url,
    }
    if language:
        payload["language"] = language
    payload.update({key: value for key, value in snapshot.items() if key != "format"})
    return payload


def build(snapshot: dict, *, version: int, released_at, comment: str, url: str,
          language: str | None = None) -> bytes:
    payload = document(snapshot, version=version, released_at=released_at, comment=comment,
                       url=url, language=language)
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())
