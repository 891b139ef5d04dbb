"""Every text area of every role's forms, typed with the keyboard in Chromium.

One browser and one loaded demo for the whole sweep. On each page the text areas of the form
are typed again line by line, with Enter between the lines (a text area's existing text is
re-typed as it is, so structured ones such as the meetings day's breaks keep their meaning;
an empty one gets two new lines); radio groups without a choice get their first option, and
``FILL`` types what a person must type in other fields. The form is saved with its first
submit button (or the one named); the answer must be a success without an error on the page,
and where the page shows the saved text again it must come back with its line breaks.
Participants, speakers and experts type on a phone (390x844), staff on a desktop.

``test_every_form_with_a_text_area_is_typed_into`` fails when a form of the project has a
text area and is not in ``PAGES``, so a text area added later is covered or the sweep fails.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import zoneinfo

import pytest
from django import forms
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

import fusionforum
from fusionforum.core import clock as business_clock
from tests.conftest import login_verified

from .conftest import browser, open_page  # noqa: F401

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TODAY = dt.date(2027, 5, 26)
D = "demo-workshop"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

USERS = {
    "anonymous": (None, False, PHONE),
    "participant": ("bo.example@demo.fusionforum.invalid", False, PHONE),
    "speaker": ("esme.fictive@demo-speakers.fusionforum.invalid", False, PHONE),
    "author": (None, False, PHONE),  # the speaker of a submission still open: see _objects
    "newcomer": (None, False, PHONE),  # a person whose registration was cancelled: see _objects
    "expert": ("expert@demo.fusionforum.invalid", False, PHONE),
    "organiser": ("organiser@demo.fusionforum.invalid", True, DESKTOP),
    "reviewer": ("reviewer@demo.fusionforum.invalid", True, DESKTOP),
    "security": ("security@demo.fusionforum.invalid", True, DESKTOP),
}

# form class -> (role, page (format keys from _objects), a text area's name on that page,
# fields a person types first {name: value}, submit button name or None, shown again?)
PAGES = {
    "events.forms.ContactForm": (
        "anonymous", f"/{D}/contact/", "message",
        {"name": "Zoë Kāne 👩\u200d🔬", "email": "zoe@test.invalid"}, "Send message", False),
    # Its text areas are the event's long-text questions (fields made per question).
    "registration.forms.RegistrationForm": (
        "newcomer", f"/{D}/registration/", "{long_question}", {}, None, False),
    "meetings.forms.RequestForm": (
        "participant", f"/{D}/meetings/requests/{{request}}/", "topic", {}, None, True),
    "outcomes.forms.SurveyForm": (
        "participant", f"/{D}/outcomes/survey/", "comments", {}, None, True),
    "cfp.forms.SubmissionForm": (
        "author", f"/{D}/call/{{open_submission}}/edit/", "abstract", {}, "Save changes",
        True),
    "cfp.forms.ProfileForm": ("speaker", f"/{D}/call/profile/", "bio", {}, None, True),
    "meetings.forms.RefusalForm": (
        "expert", f"/{D}/expert/conflicts/", "reason", {}, None, False),
    "meetings.forms.NotesForm": (
        "expert", f"/{D}/expert/meetings/{{expert_meeting}}/notes/", "notes_topic", {}, None,
        True),
    "registration.forms.VisaLetterSettingsForm": (
        "organiser", f"/manage/{D}/visa-letters/", "text_en", {}, None, False),
    "events.forms.NoticeForm": (
        "organiser", f"/manage/{D}/notices/privacy/", "body_en", {}, None, True),
    "cfp.forms.CallSettingsForm": (
        "organiser", f"/manage/{D}/call/settings/", "introduction", {}, None, True),
    "cfp.forms.NotesForm": (
        "organiser", f"/manage/{D}/call/submissions/{{submission}}/", "internal_notes", {},
        None, True),
    "meetings.forms.ExpertForm": (
        "organiser", f"/manage/{D}/meetings/experts/{{expert}}/", "bio", {}, None, True),
    "meetings.forms.SettingsForm": (
        "organiser", f"/manage/{D}/meetings/settings/", "disciplines_text_en", {}, None, True),
    "meetings.forms.ManageRequestForm": (
        "organiser", f"/manage/{D}/meetings/requests/new/", "topic", {}, None, False),
    "meetings.forms.PublishForm": (
        "organiser", f"/manage/{D}/meetings/", "comment", {"close_requests": True}, None,
        False),
    "registration.email_templates.EmailTemplateForm": (
        "organiser", f"/manage/{D}/emails/confirmed/", "body", {}, None, True),
    "notifications.placeholders.EmailTemplateForm": (
        "organiser", f"/manage/{D}/call/review/emails/{{cfp_email}}/", "body", {}, None, True),
    # Its first button previews (nothing is stored); tests/announcements/
    # test_announcement_browser.py previews and sends.
    "announcements.forms.AnnouncementForm": (
        "organiser", f"/manage/{D}/announcements/new/", "body_en",
        {"subject_en": "Coaches leave at 8"}, None, False),
    "outcomes.forms.ReportForm": (
        "organiser", f"/manage/{D}/outcomes/", "narrative_en", {}, None, True),
    "outcomes.forms.PriorityForm": (
        "organiser", f"/manage/{D}/outcomes/", "description",
        {"title": "Test blankets together"}, None, False),
    "programme.forms.ReleaseForm": (
        "organiser", f"/manage/{D}/programme/releases/", "comment", {}, None, False),
    "programme.forms.SessionForm": (
        "organiser", f"/manage/{D}/programme/sessions/{{session}}/", "description_en", {},
        None, True),
    "visits.forms.TourForm": (
        "organiser", f"/manage/{D}/visits/tours/{{tour}}/", "description_en", {}, None,
        True),
    "cfp.review_forms.ReviewForm": (
        "reviewer", f"/review/{D}/{{review}}/", "comment_to_organisers", {}, None, True),
    "vault.forms.VaultSettingsForm": (
        "security", f"/security/{D}/settings/", "instructions", {}, None, True),
    "vault.forms.DecisionForm": (
        "security", f"/security/{D}/people/{{vault_person}}/", "reason", {}, None, False),
}

# Pages that show the saved text to people (not in a text area): its lines must show there as
# lines. form class -> (page, CSS selector of the element showing it)
DISPLAYED = {
    "meetings.forms.RequestForm": (f"/{D}/meetings/", "td"),
    "vault.forms.DecisionForm": (f"/security/{D}/people/{{vault_person}}/",
                                 "p:has-text('Reason given')"),
}

pytestmark = [pytest.mark.browser]


def _textarea_forms() -> set[str]:
    found = set()
    for info in pkgutil.walk_packages(fusionforum.__path__, "fusionforum."):
        if any(part in info.name for part in (".migrations", ".settings", ".scheduling")) \
                or info.name.endswith(("wsgi", "__main__")):
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, forms.BaseForm)
                    and value.__module__ == module.__name__
                    and any(isinstance(f.widget, forms.Textarea)
                            for f in value.base_fields.values())):
                found.add(f"{value.__module__.removeprefix('fusionforum.')}."
                          f"{value.__qualname__}")
    return found


def test_every_form_with_a_text_area_is_typed_into():
    missing = sorted(_textarea_forms() - set(PAGES))
    assert not missing, f"forms with a text area the browser sweep does not type into: {missing}"


def _objects(event) -> dict:
    """Real objects of the demo each page needs, in the state where the form is offered."""
    from fusionforum.accounts.models import User
    from fusionforum.cfp.models import CallSettings, CfpEmailTemplate, ReviewAssignment
    from fusionforum.cfp.models import Submission as Sub
    from fusionforum.meetings.models import Expert, MeetingRequest
    from fusionforum.meetings.services import latest_release
    from fusionforum.programme.models import ProgrammeSession
    from fusionforum.vault import services as vault
    from fusionforum.visits.models import TourType

    users = {role: User.objects.get(email=email) for role, (email, _, _) in USERS.items()
             if email and role not in ("author", "newcomer")}
    # Someone whose registration was cancelled registers again (the registration form).
    from fusionforum.registration.models import Registration
    from fusionforum.registration.states import Status

    active = Registration.objects.filter(event=event).exclude(status=Status.CANCELLED)
    again = (Registration.objects.filter(event=event, status=Status.CANCELLED)
             .exclude(user__in=active.values("user")).order_by("pk").first())
    USERS["newcomer"] = (again.user.email, False, PHONE)
    submission = Sub.objects.filter(event=event, speakers=users["speaker"]).first()
    # A submission still under review whose deadline the organisers extended: its speaker may
    # still edit the answers.
    open_submission = Sub.objects.filter(event=event, state="submitted").order_by("pk").first()
    open_submission.edit_deadline = business_clock.now() + dt.timedelta(days=3)
    open_submission.save(update_fields=["edit_deadline"])
    USERS["author"] = (open_submission.speakers.order_by("pk").first().email, False, PHONE)
    # A change to the working meetings schedule, so a new version may be published.
    from fusionforum.meetings.models import Meeting

    Meeting.objects.filter(event=event).order_by("pk").first().delete()
    expert = Expert.objects.get(event=event, user=users["expert"])
    release = latest_release(event)
    expert_meeting = next(m["request"] for m in release.snapshot["meetings"]
                          if m["expert"] == expert.pk)
    review = (ReviewAssignment.objects.filter(reviewer=users["reviewer"],
                                              submission__event=event)
              .values_list("submission__code", flat=True).first())
    # A working-copy change, so a new programme release may be made.
    session = ProgrammeSession.objects.filter(event=event).order_by("pk").first()
    ProgrammeSession.objects.filter(pk=session.pk).update(title=session.title + " (moved)")
    # Meeting requests open again (the demo closed them before publishing), so a delegate
    # may still change a request's topic.
    from fusionforum.meetings.models import MeetingSettings

    MeetingSettings.objects.filter(event=event).update(
        requests_close_at=business_clock.now() + dt.timedelta(hours=2))
    statuses = vault.statuses(event)
    from fusionforum.registration.models import Question

    long_question = Question.objects.create(
        event=event, kind=Question.Kind.LONG_TEXT, label="Anything we should know?",
        required=False, position=99)
    CallSettings.objects.filter(event=event).update(
        review_closes_at=business_clock.now() + dt.timedelta(days=3))
    return {
        "request": MeetingRequest.objects.filter(
            organisation=users["participant"].organisation, status="active")
        .values_list("pk", flat=True).first(),
        "submission": submission.code,
        "open_submission": open_submission.code,
        "long_question": f"q_{long_question.pk}",
        "expert_meeting": expert_meeting,
        "expert": Expert.objects.filter(event=event).order_by("pk").first().pk,
        "cfp_email": CfpEmailTemplate.objects.filter(event=event).values_list(
            "key", flat=True).first() or "accepted",
        "session": session.pk,
        "tour": TourType.objects.filter(event=event).order_by("pk").first().pk,
        "review": review,
        "vault_person": next(uid for uid, s in statuses.items() if s == "submitted"),
    }


def _log_in(page, live_server, role):
    from fusionforum.accounts.models import User

    email, second_factor, _ = USERS[role]
    if not email:
        return
    client = Client()
    user = User.objects.get(email=email)
    if second_factor:
        login_verified(client, user)
    else:
        client.force_login(user)
    page.context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])


def _retype(page, area, lines):
    area.click()
    area.press("Control+A")
    area.press("Delete")
    for n, line in enumerate(lines):
        if n:
            page.keyboard.press("Enter")
        if line:
            page.keyboard.insert_text(line)


# What the form holds, read in one call instead of one round trip per field and property
# (visible and enabled as Playwright's is_visible / is_disabled tell them).
TEXTAREAS_JS = """form => [...form.querySelectorAll('textarea')].map((e) => {
  const box = e.getBoundingClientRect();
  return {name: e.name, value: e.value, usable: box.width > 0 && box.height > 0
    && getComputedStyle(e).visibility !== 'hidden' && !e.matches(':disabled')};
})"""
EMPTY_REQUIRED_JS = """form => ({
  fields: [...form.querySelectorAll('input[required], select[required]')].map((e) => ({
    tag: e.tagName.toLowerCase(), type: (e.getAttribute('type') || '').toLowerCase(),
    empty: !e.value})),
  unchosen: [...new Set([...form.querySelectorAll('input[type=radio]')].map((r) => r.name))]
    .filter((name) => ![...form.querySelectorAll('input[type=radio]')]
      .some((r) => r.name === name && r.checked)),
})"""


def _fill_and_save(page, url, textarea_name, fill, button, *, add_line=False):
    page.goto(url)
    form = page.locator(f"form[method=post]:has(textarea[name$='{textarea_name}'])").first
    expect(form).to_be_visible()
    typed = {}
    for name, value in fill.items():
        field = form.locator(f"[name$='{name}']").first
        if value is True:
            field.check()
        else:
            field.fill(value)
    for n, area in enumerate(form.evaluate(TEXTAREAS_JS)):
        if not area["usable"]:
            continue
        current = area["value"]
        lines = current.split("\n") if current.strip() else ["First line typed,", "second line."]
        if add_line and len(lines) < 2:
            lines.append("A line typed after Enter.")
        _retype(page, form.locator("textarea").nth(n), lines)
        typed[area["name"]] = "\n".join(lines)
    # What a person must fill and the page leaves empty gets a value, as a person would give;
    # a radio group without a choice gets its first option.
    state = form.evaluate(EMPTY_REQUIRED_JS)
    required = form.locator("input[required], select[required]")
    for n, field in enumerate(state["fields"]):
        if not field["empty"]:
            continue
        if field["tag"] == "select":
            required.nth(n).select_option(index=1)
        elif field["type"] == "date":
            required.nth(n).fill("2027-05-25")
        elif field["type"] in ("text", "email", "") and field["tag"] == "input":
            required.nth(n).fill("Typed answer")
    for group in state["unchosen"]:
        form.locator(f"input[type=radio][name='{group}']").first.check()
    submit = (form.get_by_role("button", name=button) if button
              else form.locator("button[type=submit], input[type=submit]").first)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        submit.click()
    page.wait_for_load_state()
    return answer.value, typed


@pytest.fixture
def demo(transactional_db):
    from tests.demo_snapshot import load_full_demo

    business_clock.set_now(dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=PARIS))
    yield load_full_demo(TODAY)
    business_clock.set_now(None)


@pytest.mark.django_db(transaction=True)
def test_typing_line_breaks_into_every_text_area(browser, live_server, demo):  # noqa: F811
    objects = _objects(demo)
    problems = []
    pages = {}
    for form_name, (role, path, textarea, fill, button, shown) in PAGES.items():
        if role not in pages:
            pages[role] = open_page(browser, viewport=USERS[role][2])
            _log_in(pages[role], live_server, role)
        page = pages[role]
        url = live_server.url + path.format(**objects)
        textarea = textarea.format(**objects)
        try:
            answer, typed = _fill_and_save(page, url, textarea, fill, button,
                                           add_line=form_name in DISPLAYED)
        except Exception as error:  # noqa: BLE001 (collect every page's problem)
            problems.append(f"{form_name} at {path}: {type(error).__name__}: "
                            f"{str(error).splitlines()[0]}")
            continue
        errors = page.locator("[aria-invalid=true], .errors, .error").all_inner_texts()
        if answer.status >= 400 or errors:
            problems.append(f"{form_name} at {path}: answered {answer.status}: {errors[:3]}")
            continue
        if form_name in DISPLAYED:
            where, selector = DISPLAYED[form_name]
            page.goto(live_server.url + where.format(**objects))
            first, second = typed[next(n for n in typed if n.endswith(textarea))].split("\n")[:2]
            shown_html = [html for html in page.locator(selector).evaluate_all(
                "els => els.map(e => e.innerHTML)") if first in html]
            if not any("<br>" in html and second in html for html in shown_html):
                problems.append(f"{form_name}: {where} does not show the lines: {shown_html}")
        if shown:
            page.goto(url)
            form = page.locator(f"form[method=post]:has(textarea[name$='{textarea}'])").first
            for name, text in typed.items():
                value = form.locator(f"textarea[name='{name}']").input_value()
                if value.strip() != text.strip():
                    problems.append(f"{form_name}: {name} shows {value!r}, typed {text!r}")
    for page in pages.values():
        page.context.close()
    assert not problems, "\n".join(problems)
    # What was typed is stored with LF: no text column of the project holds a CR.
    from django.apps import apps
    from django.db import models

    with_cr = []
    for model in apps.get_models():
        if not model.__module__.startswith("fusionforum."):
            continue
        for field in model._meta.concrete_fields:
            if (isinstance(field, (models.CharField, models.TextField))
                    and model.objects.filter(**{f"{field.name}__contains": "\r"}).exists()):
                with_cr.append(f"{model._meta.label}.{field.name}")
    assert not with_cr, f"stored with CR: {with_cr}"
    # The long-text answer of the registration (kept in a JSON column) too.
    from fusionforum.registration.models import Registration

    answers = Registration.objects.filter(
        event=demo, user__email=USERS["newcomer"][0]).latest("pk").answers
    answer = answers[objects["long_question"].removeprefix("q_")]
    assert answer == "First line typed,\nsecond line.", answer
