"""Recordings and slides that organisers attach to a talk of the released programme, for
after it: the services that change them (permission, checks, audit, one transaction) and what
the public pages may show at a moment (nothing before the talk has ended)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from fusionforum.cfp import uploads
from fusionforum.cfp.models import Submission
from fusionforum.core import audit, clock, pagecache
from fusionforum.core.text import validate_single_line

from . import public
from .models import TalkMaterial

PERMISSION = "programme.manage_programme"
DEFAULT_MAX_SLIDES_MB = 25


class MaterialRefused(Exception):
    """The talk is not in the released programme, or the input is wrong; nothing was written."""

    def __init__(self, messages):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__(" ".join(self.messages))


@dataclass(frozen=True)
class ShownMaterial:
    """What a talk's page shows after the talk: the recording's address and whether the
    organisers' slides can be downloaded."""

    recording_url: str
    has_slides: bool


def _check_permission(event, by) -> None:
    if not by.has_perm(PERMISSION, event):
        raise PermissionDenied(_("Only the event's organisers can attach recordings and "
                                 "slides."))


def released_talk(event, code: str):
    """The talk ``code`` of the latest release that came from the call, or None. Material is
    kept with the talk's submission: an entry imported from another system's programme has
    none, so it is not offered (its page would refuse what its own form sends)."""
    programme = public.latest(event)
    talk = programme.talks_by_code.get(code) if programme else None
    return None if talk is None or talk.imported else talk


def material_of(event, code: str) -> TalkMaterial | None:
    return (TalkMaterial.objects.select_related("submission")
            .filter(submission__event=event, submission__code=code).first())


def max_slides_mb(event) -> int:
    """The call's limit for speakers' slides, or the default when the event has no call."""
    try:
        return event.call_settings.max_slides_mb or DEFAULT_MAX_SLIDES_MB
    except ObjectDoesNotExist:
        return DEFAULT_MAX_SLIDES_MB


def _max_slides_bytes(event) -> int:
    return max_slides_mb(event) * 1024 * 1024


def _clean_recording(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    try:
        validate_single_line(url)
        if len(url) > 500:
            raise ValidationError(_("The address is longer than 500 characters."))
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError as error:
        raise MaterialRefused(_("The recording address must be an http or https address.")) \
            from error
    return url


def save_material(event, code: str, *, by, recording_url: str, slides=None,
                  remove_slides: bool = False) -> TalkMaterial | None:
    """Set the recording address and, if given, replace the slides (a checked PDF); or remove
    the slides. Organisers of the event only, for a talk of the released programme. Returns
    the row (None when nothing is left attached)."""
    _check_permission(event, by)
    if released_talk(event, code) is None:
        raise MaterialRefused(_("This talk is not in the released programme."))
    recording_url = _clean_recording(recording_url)
    data = None
    if slides is not None:
        try:
            data = uploads.check_pdf(slides, max_bytes=_max_slides_bytes(event))
        except ValidationError as error:
            raise MaterialRefused(error.messages) from error
    with transaction.atomic(durable=True):
        submission = Submission.objects.select_for_update().filter(event=event,
                                                                   code=code).first()
        if submission is None:  # an imported entry: a session of its own, no submission
            raise MaterialRefused(_("This talk is not in the released programme."))
        material = TalkMaterial.objects.filter(submission=submission).first() \
            or TalkMaterial(submission=submission)
        storage = material.slides.storage
        old_name = material.slides.name
        changes = []
        if material.recording_url != recording_url:
            changes.append("recording removed" if not recording_url else "recording set")
            material.recording_url = recording_url
        if data is not None:
            material.slides.save("slides.pdf", ContentFile(data), save=False)
            new_name = material.slides.name
            transaction.on_commit(lambda: old_name and storage.delete(old_name))
            material.slides_uploaded_at = clock.now()
            changes.append(f"slides uploaded ({len(data)} bytes)")
        elif remove_slides and old_name:
            material.slides = ""
            material.slides_uploaded_at = None
            transaction.on_commit(lambda: storage.delete(old_name))
            changes.append("slides removed")
        if not changes:
            return material if material.pk else None
        material.updated_at = clock.now()
        try:
            if material.is_empty:
                if material.pk:
                    material.delete()
                material = None
            else:
                material.save()
            audit.record("programme.material_saved", submission, actor=by,
                         summary=f"Talk {code}: " + ", ".join(changes))
        except Exception:
            if data is not None:
                storage.delete(new_name)
            raise
        # At once and again after the commit, as a release does: no cached page outlives it.
        pagecache.invalidate()
        transaction.on_commit(pagecache.invalidate)
    return material


def shown_at(event, programme, now: dt.datetime, codes=None):
    """``({code: ShownMaterial}, next change)``: the materials of the released talks (all, or
    those of ``codes``) that have ended by ``now``, and the next end of a talk that has some
    but has not ended yet (the moment the pages showing them change)."""
    if programme is None:
        return {}, None
    rows = TalkMaterial.objects.filter(submission__event=event)
    if codes is not None:
        rows = rows.filter(submission__code__in=list(codes))
    shown, next_change = {}, None
    for code, url, slides in rows.values_list("submission__code", "recording_url", "slides"):
        talk = programme.talks_by_code.get(code)
        if talk is None:
            continue
        if now >= talk.end:
            shown[code] = ShownMaterial(recording_url=url, has_slides=bool(slides))
        elif next_change is None or talk.end < next_change:
            next_change = talk.end
    return shown, next_change


def open_slides(event, code: str, now: dt.datetime):
    """The organisers' slides of a released, ended talk opened for reading, or None."""
    programme = public.latest(event)
    talk = programme.talks_by_code.get(code) if programme else None
    if talk is None or now < talk.end:
        return None
    material = material_of(event, code)
    if material is None or not material.slides:
        return None
    try:
        return material.slides.storage.open(material.slides.name, "rb")
    except (FileNotFoundError, OSError):
        return None


def talks_for_organisers(event):
    """The released talks in programme order with what is attached to each (the organisers'
    list)."""
    programme = public.latest(event)
    if programme is None:
        return []
    attached = {m.submission.code: m for m in TalkMaterial.objects.select_related("submission")
                .filter(submission__event=event)}
    talks = sorted((t for t in programme.talks_by_code.values() if not t.imported),
                   key=lambda t: (t.start, t.code))
    return [(talk, attached.get(talk.code)) for talk in talks]
