"""The life cycle of an event: every allowed move, in one place (``core.lifecycle``).

    draft ──publish──► published ──archive──► archived
      │  ◄──unpublish──┘                        │
      └──────────archive────────────────────────┤
                 ◄──reopen (published if it was, else draft)──┘

A draft is seen by its team only; a published event by anyone; an archived event is
read-only (``events/archive.py``) and stays public when it was ever published.
"""

from __future__ import annotations

from fusionforum.core.lifecycle import Machine

from .models import EventStatus

S = EventStatus

LIFE_CYCLE = Machine("event", EventStatus, {
    S.DRAFT: {S.PUBLISHED: "publish", S.ARCHIVED: "archive"},
    S.PUBLISHED: {S.ARCHIVED: "archive", S.DRAFT: "unpublish"},
    S.ARCHIVED: {S.PUBLISHED: "reopen", S.DRAFT: "reopen"},
}, field="status", initial=S.DRAFT, log="events.EventTransition")
TRANSITIONS = LIFE_CYCLE.table
IllegalTransition = LIFE_CYCLE.IllegalTransition
