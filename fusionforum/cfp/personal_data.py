"""The call's part of a person's data download and of forgetting them."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from fusionforum.accounts.personal_data import Category, describe

from .models import SpeakerProfile, Submission
from .visibility import Purpose, visible_answers

describe(Category(
    "call", _("Proposals and speaker profiles"),
    _("Proposals you write or speak in (every answer, key figures, categories, co-speakers), "
      "reviews of them and decisions, and your speaker profile (biography, photo)."),
    _("To run the call for presentations and build the programme."),
    _("With the event's records; deleting your account removes your profile and takes you "
      "off the proposals."),
    sections=("call_submissions", "speaker_profiles"), module="call", order=40))


def provide(user) -> dict:
    """Submissions the person created or speaks in (with every answer: it is their own
    organisation's text) and their speaker profiles."""
    submissions = (Submission.objects.filter(created_by=user)
                   | Submission.objects.filter(speaker_links__user=user)).distinct()
    submissions = submissions.select_related("event", "organisation").prefetch_related(
        "key_figures", "challenge_categories", "help_categories", "speaker_links__user")
    return {
        "call_submissions": [_submission(s, user) for s in submissions],
        "speaker_profiles": [
            {"event": p.event.title, "event_slug": p.event.slug, "bio": p.bio,
             "has_photo": bool(p.photo), "updated_at": p.updated_at.isoformat()}
            for p in SpeakerProfile.objects.filter(user=user).select_related("event")
        ],
    }


def _submission(s, user) -> dict:
    # Every answer with its level: the person reads them as an author or speaker.
    answers = {a.question.key: a for a in visible_answers(s, user, Purpose.AUTHOR)}

    def text(key):
        return answers[key].text if key in answers else ""

    def level(key):
        return answers[key].visibility if key in answers else ""

    return {
        "event": s.event.title,
        "event_slug": s.event.slug,
        "code": s.code,
        "organisation": s.organisation.name,
        "state": s.state,
        "role": "author" if s.created_by_id == user.pk else "speaker",
        "title": s.title,
        "abstract": s.abstract,
        "language": s.language,
        "breakthroughs": text("breakthroughs"),
        "breakthroughs_visibility": level("breakthroughs"),
        "breakthrough_scale": s.breakthrough_scale,
        "key_figures": [{"label": f.label, "value": str(f.value.normalize()),
                         "unit": f.unit} for f in s.key_figures.all()],
        "challenges": text("challenges"),
        "challenges_visibility": level("challenges"),
        "challenge_categories": [c.name for c in s.challenge_categories.all()],
        "iter_help": text("iter_help"),
        "iter_help_visibility": level("iter_help"),
        "help_categories": [c.name for c in s.help_categories.all()],
        "speakers": [link.user.full_name for link in s.speaker_links.all()],
        "has_slides": bool(s.slides),
        "created_at": s.created_at.isoformat(),
        "submitted_at": s.submitted_at.isoformat() if s.submitted_at else None,
    }


def anonymise(user) -> None:
    """Remove the person's bio and photo (the file too). Submissions belong to their
    organisation and stay; the person's name is gone with the account itself."""
    for profile in SpeakerProfile.objects.filter(user=user):
        if profile.photo:
            storage, name = profile.photo.storage, profile.photo.name
            transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
        profile.photo = ""
        profile.bio = ""
        profile.save(update_fields=["photo", "bio", "updated_at"])
