"""The authorization matrix over every URL of the project: roles x URL x method.

Every URL pattern (Django's URL map walked recursively; a later API adds its own source to
``URL_SOURCES``) must have an entry in ``MATRIX``, keyed by its name, or be listed in
``EXCLUDED`` with the reason; a new URL without either fails
``test_every_url_has_an_entry``. An entry says who may use the URL (``ORGANISERS``,
``SIGNED_IN``...: the answer each role gets for a method the view serves), which methods it
serves, and whether a method it does not serve is refused by the gate first (``gate_first``:
a refused role still gets its refusal, a permitted one 405) or with 405 for everyone
(``methods_first``); ``but=`` lists the cells that differ, with the reason next to the entry.

The requests run against the synthetic demo (loaded once for the module) and a second
event, one client per role (``conftest.ACCOUNTS``). Each request runs in a savepoint that is
rolled back, so a permitted POST never changes what the next one sees; the session cookie
is put back after each (a logout would end it). Outcome classes:

- ALLOWED: the gate let the request through: 2xx, a redirect that is not to the login or
  second-factor page, or 400/409/410/422 (a form error for empty data, an expired token).
- LOGIN: redirect to the login page. SECOND_FACTOR: redirect to the second-factor page.
- NOT_FOUND: 404 rendered with the plain "Page not found" page, telling nothing.
- FORBIDDEN: 403 with a page saying where the person stands (or a JSON error).
- NOT_ALLOWED: 405.

A refused request (every class but ALLOWED) must not write to the database: no INSERT,
UPDATE or DELETE is sent while it is answered. Only today's answers are asserted here; the
behaviour a role should get is decided in each app's ``rules.py`` and the gate.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.rolled_back import rolled_back

from .conftest import ACCOUNTS
from .demo_objects import demo_objects

pytestmark = pytest.mark.django_db

# -- roles (see conftest.ACCOUNTS) -------------------------------------------------------------
ANONYMOUS = "anonymous"
NO_ROLE = "no role"
PARTICIPANT = "participant"  # confirmed participant of the demo workshop
OTHER_PARTICIPANT = "other participant"  # confirmed participant of the other event only
SPEAKER = "speaker"  # author of a confirmed submission
EXPERT = "expert"
REVIEWER = "reviewer"
ORGANISER = "organiser"
OTHER_ORGANISER = "other organiser"  # organiser of the other event only
SECURITY_OFFICER = "security officer"
PLATFORM_ADMIN = "platform admin"
UNVERIFIED_ORGANISER = "unverified organiser"  # the organiser, second factor not passed
UNVERIFIED_ADMIN = "unverified platform admin"
ROLES = tuple(ACCOUNTS)
# Roles whose HEAD, PUT and DELETE are checked too (GET and POST are checked for every role):
# one of each kind of refusal and permission, to keep the module fast.
ALL_METHODS_ROLES = (ANONYMOUS, PARTICIPANT, OTHER_PARTICIPANT, ORGANISER, OTHER_ORGANISER)
METHODS = ("GET", "POST", "HEAD", "PUT", "DELETE")

# -- outcome classes ---------------------------------------------------------------------------
ALLOWED = "allowed"
LOGIN = "login redirect"
SECOND_FACTOR = "second-factor redirect"
NOT_FOUND = "404"
FORBIDDEN = "403"
NOT_ALLOWED = "405"
REFUSALS = {LOGIN, SECOND_FACTOR, NOT_FOUND, FORBIDDEN, NOT_ALLOWED}


def everyone(outcome, others=None):
    """``outcome`` for every role, except the roles in ``others``. A platform administrator
    whose session has not passed the second factor is answered as such an organiser is."""
    others = dict(others or {})
    others.setdefault(UNVERIFIED_ADMIN, others.get(UNVERIFIED_ORGANISER, outcome))
    return {role: others.get(role, outcome) for role in ROLES}


# -- who may use a URL (the answer for a method the view serves) -------------------------------
EVERYONE = everyone(ALLOWED)
SIGNED_IN = everyone(ALLOWED, {ANONYMOUS: LOGIN})
# The organisers' pages (/manage/<event>/...): the event's organisers and the platform
# administrators with a verified session; anyone else signed in gets a 404 telling nothing.
ORGANISERS = everyone(NOT_FOUND, {ANONYMOUS: LOGIN, ORGANISER: ALLOWED, PLATFORM_ADMIN: ALLOWED,
                                  UNVERIFIED_ORGANISER: SECOND_FACTOR})
# The platform's own pages (/manage/creators/): platform administrators with a verified session.
PLATFORM_ADMINS = everyone(NOT_FOUND, {ANONYMOUS: LOGIN, PLATFORM_ADMIN: ALLOWED,
                                       UNVERIFIED_ADMIN: SECOND_FACTOR})
REVIEWERS = everyone(NOT_FOUND, {ANONYMOUS: LOGIN, REVIEWER: ALLOWED})
SECURITY_OFFICERS = everyone(NOT_FOUND, {ANONYMOUS: LOGIN, SECURITY_OFFICER: ALLOWED})
EXPERTS = everyone(NOT_FOUND, {ANONYMOUS: LOGIN, EXPERT: ALLOWED})
STAFF = everyone(NOT_FOUND, {ANONYMOUS: LOGIN, REVIEWER: ALLOWED, ORGANISER: ALLOWED,
                             OTHER_ORGANISER: ALLOWED, SECURITY_OFFICER: ALLOWED,
                             PLATFORM_ADMIN: ALLOWED, UNVERIFIED_ORGANISER: SECOND_FACTOR})
# The meetings pages of the participants: confirmed participants of a delegation, the
# experts and the organisers; anyone else signed in gets the page saying where they stand.
MEETINGS_PEOPLE = everyone(ALLOWED, {ANONYMOUS: LOGIN, NO_ROLE: FORBIDDEN,
                                     OTHER_PARTICIPANT: FORBIDDEN, REVIEWER: FORBIDDEN,
                                     OTHER_ORGANISER: FORBIDDEN, SECURITY_OFFICER: FORBIDDEN})
# A meeting request belongs to the participants of its organisation: other people of the
# meetings day get 404, people outside it the page saying where they stand.
REQUEST_HOLDER = everyone(FORBIDDEN, {ANONYMOUS: LOGIN, PARTICIPANT: ALLOWED,
                                      SPEAKER: NOT_FOUND, EXPERT: NOT_FOUND, ORGANISER: NOT_FOUND,
                                      PLATFORM_ADMIN: NOT_FOUND, UNVERIFIED_ORGANISER: NOT_FOUND})
# The speaker's pages of a submission: its authors and speakers only.
SUBMISSION_AUTHORS = everyone(NOT_FOUND, {ANONYMOUS: LOGIN, SPEAKER: ALLOWED})
# What a person holds on the demo workshop (registration, seat, badge): the holder only.
REGISTERED = everyone(NOT_FOUND, {PARTICIPANT: ALLOWED, SPEAKER: ALLOWED})
# Every signed-in person is refused with the reason (403), e.g. a POST to a closed call.
NO_ONE_HERE_SIGNED_IN = everyone(FORBIDDEN, {ANONYMOUS: LOGIN})


class Url:
    """The expected answers of one URL: ``who`` for the methods it serves; a method it does
    not serve gets 405, after the gate's refusal if ``gate_first``; ``but`` overrides cells."""

    def __init__(self, who, serves, *, gate_first, but=None, **args):
        self.who, self.serves, self.gate_first = who, set(serves.split()), gate_first
        self.but = but or {}
        self.args = args  # URL kwarg -> key of demo_objects(), or a literal given as ("=", value)

    def expected(self, role, method):
        if role in self.but.get(method, {}):
            return self.but[method][role]
        if method in self.serves:
            return self.who[role]
        if self.gate_first and self.who[role] != ALLOWED:
            return self.who[role]
        return NOT_ALLOWED


def gate_first(who, serves, **kwargs):
    return Url(who, serves, gate_first=True, **kwargs)


def methods_first(who, serves, **kwargs):
    return Url(who, serves, gate_first=False, **kwargs)


def literal(value):
    return ("=", value)


# -- the table -------------------------------------------------------------------------------
EXCLUDED_NAMESPACES = {
    "admin": "Django's back office: its own permission checks, covered by the back-office "
             "matrix in tests/events/test_authorization.py",
    "api": "the REST API: its own matrix over sessions and tokens (401/403/404 as "
           "problem+json), tests/authorization/test_api_matrix.py",
}
# (static and media files are served by whitenoise and the web server, not by the URL map.)
EXCLUDED: dict[str, str] = {}

MATRIX = {
    # Public pages and feeds of a published event.
    "front_door": methods_first(EVERYONE, "GET HEAD"),
    "healthz": methods_first(EVERYONE, "GET HEAD"),
    # The language switcher (a cookie, and a signed-in person's preference) and the scripts'
    # catalogue of each language.
    "set_language": methods_first(EVERYONE, "POST"),
    "javascript_catalogue": methods_first(EVERYONE, "GET HEAD", language=literal("fr")),
    "registration:participants": methods_first(EVERYONE, "GET HEAD"),
    "cfp:call": methods_first(EVERYONE, "GET HEAD"),
    "events:home": methods_first(EVERYONE, "GET HEAD"),
    "events:livestream": methods_first(EVERYONE, "GET HEAD"),
    "events:livestream_status": methods_first(EVERYONE, "GET HEAD"),
    "events:contact": methods_first(EVERYONE, "GET POST"),
    "events:contact_sent": methods_first(EVERYONE, "GET HEAD"),
    "events:event_json": methods_first(EVERYONE, "GET HEAD"),
    "events:event_ics": methods_first(EVERYONE, "GET HEAD"),
    "programme_exports:ics": methods_first(EVERYONE, "GET HEAD"),
    "programme_exports:room_ics": methods_first(EVERYONE, "GET HEAD", room_id="room"),
    "programme_exports:speaker_ics": methods_first(EVERYONE, "GET HEAD", code="speaker_code"),
    "programme_exports:schedule_xml": methods_first(EVERYONE, "GET HEAD"),
    "programme_exports:schedule_json": methods_first(EVERYONE, "GET HEAD"),
    "programme_exports:programme_json": methods_first(EVERYONE, "GET HEAD"),
    "programme:programme": methods_first(EVERYONE, "GET HEAD"),
    "programme:changes": methods_first(EVERYONE, "GET HEAD"),
    "programme:programme_day": methods_first(EVERYONE, "GET HEAD", day="day"),
    "programme:talk": methods_first(EVERYONE, "GET HEAD", code="talk"),
    "programme:speakers": methods_first(EVERYONE, "GET HEAD"),
    "programme:speaker": methods_first(EVERYONE, "GET HEAD", code="speaker_code"),
    # Claiming an imported profile: signed in, then the token decides (410 for a bad one).
    "programme:claim_profile": gate_first(SIGNED_IN, "GET POST", token=literal("not-a-token")),
    "programme:talk_slides": methods_first(EVERYONE, "GET HEAD", code="talk"),
    # The organisers' slides of a talk are public once it has ended; at the matrix's 10:00 on
    # day 1 no demo talk has: 404 for everyone (tests/programme/test_materials.py after).
    "programme:talk_material_slides": methods_first(everyone(NOT_FOUND), "GET HEAD",
                                                    code="talk"),
    "programme:venue": methods_first(EVERYONE, "GET HEAD"),
    "programme:venue_plan": methods_first(EVERYONE, "GET HEAD", map_id="venue_map"),
    "programme:spot": methods_first(EVERYONE, "GET HEAD", spot_id="spot"),
    "programme:speaker_photo": methods_first(EVERYONE, "GET HEAD", code="own_speaker_code"),
    # The agenda keeps starred talks in the browser for people signed out.
    "programme:agenda": methods_first(EVERYONE, "GET HEAD"),
    "programme:agenda_local": methods_first(EVERYONE, "GET HEAD"),
    "programme:star": methods_first(SIGNED_IN, "POST", code="talk"),
    "programme:unstar": methods_first(SIGNED_IN, "POST", code="talk"),
    "programme:agenda_sync": methods_first(SIGNED_IN, "POST"),
    "programme:agenda_reset": methods_first(SIGNED_IN, "POST"),
    # Calendar feeds: the secret address is the credential (calendar apps cannot log in).
    "programme:agenda_ics": methods_first(EVERYONE, "GET HEAD", token="agenda_feed"),
    "meetings:feed": methods_first(EVERYONE, "GET HEAD", token="meeting_feed"),
    # "My workshop": the person's own page (anyone signed in; it shows only their items), its
    # feed (the secret token is the key), the feed's reset, and the page's service worker.
    "personal:mine": methods_first(SIGNED_IN, "GET HEAD"),
    "personal:feed_reset": methods_first(SIGNED_IN, "POST"),
    "personal:feed": methods_first(EVERYONE, "GET HEAD", token="personal_feed"),
    "personal:worker": methods_first(EVERYONE, "GET HEAD"),
    # The account's API tokens page (anyone signed in: their own tokens).
    "api_tokens:list": gate_first(SIGNED_IN, "GET POST"),
    "api_tokens:revoke": gate_first(
        SIGNED_IN, "POST", pk=literal(999999),
        but={"POST": everyone(NOT_FOUND, {ANONYMOUS: LOGIN})}),
    # The published outcomes report is read only.
    "outcomes:report": methods_first(EVERYONE, "GET HEAD"),
    "outcomes:pdf": methods_first(EVERYONE, "GET HEAD"),
    "outcomes:json": methods_first(EVERYONE, "GET HEAD"),
    "outcomes:csv": methods_first(EVERYONE, "GET HEAD"),
    "outcomes:version": methods_first(EVERYONE, "GET HEAD",
                                      number="outcomes_version"),
    "outcomes:version_pdf": methods_first(EVERYONE, "GET HEAD",
                                          number="outcomes_version"),
    "outcomes:version_json": methods_first(EVERYONE, "GET HEAD",
                                           number="outcomes_version"),
    "outcomes:version_csv": methods_first(EVERYONE, "GET HEAD",
                                          number="outcomes_version"),
    # The survey: confirmed participants answer it, organisers see a preview.
    "outcomes:survey": methods_first(
        everyone(FORBIDDEN, {ANONYMOUS: LOGIN, PARTICIPANT: ALLOWED, SPEAKER: ALLOWED,
                             ORGANISER: ALLOWED, PLATFORM_ADMIN: ALLOWED,
                             UNVERIFIED_ORGANISER: ALLOWED}), "GET POST"),

    # Accounts. A signed-in person opening the login page is sent on: staff to the second
    # factor (their sessions here are verified or not, the page asks either way).
    "accounts:signup": methods_first(EVERYONE, "GET POST"),
    "accounts:login": gate_first(
        everyone(ALLOWED, {REVIEWER: SECOND_FACTOR, ORGANISER: SECOND_FACTOR,
                           OTHER_ORGANISER: SECOND_FACTOR, SECURITY_OFFICER: SECOND_FACTOR,
                           PLATFORM_ADMIN: SECOND_FACTOR, UNVERIFIED_ORGANISER: SECOND_FACTOR}),
        "GET POST HEAD PUT",
        but={"DELETE": {NO_ROLE: ALLOWED, PARTICIPANT: ALLOWED, OTHER_PARTICIPANT: ALLOWED,
                        SPEAKER: ALLOWED, EXPERT: ALLOWED}}),
    "accounts:logout": methods_first(EVERYONE, "POST"),
    "accounts:profile": gate_first(SIGNED_IN, "GET POST"),
    "accounts:resend_verification": gate_first(SIGNED_IN, "GET POST"),
    "accounts:verify_email": methods_first(EVERYONE, "GET HEAD",
                                           token=literal("not-a-valid-token")),
    "accounts:password_reset": methods_first(EVERYONE, "GET POST HEAD PUT"),
    "accounts:password_reset_done": methods_first(EVERYONE, "GET HEAD"),
    "accounts:password_reset_confirm": methods_first(
        EVERYONE, "GET POST HEAD PUT DELETE", uidb64=literal("MQ"), token=literal("not-a-token")),
    "accounts:password_reset_complete": methods_first(EVERYONE, "GET HEAD"),
    # Anyone signed in may set up a second factor; staff not yet verified are sent to verify
    # it, except for the methods the page does not serve.
    "accounts:two_factor_setup": gate_first(
        everyone(ALLOWED, {ANONYMOUS: LOGIN, UNVERIFIED_ORGANISER: SECOND_FACTOR}), "GET POST",
        but={method: {UNVERIFIED_ORGANISER: NOT_ALLOWED} for method in ("HEAD", "PUT", "DELETE")}),
    # Only people who need a second factor verify one; the others are sent to the factor's
    # setup (which they may use) instead.
    "accounts:two_factor_verify": gate_first(
        everyone(ALLOWED, {ANONYMOUS: LOGIN, NO_ROLE: SECOND_FACTOR, PARTICIPANT: SECOND_FACTOR,
                           OTHER_PARTICIPANT: SECOND_FACTOR, SPEAKER: SECOND_FACTOR,
                           EXPERT: SECOND_FACTOR}), "GET POST",
        but={method: dict.fromkeys((NO_ROLE, PARTICIPANT, OTHER_PARTICIPANT, SPEAKER, EXPERT),
                                   NOT_ALLOWED)
             for method in ("HEAD", "PUT", "DELETE")}),
    "accounts:export": gate_first(SIGNED_IN, "GET HEAD"),
    "accounts:delete": gate_first(SIGNED_IN, "GET POST"),
    "accounts:deleted": methods_first(EVERYONE, "GET HEAD"),
    "staff_home": methods_first(STAFF, "GET HEAD"),
    # Single sign-on. The matrix's world has no identity provider: starting a sign-in is a
    # plain 404; the provider's answer, the proof of an existing account and its e-mailed link
    # without a sign-in waiting in the session are refused in words (400) for everyone.
    "sso:start": methods_first(everyone(NOT_FOUND), "GET HEAD", key=literal("institute")),
    "sso:oidc_callback": methods_first(EVERYONE, "GET HEAD"),
    "sso:saml_metadata": methods_first(everyone(NOT_FOUND), "GET HEAD", key=literal("institute")),
    "sso:saml_acs": methods_first(everyone(NOT_FOUND), "GET POST", key=literal("institute")),
    "sso:link": methods_first(EVERYONE, "GET POST"),
    "sso:link_email": methods_first(EVERYONE, "GET HEAD", token=literal("not-a-token")),
    "sso:signed_out": methods_first(EVERYONE, "GET HEAD"),

    # A participant's own registration; cancel and accept find no registration to act on
    # for people without one (404).
    # The registration page shows the form to anyone; registering needs an account.
    "registration:mine": methods_first(EVERYONE, "GET POST", but={"POST": {ANONYMOUS: LOGIN}}),
    "registration:cancel": methods_first(REGISTERED, "POST"),
    "registration:accept": methods_first(REGISTERED, "POST"),
    "registration:badge": methods_first(everyone(NOT_FOUND, {ANONYMOUS: LOGIN, PARTICIPANT: ALLOWED,
                                                             SPEAKER: ALLOWED}), "GET HEAD"),

    # Visa invitation letters: anyone signed in reads where they stand; asking for a letter
    # is refused with the reason (403) unless confirmed and asked (the demo participant
    # here did not ask: Ada did); the PDF is the holder's only; the check is public.
    "registration:visa_letter": methods_first(
        SIGNED_IN, "GET POST",
        but={"POST": {role: FORBIDDEN for role in ROLES if role != ANONYMOUS}}),
    "registration:visa_letter_pdf": methods_first(everyone(NOT_FOUND, {ANONYMOUS: LOGIN}),
                                                  "GET HEAD"),
    "registration:visa_check": methods_first(EVERYONE, "GET HEAD"),
    "registration:visa_letters": gate_first(ORGANISERS, "GET POST"),

    # The registration desk and front desk.
    "registration:desk_registrations": gate_first(ORGANISERS, "GET POST HEAD"),
    "registration:desk_export_csv": gate_first(ORGANISERS, "GET HEAD"),
    "registration:desk_export_xlsx": gate_first(ORGANISERS, "GET HEAD"),
    "registration:desk_registration": gate_first(ORGANISERS, "GET HEAD", pk="registration"),
    "registration:desk_registration_action": gate_first(ORGANISERS, "POST", pk="registration",
                                                        action=literal("priority")),
    "registration:desk_waiting_list": gate_first(ORGANISERS, "GET HEAD"),
    "registration:desk_organisations": gate_first(ORGANISERS, "GET HEAD"),
    "registration:desk_organisations_merge": gate_first(ORGANISERS, "GET POST HEAD"),
    "registration:desk_organisations_import": gate_first(ORGANISERS, "GET POST HEAD"),
    "registration:checkin": gate_first(ORGANISERS, "GET POST"),
    "registration:checkin_badges": gate_first(ORGANISERS, "GET HEAD"),
    "registration:email_templates": gate_first(ORGANISERS, "GET HEAD"),
    "registration:email_template_edit": gate_first(ORGANISERS, "GET POST",
                                                   key=literal("confirmed")),
    "registration:email_template_reset": gate_first(ORGANISERS, "POST", key=literal("confirmed")),

    # The call's desk, reviews and decisions (organisers).
    "cfp_decide:overview": gate_first(ORGANISERS, "GET POST HEAD"),
    "cfp_decide:auto_assign": gate_first(ORGANISERS, "POST"),
    "cfp_decide:reminders": gate_first(ORGANISERS, "POST"),
    "cfp_decide:reviewers": gate_first(ORGANISERS, "GET POST HEAD"),
    "cfp_decide:reviewer": gate_first(ORGANISERS, "GET POST HEAD", pk="reviewer"),
    "cfp_decide:reviewer_remove": gate_first(ORGANISERS, "POST", pk="reviewer"),
    "cfp_decide:scores": gate_first(ORGANISERS, "GET POST HEAD"),
    "cfp_decide:score_edit": gate_first(ORGANISERS, "GET POST HEAD", pk="score_category"),
    "cfp_decide:score_delete": gate_first(ORGANISERS, "POST", pk="score_category"),
    "cfp_decide:emails": gate_first(ORGANISERS, "GET HEAD"),
    "cfp_decide:email": gate_first(ORGANISERS, "GET POST HEAD", key=literal("accepted")),
    "cfp_decide:email_reset": gate_first(ORGANISERS, "POST", key=literal("accepted")),
    "cfp_decide:submission": gate_first(ORGANISERS, "GET HEAD", code="submission"),
    "cfp_decide:slides": gate_first(ORGANISERS, "GET HEAD", code="submission"),
    "cfp_decide:decide": gate_first(ORGANISERS, "POST", code="submission"),
    "cfp_decide:assign": gate_first(ORGANISERS, "POST", code="submission"),
    "cfp_decide:unassign": gate_first(ORGANISERS, "POST", code="review_submission",
                                      reviewer_id="reviewer"),
    "cfp_manage:submissions": gate_first(ORGANISERS, "GET HEAD"),
    "cfp_manage:settings": gate_first(ORGANISERS, "GET POST"),
    "cfp_manage:categories": gate_first(ORGANISERS, "GET POST"),
    "cfp_manage:category_action": gate_first(ORGANISERS, "POST", pk="category"),
    "cfp_manage:export": gate_first(ORGANISERS, "GET HEAD", fmt=literal("csv")),
    "cfp_manage:detail": gate_first(ORGANISERS, "GET POST", code="submission"),
    "cfp_manage:slides": gate_first(ORGANISERS, "GET HEAD", code="submission"),

    # Reviewers (/review/<event>/): the event's reviewers only, organisers included out.
    "review:home": gate_first(REVIEWERS, "GET HEAD"),
    "review:conflicts": gate_first(REVIEWERS, "GET POST HEAD"),
    "review:conflict_withdraw": gate_first(REVIEWERS, "POST", pk="conflict"),
    "review:submission": gate_first(REVIEWERS, "GET POST HEAD", code="review_submission"),
    "review:slides": gate_first(REVIEWERS, "GET HEAD", code="review_submission"),

    # The speaker's pages of a submission. POST to a closed call or past the edit deadline is
    # refused with the reason (403).
    "cfp:new": methods_first(SIGNED_IN, "GET POST", but={"POST": NO_ONE_HERE_SIGNED_IN}),
    "cfp:profile": methods_first(
        SIGNED_IN, "GET POST",
        but={"POST": everyone(FORBIDDEN, {ANONYMOUS: LOGIN, PARTICIPANT: ALLOWED,
                                          SPEAKER: ALLOWED})}),
    # The speaker's own photo (the profile page's preview): nobody else has one here.
    "cfp:own_photo": methods_first(everyone(NOT_FOUND, {SPEAKER: ALLOWED}), "GET HEAD"),
    "cfp:edit": methods_first(SUBMISSION_AUTHORS, "GET POST", code="submission",
                              but={"POST": {SPEAKER: FORBIDDEN}}),
    "cfp:slides": methods_first(everyone(NOT_FOUND, {SPEAKER: ALLOWED}), "POST",
                                code="submission"),
    # Slides before the talk is public: its authors, and verified organisers and assigned
    # reviewers (the demo's reviewer reviews this one).
    "cfp:slides_download": methods_first(
        everyone(NOT_FOUND, {SPEAKER: ALLOWED, REVIEWER: ALLOWED, ORGANISER: ALLOWED,
                             PLATFORM_ADMIN: ALLOWED}), "GET HEAD", code="submission"),
    "cfp:withdraw": methods_first(SUBMISSION_AUTHORS, "GET POST", code="submission"),
    "cfp:confirm": methods_first(SUBMISSION_AUTHORS, "GET POST", code="submission"),

    # The programme editor and import (organisers).
    "programme_import:upload": gate_first(ORGANISERS, "GET POST"),
    "programme_import:preview": gate_first(ORGANISERS, "GET POST", token=literal("not-a-token")),
    "programme_manage:editor": gate_first(ORGANISERS, "GET"),
    "programme_manage:talk_place": gate_first(ORGANISERS, "POST", code="talk"),
    "programme_manage:talk_unplace": gate_first(ORGANISERS, "POST", code="talk"),
    # No entry to place in the demo: the organisers pass the gate and get the view's 404.
    "programme_manage:item_place": gate_first(ORGANISERS, "POST", item_id=literal(999999),
                                              but={"POST": {ORGANISER: NOT_FOUND,
                                                            PLATFORM_ADMIN: NOT_FOUND}}),
    "programme_manage:people": gate_first(ORGANISERS, "GET"),
    "programme_manage:person_invite": gate_first(ORGANISERS, "POST", code="own_speaker_code"),
    "programme_manage:person_edit": gate_first(ORGANISERS, "POST", code="own_speaker_code"),
    "programme_manage:rooms": gate_first(ORGANISERS, "GET POST"),
    "programme_manage:room": gate_first(ORGANISERS, "GET POST", room_id="room"),
    "programme_manage:room_delete": gate_first(ORGANISERS, "POST", room_id="room"),
    "programme_manage:session_new": gate_first(ORGANISERS, "GET POST"),
    "programme_manage:session": gate_first(ORGANISERS, "GET POST", session_id="session"),
    "programme_manage:session_delete": gate_first(ORGANISERS, "POST", session_id="session"),
    "programme_manage:materials": gate_first(ORGANISERS, "GET HEAD"),
    "programme_manage:material": gate_first(ORGANISERS, "GET POST", code="talk"),
    "programme_manage:venue_maps": gate_first(ORGANISERS, "GET POST"),
    "programme_manage:venue_map": gate_first(ORGANISERS, "GET POST", map_id="venue_map"),
    "programme_manage:spot_delete": gate_first(ORGANISERS, "POST", spot_id="spot"),
    "programme_manage:releases": gate_first(ORGANISERS, "GET POST"),
    "programme_manage:release": gate_first(ORGANISERS, "GET", version="release"),

    # Meetings day: the organisers' pages, the participants' pages, the expert's pages.
    "meetings_manage:overview": methods_first(ORGANISERS, "GET HEAD"),
    "meetings_manage:settings": methods_first(ORGANISERS, "GET POST"),
    "meetings_manage:experts": methods_first(ORGANISERS, "GET HEAD"),
    "meetings_manage:expert_new": methods_first(ORGANISERS, "GET POST"),
    "meetings_manage:expert_edit": methods_first(ORGANISERS, "GET POST", pk="expert"),
    "meetings_manage:expert_cancel": methods_first(ORGANISERS, "GET POST", pk="expert"),
    "meetings_manage:requests": methods_first(ORGANISERS, "GET HEAD"),
    "meetings_manage:request_new": methods_first(ORGANISERS, "GET POST"),
    "meetings_manage:participant_leave": methods_first(ORGANISERS, "GET POST",
                                                       user_pk="participant"),
    "meetings_manage:run_start": methods_first(ORGANISERS, "POST"),
    "meetings_manage:run": methods_first(ORGANISERS, "GET HEAD", pk="schedule_run"),
    "meetings_manage:run_progress": methods_first(ORGANISERS, "GET HEAD", pk="schedule_run"),
    "meetings_manage:schedule": methods_first(ORGANISERS, "GET HEAD"),
    "meetings_manage:place": methods_first(ORGANISERS, "POST"),
    "meetings_manage:remove": methods_first(ORGANISERS, "GET POST", request_pk="meeting_request"),
    "meetings_manage:lose_slot": methods_first(ORGANISERS, "GET POST", slot=literal(1)),
    "meetings_manage:publish": methods_first(ORGANISERS, "POST"),
    "meetings_manage:release": methods_first(ORGANISERS, "GET HEAD", version="meeting_release"),
    "meetings_manage:day": methods_first(ORGANISERS, "GET HEAD"),
    "meetings_manage:day_checkin": methods_first(ORGANISERS, "POST",
                                                 request_pk="meeting_request"),
    # The menu's Meetings page answers everyone signed in with where they stand (200).
    "meetings:home": methods_first(SIGNED_IN, "GET HEAD"),
    "meetings:directory": methods_first(MEETINGS_PEOPLE, "GET HEAD"),
    "meetings:feed_reset": methods_first(MEETINGS_PEOPLE, "POST"),
    "meetings:request_new": methods_first(
        everyone(FORBIDDEN, {ANONYMOUS: LOGIN, PARTICIPANT: ALLOWED, SPEAKER: ALLOWED}),
        "GET POST"),
    "meetings:request_edit": methods_first(REQUEST_HOLDER, "GET POST", pk="meeting_request"),
    "meetings:request_withdraw": methods_first(REQUEST_HOLDER, "POST", pk="meeting_request"),
    "meetings:suggestions": methods_first(
        everyone(FORBIDDEN, {ANONYMOUS: LOGIN, PARTICIPANT: ALLOWED, SPEAKER: ALLOWED,
                             EXPERT: NOT_FOUND, ORGANISER: NOT_FOUND, PLATFORM_ADMIN: NOT_FOUND,
                             UNVERIFIED_ORGANISER: NOT_FOUND}), "GET HEAD"),
    "meetings_expert:home": methods_first(EXPERTS, "GET HEAD"),
    "meetings_expert:checkin": methods_first(EXPERTS, "POST", request_pk="expert_meeting"),
    "meetings_expert:notes": methods_first(EXPERTS, "GET POST", request_pk="expert_meeting"),
    "meetings_expert:conflicts": methods_first(EXPERTS, "GET POST"),
    "meetings_expert:conflict_withdraw": methods_first(EXPERTS, "POST", pk="expert_refusal"),

    # Site visits: the organisers' pages and the participants' pages (a person without a
    # registration sees where they stand; ranking and taking a seat refuse with a message).
    "visits_manage:overview": methods_first(ORGANISERS, "GET POST HEAD"),
    "visits_manage:tour_new": methods_first(ORGANISERS, "GET POST HEAD"),
    "visits_manage:tour_edit": methods_first(ORGANISERS, "GET POST HEAD", pk="tour"),
    "visits_manage:run_new": methods_first(ORGANISERS, "GET POST HEAD", tour_pk="tour"),
    "visits_manage:run": methods_first(ORGANISERS, "GET HEAD", pk="tour_run"),
    "visits_manage:run_edit": methods_first(ORGANISERS, "GET POST HEAD", pk="tour_run"),
    "visits_manage:run_add": methods_first(ORGANISERS, "POST", pk="tour_run"),
    "visits_manage:seat_move": methods_first(ORGANISERS, "POST", pk="seat"),
    "visits_manage:seat_cancel": methods_first(ORGANISERS, "GET POST", pk="seat"),
    "visits_manage:allocation": methods_first(ORGANISERS, "GET POST HEAD"),
    "visits:home": methods_first(SIGNED_IN, "GET HEAD"),
    "visits:ranking": methods_first(SIGNED_IN, "POST"),
    "visits:take": methods_first(SIGNED_IN, "POST", pk="tour_run"),
    "visits:cancel": methods_first(everyone(NOT_FOUND, {ANONYMOUS: LOGIN, PARTICIPANT: ALLOWED}),
                                   "GET POST", pk="seat"),

    # Site-access data: the participant's own status page, the security office's pages.
    # Sending data is refused with the reason (403) when none is asked for, the deadline has
    # passed or the office has decided.
    "vault:status": gate_first(SIGNED_IN, "GET POST HEAD", but={"POST": NO_ONE_HERE_SIGNED_IN}),
    "vault_security:overview": methods_first(SECURITY_OFFICERS, "GET HEAD"),
    "vault_security:person": methods_first(SECURITY_OFFICERS, "GET POST HEAD",
                                           user_id="participant"),
    "vault_security:settings": methods_first(SECURITY_OFFICERS, "GET POST HEAD"),
    "vault_security:log": methods_first(SECURITY_OFFICERS, "GET HEAD"),
    "vault_security:export_create": methods_first(SECURITY_OFFICERS, "POST"),
    "vault_security:export_continue": methods_first(SECURITY_OFFICERS, "GET HEAD"),
    # The single-use link: a session not verified is sent to export_continue (the token waits
    # in the session); verified staff who are not security officers get 404; the officer
    # gets 410 for this unknown token.
    "vault_security:export_download": methods_first(
        everyone(ALLOWED, {REVIEWER: NOT_FOUND, ORGANISER: NOT_FOUND, OTHER_ORGANISER: NOT_FOUND,
                           PLATFORM_ADMIN: NOT_FOUND}), "GET HEAD", token=literal("not-a-token")),

    # Outcomes report editor and editions (organisers).
    # Webhook endpoints of the event (organisers).
    "webhooks:list": gate_first(ORGANISERS, "GET HEAD"),
    "webhooks:new": gate_first(ORGANISERS, "GET HEAD POST"),
    "webhooks:endpoint": gate_first(ORGANISERS, "GET HEAD", pk="webhook_endpoint"),
    "webhooks:edit": gate_first(ORGANISERS, "GET HEAD POST", pk="webhook_endpoint"),
    "webhooks:switch": gate_first(ORGANISERS, "POST", pk="webhook_endpoint"),
    "webhooks:delete": gate_first(ORGANISERS, "POST", pk="webhook_endpoint"),
    "webhooks:rotate": gate_first(ORGANISERS, "POST", pk="webhook_endpoint"),
    "webhooks:ping": gate_first(ORGANISERS, "POST", pk="webhook_endpoint"),
    "webhooks:redeliver": gate_first(ORGANISERS, "POST", pk="webhook_endpoint",
                                     message="webhook_message"),
    # Announcements and reminders of the event (organisers).
    "announcements:list": gate_first(ORGANISERS, "GET HEAD"),
    "announcements:new": gate_first(ORGANISERS, "GET HEAD POST"),
    "announcements:detail": gate_first(ORGANISERS, "GET HEAD", pk="announcement"),
    "announcements:reminders": gate_first(ORGANISERS, "GET HEAD POST"),
    "announcements:reminder_template": gate_first(ORGANISERS, "GET POST",
                                                  key=literal("livestream")),
    "announcements:reminder_template_reset": gate_first(ORGANISERS, "POST",
                                                        key=literal("livestream")),
    # A person's own optional reminders: anyone signed in; the e-mail's signed link is the
    # credential of the stop page (400 for a link that is not one).
    "reminders:preferences": gate_first(SIGNED_IN, "GET HEAD POST"),
    "reminders:opt_out": methods_first(EVERYONE, "GET HEAD POST", token=literal("not-a-token")),
    "outcomes_manage:editor": gate_first(ORGANISERS, "GET HEAD"),
    "outcomes_manage:preview": gate_first(ORGANISERS, "GET HEAD"),
    "outcomes_manage:build": gate_first(ORGANISERS, "POST"),
    "outcomes_manage:merge": gate_first(ORGANISERS, "POST"),
    "outcomes_manage:rename": gate_first(ORGANISERS, "POST", pk="theme"),
    "outcomes_manage:split": gate_first(ORGANISERS, "POST", pk="theme"),
    "outcomes_manage:move": gate_first(ORGANISERS, "POST", pk="theme"),
    "outcomes_manage:save_report": gate_first(ORGANISERS, "POST"),
    "outcomes_manage:add_priority": gate_first(ORGANISERS, "POST"),
    "outcomes_manage:edit_priority": gate_first(ORGANISERS, "POST", pk="priority"),
    "outcomes_manage:delete_priority": gate_first(ORGANISERS, "POST", pk="priority"),
    "outcomes_manage:publish": gate_first(ORGANISERS, "POST"),
    "outcomes_manage:withdraw": gate_first(ORGANISERS, "GET POST", number="outcomes_version"),
    # Starting an event: event creators (the demo organiser is one) and the platform
    # administrators, with a verified session; the other organiser is no creator.
    "events_manage:new": gate_first(ORGANISERS, "GET POST"),
    "events_manage:creators": gate_first(PLATFORM_ADMINS, "GET"),
    "events_manage:add_creator": gate_first(PLATFORM_ADMINS, "POST"),
    "events_manage:remove_creator": gate_first(PLATFORM_ADMINS, "POST", pk="event_creator"),
    # The notices in every page's footer; the operator's part is the platform
    # administrators', an event's part its organisers'.
    "events_notices:platform": methods_first(EVERYONE, "GET HEAD", kind=literal("privacy")),
    "events_notices:event": methods_first(EVERYONE, "GET HEAD", kind=literal("legal")),
    "events_notices:edit_platform": gate_first(PLATFORM_ADMINS, "GET POST",
                                               kind=literal("legal")),
    "events_notices:edit_event": gate_first(ORGANISERS, "GET POST",
                                            kind=literal("accessibility")),
    # An event's own page: status, modules, dates.
    # The event's dashboard: its whole team (each part asks its own permission) and the
    # platform administrators.
    "events_manage:dashboard": gate_first(
        everyone(NOT_FOUND, {ANONYMOUS: LOGIN, REVIEWER: ALLOWED, ORGANISER: ALLOWED,
                             SECURITY_OFFICER: ALLOWED, PLATFORM_ADMIN: ALLOWED,
                             UNVERIFIED_ORGANISER: SECOND_FACTOR}), "GET HEAD"),
    "events_manage:settings": gate_first(ORGANISERS, "GET"),
    "events_manage:status": gate_first(ORGANISERS, "POST"),
    "events_manage:modules": gate_first(ORGANISERS, "POST"),
    "events_manage:dates": gate_first(ORGANISERS, "GET POST"),
    "editions:home": gate_first(ORGANISERS, "GET"),
    "editions:clone": gate_first(ORGANISERS, "POST"),
    "editions:compare": gate_first(ORGANISERS, "GET"),
}


# -- the URL map -------------------------------------------------------------------------------

def _walk(patterns, namespace=None, outer_args=frozenset()):
    """(name, URL kwargs) of every pattern, through includes; Django's admin left out."""
    for pattern in patterns:
        own_args = set(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            if pattern.app_name in EXCLUDED_NAMESPACES:
                continue
            inner = pattern.namespace
            ns = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from _walk(pattern.url_patterns, ns, outer_args | own_args)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or f"<unnamed {pattern.pattern}>"
            yield (f"{namespace}:{name}" if namespace else name), outer_args | own_args


def django_urls():
    return dict(_walk(get_resolver().url_patterns))


# Where URLs come from: {name: URL kwargs}. A later API registers its own source here.
URL_SOURCES = [django_urls]


def all_urls() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for source in URL_SOURCES:
        found.update(source())
    return found


def path_of(name, kwargs, objects) -> str:
    entry = MATRIX[name]
    values = {}
    for kwarg in kwargs:
        source = entry.args.get(kwarg, "slug" if kwarg == "slug" else None)
        assert source is not None, f"{name}: no value for <{kwarg}> in its MATRIX entry"
        values[kwarg] = source[1] if isinstance(source, tuple) else objects[source]
    return reverse(name, kwargs=values)


# -- one request -----------------------------------------------------------------------------

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def outcome_of(response) -> str:
    status, location = response.status_code, response.get("Location", "")
    if status == 405:
        return NOT_ALLOWED
    if status == 404:
        return NOT_FOUND
    if status == 403:
        return FORBIDDEN
    if status in (301, 302, 303, 307) and location.startswith(reverse("accounts:login")):
        return LOGIN
    if status in (301, 302, 303, 307) and location.startswith("/accounts/two-factor/"):
        return SECOND_FACTOR
    if 200 <= status < 400 or status in (400, 409, 410, 422):
        return ALLOWED
    return f"HTTP {status}"


def ask(client, method, path):
    """The response and the write statements it sent, in a savepoint rolled back; the
    session cookie survives (a logout or a login would replace it)."""
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    connection.queries_log.clear()  # a full log would hide this request's statements
    with rolled_back():
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method.lower())(path)
        transaction.set_rollback(True)
    client.cookies.pop("messages", None)
    if cookie is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = cookie.value
    writes = [query["sql"][:90] for query in queries.captured_queries
              if query["sql"].lstrip().upper().startswith(WRITES)]
    return response, writes


def refusal_problem(outcome, response) -> str | None:
    """What is wrong with the body of a refusal, if anything."""
    templates = {template.name for template in response.templates}
    if outcome == NOT_FOUND and response.templates and "404.html" not in templates:
        return f"a 404 that tells more than the plain page ({sorted(templates)[:3]})"
    if outcome == FORBIDDEN and response.request["REQUEST_METHOD"] != "HEAD" \
            and not response.content:
        return "a 403 with an empty body"
    return None


# -- the tests -------------------------------------------------------------------------------

def missing_entries(urls) -> list[str]:
    return sorted(set(urls) - set(MATRIX) - set(EXCLUDED))


def test_a_new_url_without_an_entry_is_named(monkeypatch):
    monkeypatch.setattr("tests.authorization.test_url_matrix.URL_SOURCES",
                        [django_urls, lambda: {"api:submissions": {"slug"}}])
    assert missing_entries(all_urls()) == ["api:submissions"]


def test_every_url_has_an_entry():
    urls = all_urls()
    missing = missing_entries(urls)
    assert not missing, (
        "URLs without an entry in the authorization matrix: " + ", ".join(missing) + ". Add "
        "each to MATRIX in tests/authorization/test_url_matrix.py (who may use it, which "
        "methods it serves), or to EXCLUDED with the reason.")
    stale = sorted((set(MATRIX) | set(EXCLUDED)) - set(urls))
    assert not stale, f"entries for URLs that no longer exist: {stale}"


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_the_role_as_the_matrix_says(world, clients, monkeypatch, role):
    """One test per role, so that parallel workers share the roles (each loads the demo)."""
    # Rendering the report's PDF takes seconds and decides nothing about access.
    monkeypatch.setattr("fusionforum.outcomes.views.public.render_pdf", lambda html: b"%PDF-1.7")
    objects = demo_objects()
    failures = []
    for name, kwargs in sorted(all_urls().items()):
        if name in EXCLUDED:
            continue
        path = path_of(name, kwargs, objects)
        entry = MATRIX[name]
        for method in METHODS if role in ALL_METHODS_ROLES else ("GET", "POST"):
            response, writes = ask(clients[role], method, path)
            got, expected = outcome_of(response), entry.expected(role, method)
            where = f"{method} {path} [{name}]"
            if got != expected:
                failures.append(f"{where}: {got} (HTTP {response.status_code} "
                                f"{response.get('Location', '')}), expected {expected}")
                continue
            if got in REFUSALS and writes:
                failures.append(f"{where}: refused but wrote {writes}")
            problem = refusal_problem(got, response) if got in REFUSALS else None
            if problem:
                failures.append(f"{where}: {problem}")
    assert not failures, f"{role}: {len(failures)} cells differ:\n" + "\n".join(failures)


def test_a_platform_administrator_is_no_author_of_a_submission(world):
    """Django grants a superuser every permission; the speakers' pages must ask the rule."""
    from fusionforum.accounts.models import User
    from fusionforum.cfp import services
    from fusionforum.cfp.models import Submission

    submission = Submission.objects.get(code=demo_objects()["submission"])
    admin = User.objects.get(email=ACCOUNTS[PLATFORM_ADMIN][0])
    speaker = User.objects.get(email=ACCOUNTS[SPEAKER][0])
    assert admin.is_superuser and not services.is_author(admin, submission)
    assert services.is_author(speaker, submission)
