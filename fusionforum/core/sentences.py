"""Joining sentences around text someone else wrote (an organiser's reason, a meeting point):
the text may or may not end with its own punctuation, and a page must not print "(demo).." or
"office.." when it adds a full stop of its own."""

from __future__ import annotations

# What may close a sentence, and what may follow that mark (closing quotes and brackets).
ENDINGS = ".!?…"
CLOSERS = "\"'”’»)]"


def ends_sentence(text: str) -> bool:
    stripped = (text or "").rstrip().rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in ENDINGS


def as_sentence(text: str, stop: str = ".") -> str:
    """``text`` without trailing blanks, ending with ``stop`` unless it already ends a sentence
    ("Refused (demo)." stays as it is; "Refused (demo)" gets its full stop). Empty stays empty."""
    text = (text or "").rstrip()
    if not text or ends_sentence(text):
        return text
    return text + stop
