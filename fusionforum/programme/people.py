"""People of an imported programme: speaker profiles without an account (cfp.SpeakerProfile
with no user), and the invitation that lets such a person claim their profile.

``invite(profile, email=..., by=...)`` sends a single-use link by e-mail (the token is only
stored hashed, valid INVITATION_DAYS days; a new invitation replaces the earlier ones).
``update_person(profile, by=..., name=...)`` corrects an unclaimed profile.
``claim(event, token, user=...)`` attaches the profile to the signed-in person's account: the
profile keeps its code, so its page, its calendar and the export ids stay the same, and its
sessions are now theirs. ``invitation(event, token)`` finds a usable invitation (the claim
page shows who it is for).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from fusionforum.cfp.models import ProfileInvitation, SpeakerProfile
from fusionforum.core import audit, clock
from fusionforum.core.text import normalise_newlines, validate_multiline, validate_single_line
from fusionforum.notifications.services import queue_email

INVITATION_DAYS = 30


class InvitationRefused(Exception):
    """The invitation cannot be sent or used; the message says why."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def imported_people(event):
    """The event's speaker profiles that came from an import, with their number of sessions
    and their latest invitation."""
    return (SpeakerProfile.objects.filter(event=event)
            .filter(Q(user__isnull=True) | ~Q(source_id="") | ~Q(name=""))
            .select_related("user")
            .annotate(session_count=Count("session_links__session", distinct=True))
            .prefetch_related("invitations")
            .order_by("name", "id"))


def person(event, code: str) -> SpeakerProfile | None:
    """The event's speaker profile with public code ``code`` (the people page's forms name
    people by it), or None."""
    return SpeakerProfile.objects.filter(event=event, code=str(code)[:12]).first()


def invite(profile: SpeakerProfile, *, email: str, by) -> ProfileInvitation:
    event = profile.event
    if by is None or not by.has_perm("programme.manage_programme", event):
        raise PermissionDenied(_("Only the event's organisers can invite speakers."))
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise InvitationRefused(_("Enter a valid e-mail address.")) from None
    token = secrets.token_urlsafe(32)
    now = clock.now()
    with transaction.atomic():
        locked = SpeakerProfile.objects.select_for_update().get(pk=profile.pk)
        if locked.user_id is not None:
            raise InvitationRefused(_("%(name)s already has an account linked to this "
                                      "profile.") % {"name": locked.display_name})
        ProfileInvitation.objects.filter(profile=locked, used_at__isnull=True).update(
            expires_at=now)
        invitation = ProfileInvitation.objects.create(
            profile=locked, email=email, token_hash=_hash(token), sent_by=by, sent_at=now,
            expires_at=now + dt.timedelta(days=INVITATION_DAYS))
        link = settings.SITE_URL + reverse("programme:claim_profile",
                                           kwargs={"slug": event.slug, "token": token})
        with translation.override(event.default_language):
            context = {"event": event, "profile": locked, "link": link,
                       "days": INVITATION_DAYS, "sender": by.full_name or by.email}
            subject = _("Your speaker profile at %(event)s") % {"event": event.title}
            body = render_to_string("programme/email/profile_invitation.txt", context)
        queue_email(to=[email], subject=subject, body=body, purpose="profile_invitation",
                    related=invitation)
        audit.record("programme.profile_invited", locked, actor=by,
                     summary=f"Invitation to claim speaker profile {locked.code}")
    return invitation


def invitation(event, token: str) -> ProfileInvitation | None:
    if not token or len(token) > 100:
        return None
    found = (ProfileInvitation.objects.select_related("profile")
             .filter(token_hash=_hash(token), profile__event=event).first())
    if found is None or found.used_at is not None or found.expires_at <= clock.now():
        return None
    if found.profile.user_id is not None:
        return None
    return found


def claim(event, token: str, *, user) -> SpeakerProfile:
    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("Sign in to claim your speaker profile."))
    with transaction.atomic():
        found = invitation(event, token)
        if found is None:
            raise InvitationRefused(_("This invitation has expired, was used already, or was "
                                      "replaced by a newer one; ask the organisers for a new "
                                      "one."))
        profile = SpeakerProfile.objects.select_for_update().get(pk=found.profile_id)
        if profile.user_id is not None:
            raise InvitationRefused(_("This speaker profile already belongs to an account."))
        if SpeakerProfile.objects.filter(event=event, user=user).exists():
            raise InvitationRefused(_("Your account already has a speaker profile at this "
                                      "event; ask the organisers to merge the two."))
        now = clock.now()
        profile.user = user
        profile.save(update_fields=["user", "updated_at"])
        ProfileInvitation.objects.filter(pk=found.pk).update(used_at=now, used_by=user)
        ProfileInvitation.objects.filter(profile=profile, used_at__isnull=True).update(
            expires_at=now)
        audit.record("programme.profile_claimed", profile, actor=user,
                     summary=f"Speaker profile {profile.code} claimed")
    return profile


def update_person(profile: SpeakerProfile, *, by, name: str, honorific: str = "",
                  affiliation: str = "", bio: str | None = None) -> SpeakerProfile:
    """Correct what an import wrote about a person without an account (a name the file spelt
    badly, a missing affiliation). A claimed profile is its owner's: refused."""
    event = profile.event
    if by is None or not by.has_perm("programme.manage_programme", event):
        raise PermissionDenied(_("Only the event's organisers can change imported people."))
    values = {"name": " ".join((name or "").split()), "honorific": " ".join(
        (honorific or "").split()), "affiliation": " ".join((affiliation or "").split())}
    if bio is not None:
        values["bio"] = normalise_newlines(bio).strip()
    if not values["name"]:
        raise InvitationRefused(_("A person needs a name."))
    try:
        for key in ("name", "honorific", "affiliation"):
            validate_single_line(values[key])
        validate_multiline(values.get("bio", ""))
    except ValidationError as error:
        raise InvitationRefused(" ".join(error.messages)) from None
    with transaction.atomic():
        locked = SpeakerProfile.objects.select_for_update().get(pk=profile.pk)
        if locked.user_id is not None:
            raise InvitationRefused(_("%(name)s holds this profile with their own account; "
                                      "they keep it up to date.")
                                    % {"name": locked.display_name})
        for key, value in values.items():
            setattr(locked, key, value)
        try:
            locked.full_clean()
        except ValidationError as error:
            raise InvitationRefused(" ".join(error.messages)) from None
        locked.save()
        audit.record("programme.person_changed", locked, actor=by,
                     summary=f"Imported person {locked.code} corrected")
    return locked
