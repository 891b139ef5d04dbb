"""The meetings app's part of a person's data download and of forgetting them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fusionforum.accounts.personal_data import Category, describe

from .models import Expert, MeetingFeed, MeetingRequest

describe(Category(
    "meetings", _("Expert meetings"),
    _("Meeting requests you make or attend (target, topic, priority), and, for experts, the "
      "expert profile (name, title, department, disciplines, biography, languages)."),
    _("To place day-3 meetings between organisations and experts."),
    _("With the event's records; deleting your account withdraws your requests."),
    sections=("meeting_requests", "expert_profiles"), module="meetings", order=50))


def provide(user) -> dict:
    """Requests the person made or attends (their organisation's own text), and expert
    profiles linked to their login (with the conflicts of interest they declared)."""
    requests = (MeetingRequest.objects.filter(created_by=user)
                | MeetingRequest.objects.filter(attendees=user)).distinct().select_related(
        "event", "organisation", "expert")
    return {
        "meeting_requests": [
            {"event_slug": r.event.slug, "organisation": r.organisation.name,
             "target": r.target_label, "topic": r.topic, "priority": r.priority,
             "confidential": r.confidential, "status": r.status,
             "submitted_at": r.submitted_at.isoformat()}
            for r in requests
        ],
        "expert_profiles": [
            {"event_slug": e.event.slug, "name": e.name, "title": e.title,
             "department": e.department, "disciplines": e.disciplines, "bio": e.bio,
             "languages": e.languages,
             "conflicts_of_interest": [
                 {"organisation": r.organisation.name, "reason": r.reason,
                  "reason_shown_to_organisers": r.share_reason}
                 for r in e.refusals.select_related("organisation")]}
            for e in Expert.objects.filter(user=user).select_related("event")
        ],
    }


def anonymise(user) -> None:
    """Take the person out of requests they attend and unlink expert profiles; feeds go.
    Requests belong to the organisation and stay."""
    for request in MeetingRequest.objects.filter(attendees=user):
        request.attendees.remove(user)
    Expert.objects.filter(user=user).update(user=None)
    MeetingFeed.objects.filter(user=user).delete()
