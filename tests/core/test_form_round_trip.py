"""Every form the product shows can be sent back as it is.

The demo workshop is loaded once for the module. For each role, the test opens that role's
pages (starting points below, then the links they show, a few pages per URL pattern), reads
every ``<form method="post">`` with lxml and sends back exactly what a browser would send
without a keystroke: inputs' values, checked boxes and radios, selected options (the first
one when none is selected), text areas' text with the browser's CR LF line ends, the first
submit button's name, no file. Each POST runs in a transaction that is rolled back, so every
form sees the demo as it was.

What counts as a failure: a 5xx; a form error on a field whose initial value was not empty
(a person sending the form as shown is refused: "a form that its own initial values cannot
re-submit is a bug"), a form error not tied to a field, an error message, or another 4xx.
Empty required fields may be refused: a person must fill those. Deliberate exceptions are
listed in ``EXPECTED`` with their reason.

Coverage is enforced: every URL pattern of the project whose view accepts POST must have been
sent at least one form by some role, or be listed in ``NOT_REACHED`` with the reason, so a
form added later is covered or the test fails.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import re
import zoneinfo
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
from django.conf import settings
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import transaction
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet
from django.test import Client, RequestFactory
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from fusionforum.core import clock as business_clock
from tests.conftest import login_verified
from tests.rolled_back import demo_rolled_back, rolled_back

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TODAY = dt.date(2027, 5, 26)
SLUG = "demo-workshop"

ROLES = {
    # role: (user e-mail or None, second factor, starting pages)
    "anonymous": (None, False, [
        "/", f"/{SLUG}/", f"/{SLUG}/contact/", "/accounts/login/", "/accounts/signup/",
        "/accounts/password-reset/", f"/{SLUG}/programme/", f"/{SLUG}/call/"]),
    "participant": ("bo.example@demo.fusionforum.invalid", False, [
        f"/{SLUG}/registration/", "/accounts/profile/", f"/{SLUG}/meetings/",
        f"/{SLUG}/meetings/experts/", f"/{SLUG}/meetings/requests/new/", f"/{SLUG}/visits/",
        f"/{SLUG}/site-access/", f"/{SLUG}/agenda/", f"/{SLUG}/outcomes/survey/",
        f"/{SLUG}/programme/", "/accounts/delete/", f"/{SLUG}/contact/",
        "/accounts/api-tokens/", f"/{SLUG}/mine/",
        f"/{SLUG}/reminders/"]),
    "speaker": ("esme.fictive@demo-speakers.fusionforum.invalid", False, [
        f"/{SLUG}/call/", f"/{SLUG}/call/profile/", f"/{SLUG}/registration/"]),
    "expert": ("expert@demo.fusionforum.invalid", False, [f"/{SLUG}/expert/"]),
    "organiser": ("organiser@demo.fusionforum.invalid", True, [
        "/manage/", f"/manage/{SLUG}/", f"/manage/{SLUG}/registrations/",
        f"/manage/{SLUG}/call/", f"/manage/{SLUG}/call/review/",
        f"/manage/{SLUG}/programme/", f"/manage/{SLUG}/meetings/", f"/manage/{SLUG}/visits/",
        f"/manage/{SLUG}/outcomes/", f"/manage/{SLUG}/editions/", f"/manage/{SLUG}/check-in/",
        f"/manage/{SLUG}/emails/", f"/manage/{SLUG}/programme/import/",
        f"/manage/{SLUG}/call/settings/", f"/manage/{SLUG}/meetings/settings/",
        f"/manage/{SLUG}/call/review/scores/", f"/manage/{SLUG}/call/review/reviewers/",
        f"/manage/{SLUG}/call/review/emails/", f"/manage/{SLUG}/organisations/import/",
        f"/manage/{SLUG}/organisations/merge/",
        "/manage/events/new/", f"/manage/{SLUG}/event/", f"/manage/{SLUG}/event/dates/",
        "/accounts/two-factor/", "/accounts/api-tokens/", f"/manage/{SLUG}/announcements/",
        f"/manage/{SLUG}/announcements/reminders/", f"/manage/{SLUG}/visa-letters/",
        f"/manage/{SLUG}/notices/privacy/"]),
    "platform admin": ("admin@demo.fusionforum.invalid", True, [
        "/manage/creators/", "/manage/notices/legal/"]),
    # The demo's participant who asked for a visa invitation letter (and holds one).
    "participant with a visa letter": ("ada.example@demo.fusionforum.invalid", False, [
        f"/{SLUG}/registration/visa-letter/"]),
    "reviewer": ("reviewer@demo.fusionforum.invalid", True, [f"/review/{SLUG}/"]),
    "security": ("security@demo.fusionforum.invalid", True, [
        f"/security/{SLUG}/", f"/security/{SLUG}/settings/"]),
    "unverified staff": ("organiser@demo.fusionforum.invalid", False, [
        "/accounts/two-factor/verify/"]),
    "new organiser": (None, False, ["/accounts/two-factor/"]),
    # Users and pages of these come from the demo's state, set up by SETUPS below.
    "author": (None, False, []),
    "accepted speaker": (None, False, []),
    "participant asked for site access": (None, False, []),
    "participant while sign-up is open": ("bo.example@demo.fusionforum.invalid", False, []),
    "participant while requests are open": ("bo.example@demo.fusionforum.invalid", False, []),
}

# Pages the crawl does not open: downloads and feeds (no forms), the back office (Django's own
# admin pages), pages that end the session, the start of a single sign-on (it sends the
# browser to the identity provider, another process). Matched against the address without its
# query.
SKIP_PAGE = re.compile(r"^/(admin|static|media)/|-2028/|\.(pdf|ics|csv|xlsx|json|xml|jpg|png)$"
                       r"|/export|/calendar/|/agenda/[^/]+\.ics|/accounts/logout/|/healthz"
                       r"|/accounts/sso/start/")
PAGES_PER_PATTERN = 2
PAGES_PER_ROLE = 120

# (role or "*", URL pattern name) -> why the unchanged form is refused, on purpose.
EXPECTED = {
    ("*", "accounts:login"): "the password is never pre-filled",
    ("*", "accounts:signup"): "passwords are never pre-filled",
    ("*", "accounts:password_reset"): "the e-mail address must be typed",
    ("*", "accounts:delete"): "deleting one's account needs the password typed again",
    ("*", "accounts:two_factor_setup"): "needs the code from the authenticator app",
    ("*", "accounts:two_factor_verify"): "needs the code from the authenticator app",
    ("*", "accounts:resend_verification"): "the e-mail address must be typed",
    ("*", "cfp:slides"): "needs a PDF file chosen (browsers send no file unchosen)",
    ("*", "programme_import:upload"): "needs a file chosen",
    ("*", "registration:desk_organisations_import"): "needs a file chosen",
    ("*", "outcomes_manage:withdraw"): "withdrawing a published version needs its reason typed",
    ("*", "cfp_decide:reviewer"): "a bulk assignment: a person ticks the submissions",
    ("*", "cfp_decide:overview"): "a bulk decision: a person ticks submissions and a decision",
    ("*", "registration:desk_registrations"): "a bulk action: a person ticks registrations "
                                              "and an action",
    ("*", "outcomes_manage:merge"): "a person ticks the themes to merge",
    ("*", "outcomes_manage:publish"): "publishing needs the explicit approval box ticked",
    ("*", "cfp_decide:score_delete"): "a category with scores is kept on purpose; the message "
                                      "says to set its weight to 0",
    ("*", "programme_manage:releases"): "a release is refused when nothing changed since the "
                                        "last one (409 with the reason)",
    ("*", "visits_manage:seat_move"): "a person chooses the run to move to; the first one "
                                      "offered may be full or overlap",
    ("*", "registration:desk_registration_action"): "promoting needs a free seat; the "
                                                    "message says how to free one",
    ("*", "programme_manage:room_delete"): "a room in use is kept (409 names the sessions)",
    ("*", "programme_manage:venue_map"): "marking a place needs its name and position typed "
                                         "(or clicked on the plan)",
    ("*", "cfp_decide:auto_assign"): "the cloned edition has no reviewers yet; the message "
                                     "says to add some first",
    ("*", "events_manage:new"): "a new event needs its title, address, dates and venue typed",
    ("*", "webhooks:new"): "a new webhook endpoint needs its address typed",
    ("*", "events_manage:add_creator"): "the e-mail address of the person must be typed",
    ("*", "meetings_manage:place"): "a hand placement: a person chooses request, expert and "
                                    "slot; a clash is refused with its reasons (409)",
}

# POST-accepting URL patterns no role's page offers a form for in the loaded demo, with why.
NOT_REACHED = {
    "accounts:password_reset_confirm": "reached only from the link in a reset e-mail; "
                                       "tests/accounts/test_login_and_reset.py covers it",
    "accounts:logout": "ends the session; tests/accounts cover it (its form has no fields)",
    "set_language": "the language switcher on every page would turn the rest of the crawl "
                    "French; tests/i18n/test_language_choice.py covers it",
    "programme_import:preview": "exists only after a file was uploaded; "
                                "tests/programme/test_import_browser.py covers it",
    "programme_manage:item_place": "offered only for imported entries without a time (the "
                                   "demo has none); tests/programme/test_import_people.py "
                                   "covers it",
    "programme_manage:person_invite": "offered only for imported people (the demo has none); "
                                      "tests/programme/test_import_people.py covers it",
    "programme_manage:person_edit": "offered only for imported people (the demo has none); "
                                    "tests/programme/test_import_people.py covers it",
    "programme:claim_profile": "reached only from the link in an invitation e-mail; "
                               "tests/programme/test_import_people.py covers it",
    "reminders:opt_out": "reached only from the signed link in a reminder e-mail; "
                         "tests/announcements/test_reminders.py covers it",
    "registration:accept": "shown only to a person offered a seat; "
                           "tests/registration/test_views.py covers it",
    "sso:saml_acs": "the SAML identity provider's page posts its answer here (no form of ours); "
                    "tests/sso/test_saml_flow.py and tests/sso/test_saml_browser.py post it",
    "sso:link": "shown only while a sign-in through an identity provider waits for the proof "
                "of an existing account; tests/sso/test_oidc_flow.py and "
                "tests/sso/test_oidc_browser.py post both of its forms",
}
NOT_REACHED["api_tokens:revoke"] = (
    "the demo holds no API tokens, so no page offers revoking one; tests/api/test_tokens.py "
    "and tests/api/test_tokens_browser.py revoke one")
NOT_REACHED["visits_manage:allocation"] = (
    "the demo's tours are allocated; the allocation form is offered only before, and "
    "tests/visits/test_views.py covers it")
NOT_REACHED["outcomes_manage:edit_priority"] = (
    "KNOWN GAP: no page offers editing a priority (the outcomes editor offers add and delete "
    "only); the view exists and tests/outcomes cover it")


def _author(event):
    """The speaker of a submission under review whose deadline the organisers extended, with
    the call open again: new, edit and the draft's forms are offered."""
    from fusionforum.cfp.models import CallSettings, Submission

    submission = Submission.objects.filter(event=event, state="submitted").order_by("pk")[0]
    Submission.objects.filter(pk=submission.pk).update(
        edit_deadline=business_clock.now() + dt.timedelta(days=3))
    CallSettings.objects.filter(event=event).update(
        closes_at=business_clock.now() + dt.timedelta(days=3))
    speaker = submission.speakers.order_by("pk")[0]
    return speaker.email, [f"/{SLUG}/call/", f"/{SLUG}/call/{submission.code}/edit/"]


def _accepted_speaker(event):
    from fusionforum.cfp.models import Submission

    submission = Submission.objects.filter(event=event, state="accepted").order_by("pk")[0]
    return submission.speakers.order_by("pk")[0].email, [f"/{SLUG}/call/"]


def _asked_for_site_access(event):
    """A tour seat holder whose data is still missing, before its deadline (the tours need
    no lead time here, so the deadline is the tour's start)."""
    from fusionforum.accounts.models import User
    from fusionforum.vault import services as vault
    from fusionforum.visits.models import TourType

    TourType.objects.filter(event=event).update(clearance_lead_days=0)
    user_id = next(uid for uid, status in sorted(vault.statuses(event).items())
                   if status == "missing")
    return User.objects.get(pk=user_id).email, [f"/{SLUG}/site-access/"]


def _requests_open(event):
    from fusionforum.meetings.models import MeetingSettings

    MeetingSettings.objects.filter(event=event).update(
        requests_close_at=business_clock.now() + dt.timedelta(hours=2))
    return "bo.example@demo.fusionforum.invalid", [
        f"/{SLUG}/meetings/", f"/{SLUG}/meetings/requests/new/"]


def _signup_open(event):
    from fusionforum.visits.models import VisitSettings

    VisitSettings.objects.filter(event=event).update(
        allocated_at=None, signup_closes_at=business_clock.now() + dt.timedelta(hours=2))
    return "bo.example@demo.fusionforum.invalid", [f"/{SLUG}/visits/"]


def _organiser_objects(event):
    """Pages of single objects, and states in which the organisers' forms are offered: a
    change to the meetings schedule (publish), sign-up closed and not allocated (allocation),
    a talk starred by the participant (unstar)."""
    from fusionforum.cfp import emails as cfp_emails
    from fusionforum.cfp.models import CfpEmailTemplate, ReviewAssignment
    from fusionforum.events.models import TeamMembership
    from fusionforum.meetings.models import Expert, Meeting
    from fusionforum.programme import public
    from fusionforum.programme.models import Room, VenueMap
    from fusionforum.registration import emails as registration_emails
    from fusionforum.registration.models import EmailTemplate
    from fusionforum.vault import services as vault

    code = (ReviewAssignment.objects.filter(submission__event=event,
                                            submission__state="submitted")
            .values_list("submission__code", flat=True).order_by("submission__code")[0])
    # A reviewer who joined late: submissions may be assigned to them (assign forms).
    from fusionforum.accounts.models import User

    newcomer = User.objects.create_user("late.reviewer@test.invalid", "a-long-test-password",
                                        full_name="Late Reviewer")
    TeamMembership.objects.create(event=event, user=newcomer,
                                  role=TeamMembership.Role.REVIEWER)
    reviewer = newcomer.pk
    # E-mails the organisers rewrote (the reset form is offered for those).
    subject, body = cfp_emails.template_for(event, "accepted")
    CfpEmailTemplate.objects.create(event=event, key="accepted", subject=subject, body=body)
    subject, body = registration_emails.template_for(event, "confirmed")
    EmailTemplate.objects.create(event=event, key="confirmed", subject=subject, body=body)
    person = next(uid for uid, status in sorted(vault.statuses(event).items())
                  if status == "submitted")
    Meeting.objects.filter(event=event).order_by("pk")[0].delete()
    # A duplicate organisation (a participant typed it again), previewed for the merge.
    from fusionforum.accounts.models import Organisation

    keep = Organisation.objects.order_by("pk")[0]
    duplicate = Organisation.objects.create(name=keep.name + " (typed again)", kind=keep.kind,
                                            country=keep.country,
                                            fusion_approach=keep.fusion_approach)
    # A webhook endpoint with a delivered message (its actions and the redelivery).
    from tests.webhooks.demo import demo_endpoint

    webhook, _message = demo_endpoint(event)
    # A reminder text the organisers rewrote (the reset form is offered for it).
    from fusionforum.announcements import reminders
    from fusionforum.announcements.models import ReminderTemplate

    subject, body = reminders.template_for(event, "livestream", event.default_language)
    ReminderTemplate.objects.create(event=event, key="livestream", subject=subject, body=body,
                                    language=event.default_language)
    return [
        f"/manage/{SLUG}/announcements/reminders/livestream/",
        f"/manage/{SLUG}/webhooks/", f"/manage/{SLUG}/webhooks/{webhook.pk}/",
        f"/manage/{SLUG}/webhooks/{webhook.pk}/edit/",
        f"/manage/{SLUG}/call/review/s/{code}/",
        f"/manage/{SLUG}/call/review/reviewers/{reviewer}/",
        f"/manage/{SLUG}/call/review/emails/accepted/", f"/manage/{SLUG}/emails/confirmed/",
        f"/manage/{SLUG}/meetings/experts/new/",
        f"/manage/{SLUG}/meetings/experts/{Expert.objects.filter(event=event)[0].pk}/",
        f"/manage/{SLUG}/programme/rooms/{Room.objects.filter(event=event)[0].pk}/",
        f"/manage/{SLUG}/programme/materials/{public.latest(event).talks[0].code}/",
        f"/manage/{SLUG}/programme/map/{VenueMap.objects.filter(event=event)[0].pk}/",
        f"/security/{SLUG}/people/{person}/",
        f"/manage/{SLUG}/organisations/merge/?duplicate={duplicate.pk}&keep={keep.pk}",
    ]


def _security_objects(event):
    from fusionforum.vault import services as vault

    return [f"/security/{SLUG}/people/{uid}/" for uid, status in
            sorted(vault.statuses(event).items()) if status == "submitted"][:1]


def _participant_objects(event):
    from fusionforum.accounts.models import User
    from fusionforum.programme import agenda, public

    user = User.objects.get(email="bo.example@demo.fusionforum.invalid")
    talk = public.latest(event).talks[0]
    agenda.star(user, event, talk.code)
    return [f"/{SLUG}/agenda/", f"/{SLUG}/talks/{talk.code}/"]


def _new_organiser(event):
    from fusionforum.accounts.models import User
    from fusionforum.events.models import TeamMembership

    user = User.objects.create_user("new.organiser@test.invalid", "a-long-test-password")
    TeamMembership.objects.create(event=event, user=user, role=TeamMembership.Role.ORGANISER)
    return user.email, []


# role -> fn(event) returning (e-mail, extra starting pages) or extra starting pages; runs in
# the role's own transaction, so the change is gone for the next role.
SETUPS = {
    "author": _author,
    "new organiser": _new_organiser,
    "accepted speaker": _accepted_speaker,
    "participant asked for site access": _asked_for_site_access,
    "participant while sign-up is open": _signup_open,
    "participant while requests are open": _requests_open,
    "organiser": _organiser_objects,
    "security": _security_objects,
    "participant": _participant_objects,
}


POST_IN_SOURCE = re.compile(r"request\.POST|posted_data\(|request\.method == .POST.|require_POST"
                            r"|require_http_methods\(\[?[^)]*POST")

pytestmark = pytest.mark.django_db


# -- the project's URL patterns ---------------------------------------------------------------

def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            ns = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            if pattern.app_name == "admin":
                continue
            yield from _walk(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, pattern.callback


def accepts_post(view) -> bool:
    if hasattr(view, "view_class"):
        return hasattr(view.view_class, "post")
    try:
        source = inspect.getsource(inspect.unwrap(view))
    except (OSError, TypeError):
        return True
    return bool(POST_IN_SOURCE.search(source))


def post_patterns() -> set[str]:
    return {name for name, view in _walk(get_resolver().url_patterns)
            if view.__module__.startswith("fusionforum.") and accepts_post(view)}


def pattern_name(path: str) -> str | None:
    return _view_name(urlsplit(path).path)


@functools.cache
def _view_name(url_path: str) -> str | None:
    # Thousands of links and form actions per run, far fewer distinct paths; the URLconf does
    # not change during the run.
    try:
        return resolve(url_path).view_name
    except Resolver404:
        return None


# -- what a browser sends -------------------------------------------------------------------

def browser_data(form, document) -> list[list[tuple[str, str]]]:
    """The body a browser sends for ``form`` unchanged, once per distinct submit button."""
    form_id = form.get("id")
    controls = list(form.iter("input", "select", "textarea", "button"))
    if form_id:
        controls += document.xpath("//*[@form=$id]", id=form_id)
    fields, buttons = [], []
    for control in controls:
        name = control.get("name")
        if control.get("disabled") is not None:
            continue
        tag = control.tag
        kind = (control.get("type") or ("submit" if tag == "button" else "text")).lower()
        if tag == "button" or kind in ("submit", "image"):
            if kind in ("submit", "image"):
                buttons.append((name, control.get("value") or "", control.get("formaction")))
            continue
        if not name or kind in ("file", "reset", "button"):
            continue
        if tag == "textarea":
            fields.append((name, (control.text or "").replace("\r\n", "\n")
                           .replace("\n", "\r\n")))
        elif tag == "select":
            options = control.xpath(".//option")
            chosen = [o for o in options if o.get("selected") is not None]
            if not chosen and options and control.get("multiple") is None:
                chosen = options[:1]
            fields += [(name, o.get("value") if o.get("value") is not None
                        else (o.text or "").strip()) for o in chosen]
        elif kind in ("checkbox", "radio"):
            if control.get("checked") is not None:
                value = control.get("value")
                fields.append((name, "on" if value is None else value))
        else:
            fields.append((name, control.get("value") or ""))
    bodies = []
    for name, value, formaction in (buttons[:3] or [(None, "", None)]):
        body = list(fields)
        if name:
            body.append((name, value))
        bodies.append((body, formaction))
    return bodies


def _querydict(pairs):
    data: dict[str, list[str]] = {}
    for key, value in pairs:
        data.setdefault(key, []).append(value)
    return data


def form_errors(response) -> list[tuple[str, str]]:
    """(field, message) of every bound form of the rendered page."""
    found = []
    for context in response.context or []:
        for value in context.flatten().values() if hasattr(context, "flatten") else []:
            forms = []
            if isinstance(value, BaseForm):
                forms = [value]
            elif isinstance(value, BaseFormSet):
                forms = list(value.forms)
            for form in forms:
                if form.is_bound and form._errors:
                    for field, messages in form._errors.items():
                        found += [(field, message) for message in messages]
    return list(dict.fromkeys(found))


def error_messages(client, response) -> list[str]:
    """Error messages the answer shows (rendered at once) or leaves for the next page."""
    stored = []
    morsel = client.cookies.get("messages")
    if morsel and morsel.value:
        request = RequestFactory().get("/")
        request.COOKIES["messages"] = morsel.value
        stored += CookieStorage(request)._decode(morsel.value) or []
    for context in response.context or []:
        if hasattr(context, "flatten") and "messages" in context.flatten():
            stored += list(context.flatten()["messages"] or [])
            break
    return list(dict.fromkeys(str(m.message) for m in stored
                              if getattr(m, "level", 0) >= message_levels.ERROR))


# -- the demo and the crawl -------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo workshop, loaded once in a transaction rolled back after the module."""
    with demo_rolled_back(django_db_blocker, TODAY) as event:
        yield event


def _client(role, email=None) -> Client:
    from fusionforum.accounts.models import User

    listed, second_factor, _ = ROLES[role]
    email = email or listed
    client = Client()
    if email:
        user = User.objects.get(email=email)
        if second_factor:
            login_verified(client, user)
        else:
            client.force_login(user)
    return client


def _post(client, url, body):
    """POST inside a transaction rolled back; the session cookie is restored afterwards."""
    session = client.cookies.get(settings.SESSION_COOKIE_NAME)
    session_value = session.value if session else None
    client.cookies.pop("messages", None)
    with rolled_back():
        response = client.post(url, _querydict(body))
        messages = error_messages(client, response)
        errors = form_errors(response) if response.status_code == 400 or (
            response.status_code == 200) else []
        transaction.set_rollback(True)
    client.cookies.pop("messages", None)
    if session_value is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = session_value
    return response, errors, messages


def _judge(response, errors, messages, initial: dict[str, str]) -> str | None:
    status = response.status_code
    if status >= 500:
        return f"answered {status}"
    def was_filled(field):
        return any(value.strip() for key, value in initial.items()
                   if key == field or key.endswith(f"-{field}"))

    refused = [(field, message) for field, message in errors
               if field == "__all__" or was_filled(field)]
    if refused:
        return "refused its own values: " + "; ".join(f"{f}: {m}" for f, m in refused)
    if messages:
        return "error message: " + "; ".join(messages)
    if status >= 400 and not errors:
        return f"answered {status} without a form error"
    if status == 400 and errors:
        return None  # only empty required fields refused: a person must fill those
    return None


def _round_trip(demo, role) -> tuple[set[str], list[str], int]:
    """Open ``role``'s pages and send back every form: (patterns covered, failures, pages)."""
    email, queue = None, list(ROLES[role][2])
    if role in SETUPS:
        prepared = SETUPS[role](demo)
        if isinstance(prepared, tuple):
            email, extra = prepared
        else:
            extra = prepared
        queue = extra + queue
    client = _client(role, email)
    seen_pages: set[str] = set()
    per_pattern: dict[str, int] = {}
    tried: set[tuple[str, str | None]] = set()
    covered: set[str] = set()
    failures: list[str] = []
    pages = 0
    while queue and pages < PAGES_PER_ROLE:
        path = queue.pop(0)
        name = pattern_name(path)
        # The address without its query: a download's link may carry one
        # (``report.pdf?lang=fr``) and is still a download.
        if path in seen_pages or name is None or SKIP_PAGE.search(urlsplit(path).path):
            continue
        seen_pages.add(path)
        if per_pattern.get(name, 0) >= PAGES_PER_PATTERN:
            continue
        per_pattern[name] = per_pattern.get(name, 0) + 1
        response = client.get(path)
        pages += 1
        if response.status_code >= 500:
            failures.append(f"GET {path} answered {response.status_code}")
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        document = lxml.html.fromstring(response.content)
        for href in document.xpath("//a/@href"):
            target = urljoin(path, href.split("#")[0])
            if target.startswith("/") and not target.startswith("//"):
                queue.append(target.split("?")[0] if "?page=" in target else target)
        for form in document.xpath("//form"):
            if (form.get("method") or "get").lower() != "post":
                continue
            for body, formaction in browser_data(form, document):
                action = urljoin(path, formaction or form.get("action") or path)
                target = pattern_name(action)
                button = next((v for k, v in body[-1:] if k), None)
                if target is None or (target, button) in tried:
                    continue
                tried.add((target, button))
                if target in ("accounts:logout", "set_language"):
                    continue
                covered.add(target)
                response, errors, messages = _post(client, action, body)
                if (role, target) in EXPECTED or ("*", target) in EXPECTED:
                    if response.status_code >= 500:
                        failures.append(f"{path} → POST {action} answered "
                                        f"{response.status_code}")
                    continue
                problem = _judge(response, errors, messages, dict(body))
                if problem:
                    failures.append(f"{path} → POST {action} [{target}]: {problem}")
    if pages < 1:
        failures.append("the starting pages did not open")
    return covered, [f"{role}: {failure}" for failure in failures], pages


def test_every_form_round_trips_unchanged_and_every_form_is_covered(demo):
    """One test for every role (each in a transaction rolled back, so one role's setup and
    forms never reach the next), so that coverage is judged over all of them in one process
    whatever the parallel runner does."""
    covered: set[str] = set()
    failures: list[str] = []
    for role in ROLES:
        with rolled_back():
            role_covered, role_failures, _pages = _round_trip(demo, role)
            transaction.set_rollback(True)
        covered |= role_covered
        failures += role_failures
    assert not failures, "\n".join(failures)
    missing = sorted(post_patterns() - covered - set(NOT_REACHED))
    assert not missing, (
        "URL patterns that accept POST but no page of any role offered a form to: "
        + ", ".join(missing) + ". Open a page with that form in ROLES, or list the pattern "
        "in NOT_REACHED with the reason.")
    stale = sorted(set(NOT_REACHED) & covered)
    assert not stale, f"listed as not reached but covered now: {stale}"
