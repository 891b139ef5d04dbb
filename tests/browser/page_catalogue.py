"""The catalogue of the site's pages: every URL pattern the project has, mapped to a concrete
address in the loaded demo and the roles that use it, or excluded with its reason.

The phone-width sweep (``test_every_page_browser.py``) visits every entry as each of its roles.
``test_catalogue_covers_every_url_pattern`` fails when a pattern has neither an entry nor an
exclusion, so a page added later cannot escape the sweep unnoticed.

The addresses are resolved inside the demo server's own environment (``python -m
tests.browser.page_catalogue resolve`` prints them as JSON), because ids and codes come from
that database, never from the test process's one.
"""

from __future__ import annotations

import json
import sys

EVENT = "demo-workshop"
NEXT_EDITION = "demo-workshop-2028"

ANONYMOUS = "anonymous"
PARTICIPANT = "participant"
SPEAKER = "speaker"
EXPERT = "expert"
REVIEWER = "reviewer"
ORGANISER = "organiser"
SECURITY = "security officer"
ADMIN = "platform admin"
ROLES = (ANONYMOUS, PARTICIPANT, SPEAKER, EXPERT, REVIEWER, ORGANISER, SECURITY, ADMIN)
STAFF = {REVIEWER, ORGANISER, SECURITY, ADMIN}  # they confirm a second factor on login
EVERYONE = ROLES
SIGNED_IN = tuple(r for r in ROLES if r != ANONYMOUS)

# Demo accounts (README). The participant and the speaker are chosen in the demo's database by
# what they hold (see ``_participant``); these are the fixed ones.
ACCOUNTS = {
    EXPERT: "expert@demo.fusionforum.invalid",
    REVIEWER: "reviewer@demo.fusionforum.invalid",
    ORGANISER: "organiser@demo.fusionforum.invalid",
    SECURITY: "security@demo.fusionforum.invalid",
    ADMIN: "admin@demo.fusionforum.invalid",
}
PASSWORD = "demo-organiser-password"


def backup_code(site, role):
    """The next unused second-factor code of a staff role: the demo gives every staff account
    the single-use codes demo0001 ... demo0010 (refilled by every load_demo)."""
    used = site.setdefault("codes_used", {})
    used[role] = used.get(role, 0) + 1
    return f"demo{used[role]:04d}"

# Patterns that are not pages a person reads in a browser, with the reason.
DOWNLOAD = "a download (file, not a page)"
FEED = "a machine-readable feed or export, not a page"
POST_ONLY = "POST-only action: it redirects, it renders nothing of its own"
EXCLUDED = {
    "healthz": "a probe for the load balancer, plain text",
    "accounts:logout": POST_ONLY,
    "set_language": POST_ONLY + " (the language switcher)",
    "javascript_catalogue": "the scripts' translations, a script file",
    "accounts:export": DOWNLOAD + " (JSON of one's own data)",
    "api_tokens:revoke": POST_ONLY,
    "sso:start": "redirects to the identity provider (the demo sweep has none); "
                 "tests/sso/test_oidc_browser.py follows it",
    "sso:saml_metadata": "SAML metadata (XML) for the identity provider, not a page",
    "sso:saml_acs": "receives the SAML identity provider's answer and redirects; its refusals "
                    "are the refusal page, checked by tests/sso/test_saml_browser.py",
    "sso:signed_out": "shown only after signing out of a session opened through an identity "
                      "provider; tests/sso/test_oidc_browser.py checks it at phone and desktop "
                      "size with axe",
    "registration:cancel": POST_ONLY,
    "registration:accept": POST_ONLY,
    "registration:badge": DOWNLOAD + " (PDF badge)",
    "registration:visa_letter_pdf": DOWNLOAD + " (PDF visa invitation letter; "
                                    "tests/registration/test_visa_letter_browser.py)",
    "registration:desk_export_csv": DOWNLOAD,
    "registration:desk_export_xlsx": DOWNLOAD,
    "registration:desk_registration_action": POST_ONLY,
    "registration:checkin_badges": DOWNLOAD + " (PDF of every badge)",
    "registration:email_template_reset": POST_ONLY,
    "cfp_decide:auto_assign": POST_ONLY,
    "cfp_decide:reminders": POST_ONLY,
    "cfp_decide:reviewer_remove": POST_ONLY,
    "cfp_decide:score_delete": POST_ONLY,
    "cfp_decide:email_reset": POST_ONLY,
    "cfp_decide:slides": DOWNLOAD + " (PDF slides)",
    "cfp_decide:decide": POST_ONLY,
    "cfp_decide:assign": POST_ONLY,
    "cfp_decide:unassign": POST_ONLY,
    "cfp_manage:category_action": POST_ONLY,
    "cfp_manage:export": DOWNLOAD,
    "cfp_manage:slides": DOWNLOAD + " (PDF slides)",
    "programme_import:preview": "needs an uploaded file's token; the browser test of the "
                                "import (tests/programme/test_import_browser.py) covers it",
    "programme_manage:talk_place": POST_ONLY,
    "programme_manage:item_place": POST_ONLY,
    "programme_manage:person_invite": POST_ONLY,
    "programme_manage:person_edit": POST_ONLY,
    "programme:claim_profile": "needs the token of an invitation e-mail; "
                               "tests/programme/test_people_browser.py sweeps the page at "
                               "phone size and on a desktop",
    "programme_manage:talk_unplace": POST_ONLY,
    "programme_manage:room_delete": POST_ONLY,
    "programme_manage:spot_delete": POST_ONLY,
    "programme_manage:session_delete": POST_ONLY,
    "meetings_manage:expert_cancel": POST_ONLY,
    "meetings_manage:participant_leave": POST_ONLY,
    "meetings_manage:run_start": POST_ONLY,
    "meetings_manage:run_progress": "an htmx fragment polled by the run page (checked there)",
    "meetings_manage:place": POST_ONLY,
    "meetings_manage:remove": POST_ONLY,
    "meetings_manage:lose_slot": POST_ONLY,
    "meetings_manage:publish": POST_ONLY,
    "meetings_manage:day_checkin": POST_ONLY,
    "visits_manage:run_add": POST_ONLY,
    "visits_manage:seat_move": POST_ONLY,
    "visits_manage:seat_cancel": POST_ONLY,
    "outcomes_manage:build": POST_ONLY,
    "outcomes_manage:merge": POST_ONLY,
    "outcomes_manage:rename": POST_ONLY,
    "outcomes_manage:split": POST_ONLY,
    "outcomes_manage:move": POST_ONLY,
    "outcomes_manage:save_report": POST_ONLY,
    "outcomes_manage:add_priority": POST_ONLY,
    "outcomes_manage:edit_priority": POST_ONLY,
    "outcomes_manage:delete_priority": POST_ONLY,
    "outcomes_manage:publish": POST_ONLY,
    "announcements:reminder_template_reset": POST_ONLY,
    "webhooks:switch": POST_ONLY,
    "webhooks:delete": POST_ONLY,
    "webhooks:ping": POST_ONLY,
    "webhooks:redeliver": POST_ONLY,
    "webhooks:rotate": "POST-only action: it shows the new secret once, in answer to the POST "
                       "(tests/webhooks/test_views.py and the webhooks browser test open it)",
    "editions:clone": POST_ONLY,
    "events_manage:add_creator": POST_ONLY,
    "events_manage:remove_creator": POST_ONLY,
    "events_manage:status": POST_ONLY,
    "events_manage:modules": POST_ONLY + " (the modules form of the event's page)",
    "vault_security:export_create": POST_ONLY,
    "vault_security:export_download": DOWNLOAD + " (single-use CSV/XLSX)",
    "vault_security:export_continue": DOWNLOAD + " (the export opened before logging in)",
    "review:conflict_withdraw": POST_ONLY,
    "review:slides": DOWNLOAD + " (PDF slides)",
    "cfp:own_photo": DOWNLOAD + " (JPEG)",
    "cfp:slides": POST_ONLY + " (upload)",
    "cfp:slides_download": DOWNLOAD + " (PDF slides)",
    "cfp:withdraw": POST_ONLY,
    "meetings:request_withdraw": POST_ONLY,
    "meetings:feed_reset": POST_ONLY,
    "meetings:suggestions": "an HTML fragment the request form inserts while typing "
                            "(checked there)",
    "meetings:feed": FEED + " (iCalendar)",
    "personal:feed": FEED + " (iCalendar)",
    "personal:feed_reset": POST_ONLY,
    "personal:worker": "the page's service worker, a script file",
    "visits:take": POST_ONLY,
    "visits:ranking": POST_ONLY + " (the ranking form of the visits page)",
    "visits:cancel": POST_ONLY,
    "outcomes:pdf": DOWNLOAD + " (PDF report)",
    "outcomes:json": FEED,
    "outcomes:csv": FEED,
    "outcomes:version_pdf": DOWNLOAD + " (PDF report)",
    "outcomes:version_json": FEED,
    "outcomes:version_csv": FEED,
    "meetings_expert:checkin": POST_ONLY,
    "meetings_expert:conflict_withdraw": POST_ONLY,
    "programme_exports:ics": FEED,
    "programme_exports:room_ics": FEED,
    "programme_exports:speaker_ics": FEED,
    "programme_exports:schedule_xml": FEED,
    "programme_exports:schedule_json": FEED,
    "programme_exports:programme_json": FEED,
    "programme:talk_slides": DOWNLOAD + " (PDF slides)",
    "programme:talk_material_slides": DOWNLOAD + " (PDF slides the organisers attached)",
    "programme:venue_plan": DOWNLOAD + " (PNG floor plan, shown inside the venue map pages)",
    "programme:star": POST_ONLY,
    "programme:unstar": POST_ONLY,
    "programme:speaker_photo": DOWNLOAD + " (JPEG)",
    "programme:agenda_sync": POST_ONLY + " (JSON from the agenda script)",
    "programme:agenda_reset": POST_ONLY,
    "programme:agenda_ics": FEED + " (iCalendar)",
    "programme:agenda_local": "an HTML fragment the agenda page inserts (checked there)",
    "events:livestream_status": FEED + " (JSON for the countdown script)",
    "events:event_json": FEED,
    "events:event_ics": FEED + " (iCalendar)",
}
# Django's back office keeps its own templates and stylesheet (responsive since Django 2); the
# sweep opens its index for the roles that use it and leaves the generated model pages alone.
EXCLUDED_NAMESPACES = {"admin": "Django's back office: its own responsive templates; the "
                                "sweep opens its index only",
                       "api": "the REST API answers JSON, not pages (tests/api, the API "
                              "matrix); its documentation page is catalogued as api:docs"}


def _pages(ids):
    """url name -> list of (roles, path[, expected HTTP status, 200 if not given]).
    ``ids`` holds the demo's concrete ids and codes."""
    e, nxt = EVENT, NEXT_EDITION
    org = (ORGANISER,)
    return {
        "front_door": [(EVERYONE, "/")],
        "admin:index": [((ORGANISER, ADMIN), "/admin/")],
        "accounts:signup": [((ANONYMOUS,), "/accounts/signup/")],
        "accounts:login": [((ANONYMOUS,), "/accounts/login/")],
        "accounts:profile": [(SIGNED_IN, "/accounts/profile/")],
        "api_tokens:list": [(SIGNED_IN, "/accounts/api-tokens/")],
        "api:docs": [(EVERYONE, "/api/v1/docs/")],
        "accounts:resend_verification": [((ANONYMOUS,), "/accounts/verify/resend/")],
        # An invalid link explains itself with 400.
        "accounts:verify_email": [((ANONYMOUS,), "/accounts/verify/not-a-valid-token/", 400)],
        "accounts:password_reset": [((ANONYMOUS,), "/accounts/password-reset/")],
        "accounts:password_reset_done": [((ANONYMOUS,), "/accounts/password-reset/sent/")],
        "accounts:password_reset_confirm": [
            ((ANONYMOUS,), "/accounts/password-reset/MQ/not-a-token/")],
        "accounts:password_reset_complete": [((ANONYMOUS,), "/accounts/password-reset/done/")],
        "accounts:two_factor_setup": [((ORGANISER,), "/accounts/two-factor/")],
        # Shown to every staff role while logging in; the sweep checks it there.
        "accounts:two_factor_verify": [],
        "accounts:delete": [((PARTICIPANT,), "/accounts/delete/")],
        "accounts:deleted": [((ANONYMOUS,), "/accounts/deleted/")],
        # Single sign-on pages reached without a sign-in waiting: refused in words (400). The
        # pages with a sign-in under way are checked by tests/sso/test_oidc_browser.py.
        "sso:oidc_callback": [((ANONYMOUS,), "/accounts/sso/oidc/callback/", 400)],
        "sso:link": [((ANONYMOUS,), "/accounts/sso/link/", 400)],
        "sso:link_email": [((ANONYMOUS,), "/accounts/sso/link/not-a-token/", 400)],
        "staff_home": [((REVIEWER, ORGANISER, SECURITY, ADMIN), "/manage/")],
        "registration:mine": [((PARTICIPANT, SPEAKER, EXPERT), f"/{e}/registration/")],
        "registration:participants": [((ANONYMOUS,), f"/{e}/participants/")],
        "events_manage:dashboard": [((REVIEWER, ORGANISER, SECURITY, ADMIN), f"/manage/{e}/")],
        "registration:desk_registrations": [(org, f"/manage/{e}/registrations/")],
        "registration:desk_registration": [
            (org, f"/manage/{e}/registrations/{ids['registration']}/")],
        "registration:desk_waiting_list": [(org, f"/manage/{e}/waiting-list/")],
        "registration:desk_organisations": [(org, f"/manage/{e}/organisations/")],
        "registration:desk_organisations_merge": [(org, f"/manage/{e}/organisations/merge/")],
        "registration:desk_organisations_import": [(org, f"/manage/{e}/organisations/import/")],
        "registration:checkin": [(org, f"/manage/{e}/check-in/")],
        "registration:email_templates": [(org, f"/manage/{e}/emails/")],
        "registration:visa_letter": [((PARTICIPANT,), f"/{e}/registration/visa-letter/")],
        "registration:visa_check": [
            ((ANONYMOUS,), f"/{e}/visa-letters/check/"),
            ((ANONYMOUS,), f"/{e}/visa-letters/check/?number={ids['visa_number']}"
                           f"&code={ids['visa_code']}")],
        "registration:visa_letters": [(org, f"/manage/{e}/visa-letters/")],
        "events_notices:platform": [((ANONYMOUS,), f"/about/{kind}/")
                                    for kind in ("privacy", "legal", "accessibility")],
        "events_notices:event": [((ANONYMOUS, PARTICIPANT), f"/{e}/about/{kind}/")
                                 for kind in ("privacy", "legal", "accessibility")],
        "events_notices:edit_platform": [((ADMIN,), "/manage/notices/privacy/")],
        "events_notices:edit_event": [(org, f"/manage/{e}/notices/accessibility/")],
        "registration:email_template_edit": [
            (org, f"/manage/{e}/emails/{ids['registration_email']}/")],
        "cfp_decide:overview": [(org, f"/manage/{e}/call/review/")],
        "cfp_decide:reviewers": [(org, f"/manage/{e}/call/review/reviewers/")],
        "cfp_decide:reviewer": [(org, f"/manage/{e}/call/review/reviewers/{ids['reviewer']}/")],
        "cfp_decide:scores": [(org, f"/manage/{e}/call/review/scores/")],
        "cfp_decide:score_edit": [
            (org, f"/manage/{e}/call/review/scores/{ids['score_category']}/")],
        "cfp_decide:emails": [(org, f"/manage/{e}/call/review/emails/")],
        "cfp_decide:email": [(org, f"/manage/{e}/call/review/emails/{ids['call_email']}/")],
        "cfp_decide:submission": [(org, f"/manage/{e}/call/review/s/{ids['submission']}/")],
        "cfp_manage:submissions": [(org, f"/manage/{e}/call/")],
        "cfp_manage:settings": [(org, f"/manage/{e}/call/settings/")],
        "cfp_manage:categories": [(org, f"/manage/{e}/call/categories/")],
        "cfp_manage:detail": [(org, f"/manage/{e}/call/submissions/{ids['submission']}/")],
        "programme_import:upload": [(org, f"/manage/{e}/programme/import/")],
        "programme_manage:editor": [(org, f"/manage/{e}/programme/")],
        "programme_manage:rooms": [(org, f"/manage/{e}/programme/rooms/")],
        "programme_manage:people": [(org, f"/manage/{e}/programme/people/")],
        "programme_manage:room": [(org, f"/manage/{e}/programme/rooms/{ids['room']}/")],
        "programme_manage:session_new": [(org, f"/manage/{e}/programme/sessions/new/")],
        "programme_manage:session": [
            (org, f"/manage/{e}/programme/sessions/{ids['session']}/")],
        "programme_manage:releases": [(org, f"/manage/{e}/programme/releases/")],
        "programme_manage:materials": [(org, f"/manage/{e}/programme/materials/")],
        "programme_manage:material": [(org, f"/manage/{e}/programme/materials/{ids['talk']}/")],
        "programme_manage:venue_maps": [(org, f"/manage/{e}/programme/map/")],
        "programme_manage:venue_map": [(org, f"/manage/{e}/programme/map/{ids['venue_map']}/")],
        "programme_manage:release": [(org, f"/manage/{e}/programme/releases/{ids['release']}/")],
        "meetings_manage:overview": [(org, f"/manage/{e}/meetings/")],
        "meetings_manage:settings": [(org, f"/manage/{e}/meetings/settings/")],
        "meetings_manage:experts": [(org, f"/manage/{e}/meetings/experts/")],
        "meetings_manage:expert_new": [(org, f"/manage/{e}/meetings/experts/new/")],
        "meetings_manage:expert_edit": [(org, f"/manage/{e}/meetings/experts/{ids['expert']}/")],
        "meetings_manage:requests": [(org, f"/manage/{e}/meetings/requests/")],
        "meetings_manage:request_new": [(org, f"/manage/{e}/meetings/requests/new/")],
        "meetings_manage:run": [(org, f"/manage/{e}/meetings/runs/{ids['schedule_run']}/")],
        "meetings_manage:schedule": [(org, f"/manage/{e}/meetings/schedule/")],
        "meetings_manage:release": [
            (org, f"/manage/{e}/meetings/versions/{ids['meeting_release']}/")],
        "meetings_manage:day": [(org, f"/manage/{e}/meetings/day/")],
        "visits_manage:overview": [(org, f"/manage/{e}/visits/")],
        "visits_manage:tour_new": [(org, f"/manage/{e}/visits/tours/new/")],
        "visits_manage:tour_edit": [(org, f"/manage/{e}/visits/tours/{ids['tour']}/")],
        "visits_manage:run_new": [(org, f"/manage/{e}/visits/tours/{ids['tour']}/runs/new/")],
        "visits_manage:run": [(org, f"/manage/{e}/visits/runs/{ids['tour_run']}/")],
        "visits_manage:run_edit": [(org, f"/manage/{e}/visits/runs/{ids['tour_run']}/edit/")],
        "visits_manage:allocation": [(org, f"/manage/{e}/visits/allocation/")],
        "outcomes_manage:editor": [(org, f"/manage/{e}/outcomes/")],
        "outcomes_manage:preview": [(org, f"/manage/{e}/outcomes/preview/")],
        "outcomes_manage:withdraw": [
            (org, f"/manage/{e}/outcomes/versions/{ids['outcomes_version']}/withdraw/")],
        "announcements:list": [(org, f"/manage/{e}/announcements/")],
        "announcements:new": [(org, f"/manage/{e}/announcements/new/")],
        "announcements:detail": [(org, f"/manage/{e}/announcements/{ids['announcement']}/")],
        "announcements:reminders": [(org, f"/manage/{e}/announcements/reminders/")],
        "announcements:reminder_template": [
            (org, f"/manage/{e}/announcements/reminders/livestream/")],
        "reminders:preferences": [((PARTICIPANT,), f"/{e}/reminders/")],
        "reminders:opt_out": [((ANONYMOUS,), f"/{e}/reminders/stop/{ids['opt_out']}/")],
        "webhooks:list": [(org, f"/manage/{e}/webhooks/")],
        "webhooks:new": [(org, f"/manage/{e}/webhooks/new/")],
        "webhooks:endpoint": [(org, f"/manage/{e}/webhooks/{ids['webhook_endpoint']}/")],
        "webhooks:edit": [(org, f"/manage/{e}/webhooks/{ids['webhook_endpoint']}/edit/")],
        "events_manage:new": [((ORGANISER, ADMIN), "/manage/events/new/")],
        "events_manage:creators": [((ADMIN,), "/manage/creators/")],
        "events_manage:settings": [(org, f"/manage/{e}/event/"), (org, f"/manage/{nxt}/event/")],
        "events_manage:dates": [(org, f"/manage/{nxt}/event/dates/")],
        "editions:home": [(org, f"/manage/{nxt}/editions/")],
        "editions:compare": [(org, f"/manage/{nxt}/editions/compare/?with={e}")],
        "vault_security:overview": [((SECURITY,), f"/security/{e}/")],
        "vault_security:person": [((SECURITY,), f"/security/{e}/people/{ids['vault_person']}/")],
        "vault_security:settings": [((SECURITY,), f"/security/{e}/settings/")],
        "vault_security:log": [((SECURITY,), f"/security/{e}/log/")],
        "review:home": [((REVIEWER,), f"/review/{e}/")],
        "review:conflicts": [((REVIEWER,), f"/review/{e}/conflicts/")],
        "review:submission": [((REVIEWER,), f"/review/{e}/{ids['review_submission']}/")],
        "cfp:call": [((ANONYMOUS, SPEAKER), f"/{e}/call/")],
        "cfp:new": [((SPEAKER,), f"/{e}/call/new/")],
        "cfp:profile": [((SPEAKER,), f"/{e}/call/profile/")],
        "cfp:edit": [((SPEAKER,), f"/{e}/call/{ids['own_submission']}/edit/")],
        "cfp:confirm": [((SPEAKER,), f"/{e}/call/{ids['own_submission']}/confirm/")],
        "meetings:home": [((PARTICIPANT, EXPERT), f"/{e}/meetings/")],
        "meetings:directory": [((PARTICIPANT,), f"/{e}/meetings/experts/")],
        "meetings:request_new": [
            ((PARTICIPANT,), f"/{e}/meetings/requests/new/?expert={ids['expert']}")],
        "meetings:request_edit": [
            ((PARTICIPANT,), f"/{e}/meetings/requests/{ids['meeting_request']}/")],
        "visits:home": [((PARTICIPANT,), f"/{e}/visits/")],
        "vault:status": [((PARTICIPANT,), f"/{e}/site-access/")],
        "outcomes:report": [((ANONYMOUS,), f"/{e}/outcomes/")],
        "outcomes:survey": [((PARTICIPANT,), f"/{e}/outcomes/survey/")],
        "outcomes:version": [((ANONYMOUS,), f"/{e}/outcomes/v/{ids['outcomes_version']}/")],
        "meetings_expert:home": [((EXPERT,), f"/{e}/expert/")],
        "meetings_expert:conflicts": [((EXPERT,), f"/{e}/expert/conflicts/")],
        "meetings_expert:notes": [
            ((EXPERT,), f"/{e}/expert/meetings/{ids['expert_meeting']}/notes/")],
        "programme:programme": [((ANONYMOUS, PARTICIPANT), f"/{e}/programme/")],
        "programme:changes": [((ANONYMOUS,), f"/{e}/programme/changes/")],
        "programme:programme_day": [((ANONYMOUS,), f"/{e}/programme/{ids['day']}/")],
        "programme:talk": [((ANONYMOUS, PARTICIPANT), f"/{e}/talks/{ids['talk']}/")],
        "programme:speakers": [((ANONYMOUS,), f"/{e}/speakers/")],
        "programme:speaker": [((ANONYMOUS,), f"/{e}/speakers/{ids['speaker']}/")],
        "programme:agenda": [((ANONYMOUS, PARTICIPANT), f"/{e}/agenda/")],
        "personal:mine": [((PARTICIPANT, SPEAKER, EXPERT), f"/{e}/mine/")],
        "programme:venue": [((ANONYMOUS,), f"/{e}/map/")],
        "programme:spot": [((ANONYMOUS,), f"/{e}/map/spots/{ids['spot']}/")],
        "events:home": [(EVERYONE, f"/{e}/")],
        "events:livestream": [((ANONYMOUS,), f"/{e}/livestream/")],
        "events:contact": [((ANONYMOUS,), f"/{e}/contact/")],
        "events:contact_sent": [((ANONYMOUS,), f"/{e}/contact/sent/")],
    }


def _demo_ids():
    """Concrete ids and codes of the loaded demo (runs inside the demo server's environment)."""
    from fusionforum.accounts.models import User
    from fusionforum.announcements.models import Announcement
    from fusionforum.announcements.reminders import opt_out_token
    from fusionforum.cfp.models import ReviewAssignment, ScoreCategory, Speaker
    from fusionforum.events.models import Event
    from fusionforum.meetings.models import Expert, MeetingRelease, MeetingRequest, ScheduleRun
    from fusionforum.outcomes.models import ReportVersion
    from fusionforum.programme.models import MapSpot, ProgrammeSession, Release, Room, VenueMap
    from fusionforum.registration.models import EmailTemplate, Registration
    from fusionforum.vault.models import AccessRecord
    from fusionforum.visits.models import TourRun, TourType

    event = Event.objects.get(slug=EVENT)
    participant = _participant(event)
    speaker = (Speaker.objects.filter(submission__event=event, submission__state="confirmed")
               .select_related("submission", "user").order_by("user__email").first())
    expert_account = User.objects.get(email=ACCOUNTS[EXPERT])
    reviewer = User.objects.get(email=ACCOUNTS[REVIEWER])
    expert_meeting = (MeetingRequest.objects.filter(event=event, expert__user=expert_account,
                                                    meeting__isnull=False)
                      .order_by("pk").first())
    release = Release.objects.filter(event=event).order_by("-version").first()
    from tests.webhooks.demo import demo_endpoint

    webhook_endpoint, _message = demo_endpoint(event)
    from fusionforum.registration.models import VisaLetter

    visa_letter = VisaLetter.objects.filter(event=event, superseded_at__isnull=True) \
        .order_by("number").first()
    ids = {
        "visa_number": visa_letter.number,
        "visa_code": visa_letter.code,
        "webhook_endpoint": webhook_endpoint.pk,
        "registration": Registration.objects.filter(event=event, user=participant).get().pk,
        "registration_email": (EmailTemplate.objects.filter(event=event).order_by("key")
                               .values_list("key", flat=True).first() or "confirmed"),
        "call_email": "accepted",
        "reviewer": reviewer.pk,
        "score_category": ScoreCategory.objects.filter(event=event).order_by("pk").first().pk,
        "submission": speaker.submission.code,
        "own_submission": speaker.submission.code,
        "review_submission": (ReviewAssignment.objects.filter(submission__event=event,
                                                              reviewer=reviewer)
                              .order_by("pk").first().submission.code),
        "room": Room.objects.filter(event=event).order_by("pk").first().pk,
        "session": ProgrammeSession.objects.filter(event=event).order_by("pk").first().pk,
        "release": release.version,
        "expert": Expert.objects.filter(event=event, is_active=True).order_by("pk").first().pk,
        "schedule_run": ScheduleRun.objects.filter(event=event).order_by("-pk").first().pk,
        "meeting_release": MeetingRelease.objects.filter(event=event).order_by("-version")
        .first().version,
        "meeting_request": (MeetingRequest.objects.filter(event=event, attendees=participant)
                            .order_by("pk").first().pk),
        "expert_meeting": expert_meeting.pk,
        "tour": TourType.objects.filter(event=event).order_by("pk").first().pk,
        "tour_run": TourRun.objects.filter(tour__event=event).order_by("pk").first().pk,
        "vault_person": AccessRecord.objects.filter(event=event).order_by("pk").first().user_id,
        "outcomes_version": ReportVersion.objects.filter(event=event).order_by("-version")
        .first().version,
        "day": event.start_date.isoformat(),
        "announcement": Announcement.objects.filter(event=event).order_by("pk").first().pk,
        "opt_out": opt_out_token(event, participant.email),
        "venue_map": VenueMap.objects.filter(event=event).order_by("pk").first().pk,
        "spot": MapSpot.objects.filter(venue_map__event=event).order_by("pk").first().pk,
        "talk": release.snapshot["talks"][0]["code"],
        "speaker": release.snapshot["speakers"][0]["code"],
    }
    accounts = dict(ACCOUNTS, **{PARTICIPANT: participant.email, SPEAKER: speaker.user.email})
    return ids, accounts


def _participant(event):
    """A confirmed participant (no team, speaker or expert role) who holds the most: a meeting
    request, a tour seat and site-access data, else as many of them as someone has."""
    from fusionforum.accounts.models import User

    people = (User.objects.filter(registrations__event=event, registrations__status="confirmed",
                                  is_superuser=False, event_roles__isnull=True,
                                  speaker_links__isnull=True, expert_profiles__isnull=True)
              .distinct().order_by("email"))
    wishes = [{"meeting_requests__event": event}, {"tour_seats__run__tour__event": event},
              {"access_records__event": event}]
    for size in range(len(wishes), -1, -1):
        found = people
        for wish in wishes[:size]:
            found = found.filter(**wish)
        chosen = (found.filter(email="bo.example@demo.fusionforum.invalid").first()
                  or found.first())
        if chosen:
            return chosen
    raise LookupError("the demo has no confirmed participant")


def resolve():
    """[(url name, role, path, status)] for every catalogue entry, and the accounts of the roles."""
    ids, accounts = _demo_ids()
    visits = []
    for name, entries in _pages(ids).items():
        for roles, path, *status in entries:
            visits.extend((name, role, path, status[0] if status else 200) for role in roles)
    return {"visits": visits, "accounts": accounts}


def catalogued_names():
    return set(_pages(_AnyId()))


class _AnyId(dict):
    def __missing__(self, key):
        return 1


def url_pattern_names():
    """Every named URL pattern of the project, as ``namespace:name``."""
    from django.urls import URLResolver, get_resolver

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, inner)
            else:
                name = pattern.name or f"<unnamed {pattern.pattern}>"
                yield f"{namespace}:{name}" if namespace else name

    return set(walk(get_resolver().url_patterns, ""))


def uncovered_patterns():
    covered = catalogued_names() | set(EXCLUDED)
    return sorted(name for name in url_pattern_names()
                  if name not in covered and name.split(":")[0] not in EXCLUDED_NAMESPACES)


if __name__ == "__main__":
    import django

    django.setup()
    if sys.argv[1:] == ["resolve"]:
        print(json.dumps(resolve()))
    else:
        raise SystemExit("usage: python -m tests.browser.page_catalogue resolve")
