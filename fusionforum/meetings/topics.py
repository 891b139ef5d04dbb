"""Who may read a meeting's topic: one rule for every page, calendar feed, e-mail and export.

A delegation may mark the topic of its meeting request confidential. A confidential topic is
read on the site by the requesting organisation's own delegates (who wrote it), the expert of
the meeting and the event's organisers; nobody else, and it never leaves the site: calendar
feeds and e-mails say it is confidential instead (a calendar service or a mailbox keeps
whatever it is sent). A topic that is not confidential is read by anyone who sees the
meeting. The published versions keep every topic (the expert and the organisers read them
from there); what a reader gets is decided here, when it is shown.

``visible_topic`` takes a published meeting (a snapshot entry) or a MeetingRequest; no other
module decides on the confidential flag (``tests/meetings/test_topic_visibility_source.py``
checks the source).
"""

from __future__ import annotations

import enum

from django.utils.translation import gettext_lazy as _


class Purpose(enum.Enum):
    """Where the topic is going."""

    PAGE = "page"                    # a page of the site, for the viewer in front of it
    CALENDAR_FEED = "calendar_feed"  # an iCalendar feed: read by a calendar service
    EMAIL = "email"                  # an e-mail: kept and forwarded by mailboxes
    MACHINE_EXPORT = "machine_export"  # the REST API and webhooks: read by other systems


# What stands in for a topic a reader may not read, in the words of each place.
HIDDEN = {
    Purpose.PAGE: _("Confidential"),
    Purpose.CALENDAR_FEED: _("Confidential topic: see the meetings page."),
    Purpose.EMAIL: _("confidential topic (see the meetings page)"),
    Purpose.MACHINE_EXPORT: _("Confidential topic: see the meetings page."),
}
# The mark beside a confidential topic its readers see (so they do not pass it on).
BADGE = _("confidential")


def _fields(meeting) -> tuple[str, bool, tuple, int | None]:
    """Topic, confidential flag, expert ids and organisation id of a published meeting (a
    dict) or of a meeting request."""
    if isinstance(meeting, dict):
        return (meeting["topic"], bool(meeting.get("confidential")),
                tuple(meeting.get("experts") or [meeting.get("expert")]),
                meeting.get("organisation"))
    return (meeting.topic, meeting.confidential,
            tuple(pk for pk in (meeting.expert_id, getattr(meeting, "expert2_id", None)) if pk),
            meeting.organisation_id)


def is_confidential(meeting) -> bool:
    """Whether the topic is marked confidential (for the badge its readers see)."""
    return _fields(meeting)[1]


def visible_topic(meeting, *, viewer_organisation: int | None = None,
                  viewer_expert: int | None = None, organiser: bool = False,
                  purpose: Purpose = Purpose.PAGE) -> str | None:
    """The topic if this viewer may read it for ``purpose``, else None. The viewer is given by
    what they are to the meeting: the organisation they are a delegate of, the expert they
    are, whether they organise the event; all unset for the public."""
    topic, confidential, expert, organisation = _fields(meeting)
    if not confidential:
        return topic
    if purpose is not Purpose.PAGE:
        return None
    if organiser or (viewer_expert is not None and viewer_expert in expert) \
            or (viewer_organisation is not None and viewer_organisation == organisation):
        return topic
    return None


def with_visible_topics(meetings, **viewer) -> list:
    """Each meeting (published dict or request) with ``visible_topic`` set for this viewer's
    pages (the keywords of ``visible_topic``); the templates print nothing else."""
    for meeting in meetings:
        topic = visible_topic(meeting, **viewer)
        if isinstance(meeting, dict):
            meeting["visible_topic"] = topic
        else:
            meeting.visible_topic = topic
    return meetings


def topic_text(meeting, *, purpose: Purpose, viewer_organisation: int | None = None,
               viewer_expert: int | None = None, organiser: bool = False) -> str:
    """The topic, or the words that stand in for it where the reader may not read it."""
    topic = visible_topic(meeting, viewer_organisation=viewer_organisation,
                          viewer_expert=viewer_expert, organiser=organiser, purpose=purpose)
    return HIDDEN[purpose] if topic is None else topic
