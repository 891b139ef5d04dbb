"""Concrete values for the URL matrix's arguments, read from the loaded demo: the objects each
role holds (the participant's registration, seat, meeting request and feeds; the speaker's
submission; the expert's meeting; the reviewer's assignment) and the event's objects."""

from __future__ import annotations

from .conftest import ACCOUNTS, SLUG


def demo_objects() -> dict[str, object]:
    from fusionforum.accounts.models import User
    from fusionforum.announcements.models import Announcement
    from fusionforum.cfp.models import (
        Category,
        ReviewAssignment,
        ReviewerConflict,
        ScoreCategory,
        SpeakerProfile,
        Submission,
    )
    from fusionforum.events.models import Event
    from fusionforum.meetings.models import (
        Expert,
        ExpertRefusal,
        MeetingFeed,
        MeetingRelease,
        MeetingRequest,
        ScheduleRun,
    )
    from fusionforum.outcomes.models import Priority, ReportVersion, Theme
    from fusionforum.personal.models import PersonalFeed
    from fusionforum.programme.models import AgendaFeed, ProgrammeSession, Release, Room
    from fusionforum.registration.models import Registration
    from fusionforum.visits.models import Seat, TourRun, TourType

    event = Event.objects.get(slug=SLUG)
    participant = User.objects.get(email=ACCOUNTS["participant"][0])
    speaker = User.objects.get(email=ACCOUNTS["speaker"][0])
    reviewer = User.objects.get(email=ACCOUNTS["reviewer"][0])
    expert = User.objects.get(email=ACCOUNTS["expert"][0])
    release = Release.objects.filter(event=event).order_by("-version").first()
    own_submission = Submission.objects.filter(event=event, speaker_links__user=speaker).first()
    first = (lambda queryset: queryset.order_by("pk").first())  # noqa: E731
    conflict = first(ReviewerConflict.objects.filter(event=event))
    expert_request = first(MeetingRequest.objects.filter(
        event=event, expert__user=expert, meeting__isnull=False))
    participant_request = first(MeetingRequest.objects.filter(event=event,
                                                             attendees=participant))
    meeting_feed, _ = MeetingFeed.objects.get_or_create(event=event, user=participant)
    agenda_feed, _ = AgendaFeed.objects.get_or_create(event=event, user=participant)
    personal_feed, _ = PersonalFeed.objects.get_or_create(event=event, user=participant)
    from fusionforum.events.models import EventCreator
    from fusionforum.programme.models import MapSpot, VenueMap
    from tests.webhooks.demo import demo_endpoint

    webhook_endpoint, webhook_message = demo_endpoint(event)
    return {
        "webhook_endpoint": webhook_endpoint.pk,
        "webhook_message": webhook_message.pk,
        "slug": SLUG,
        "event_creator": first(EventCreator.objects.all()).pk,
        "registration": Registration.objects.get(event=event, user=participant).pk,
        "participant": participant.pk,
        "reviewer": reviewer.pk,
        "category": first(Category.objects.filter(event=event)).pk,
        "score_category": first(ScoreCategory.objects.filter(event=event)).pk,
        "submission": own_submission.code,
        "review_submission": first(ReviewAssignment.objects.filter(
            submission__event=event, reviewer=reviewer)).submission.code,
        # A conflict the demo's reviewer declared, else a number that is no conflict.
        "conflict": conflict.pk if conflict else 999999,
        "room": first(Room.objects.filter(event=event)).pk,
        "venue_map": first(VenueMap.objects.filter(event=event)).pk,
        "spot": first(MapSpot.objects.filter(venue_map__event=event)).pk,
        "session": first(ProgrammeSession.objects.filter(event=event)).pk,
        "release": release.version,
        "talk": release.snapshot["talks"][0]["code"],
        "speaker_code": release.snapshot["speakers"][0]["code"],
        "own_speaker_code": SpeakerProfile.objects.get(event=event, user=speaker).code,
        "expert": first(Expert.objects.filter(event=event, is_active=True)).pk,
        "schedule_run": ScheduleRun.objects.filter(event=event).order_by("-pk").first().pk,
        "meeting_release": MeetingRelease.objects.filter(event=event).order_by("-version")
        .first().version,
        "meeting_request": participant_request.pk,
        "expert_meeting": expert_request.pk,
        "expert_refusal": first(ExpertRefusal.objects.filter(expert__event=event,
                                                             expert__user=expert)).pk,
        "meeting_feed": meeting_feed.token,
        "agenda_feed": agenda_feed.token,
        "personal_feed": personal_feed.token,
        "tour": first(TourType.objects.filter(event=event)).pk,
        "tour_run": first(TourRun.objects.filter(tour__event=event)).pk,
        "seat": first(Seat.objects.filter(run__tour__event=event, user=participant)).pk,
        "theme": first(Theme.objects.filter(event=event)).pk,
        "priority": first(Priority.objects.filter(event=event)).pk,
        "outcomes_version": ReportVersion.objects.filter(event=event).order_by("-version")
        .first().version,
        "day": event.start_date.isoformat(),
        "announcement": first(Announcement.objects.filter(event=event)).pk,
    }
