"""Automatic reminders: each kind fires once, at the right time, only when switched on;
opt-outs are honoured for the optional ones only; organisers' texts are used."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from fusionforum.announcements import reminders, services
from fusionforum.announcements.models import OptOut, ReminderSent, ReminderSettings
from fusionforum.core import clock as business_clock
from fusionforum.meetings.models import Expert, MeetingRelease
from fusionforum.notifications.models import OutboundEmail
from fusionforum.outcomes.models import SurveyResponse
from fusionforum.visits.models import Seat, TourRun, TourType

from ..conftest import paris

pytestmark = pytest.mark.django_db


def _switch_on(event, **values):
    fields = {"site_access_due": True, "tour_tomorrow": True, "meetings_tomorrow": True,
              "livestream": True, "survey": True, **values}
    return ReminderSettings.objects.create(event=event, **fields)


def _seat(event, user, start):
    tour, _ = TourType.objects.get_or_create(
        event=event, name="Main tour",
        defaults={"description": "Hall", "closed_shoes": True, "clearance_lead_days": 5})
    run = TourRun.objects.create(tour=tour, start=start, meeting_point="Gate A, north car park")
    now = business_clock.now()
    Seat.objects.create(run=run, user=user, status="held", created_at=now, updated_at=now)
    return run


def _emails(purpose):
    return list(OutboundEmail.objects.filter(purpose=f"reminder-{purpose}").order_by("id"))


def test_tour_tomorrow_fires_once_from_8_the_day_before(event, make_participant, clock):
    _switch_on(event)
    ada = make_participant("Ada Lovelace")
    _seat(event, ada, paris(2027, 5, 28, 9))
    clock.set(paris(2027, 5, 27, 7, 50))
    assert reminders.run_due() == 0
    assert not _emails("tour_tomorrow")
    clock.set(paris(2027, 5, 27, 8, 5))
    reminders.run_due()
    reminders.run_due()  # the job runs again: nothing more
    [email] = _emails("tour_tomorrow")
    assert email.to == [ada.email]
    assert "Gate A, north car park" in email.body and "closed shoes" in email.body
    assert "cannot be switched off" in email.body
    clock.set(paris(2027, 5, 28, 9, 30))  # after the start: nothing late
    reminders.run_due()
    assert len(_emails("tour_tomorrow")) == 1


def test_site_access_due_n_days_before_the_deadline_and_only_while_missing(
        event, make_participant, clock):
    _switch_on(event, site_access_days=3, tour_tomorrow=False)
    ada = make_participant("Ada Lovelace")
    bob = make_participant("Bob Builder")
    _seat(event, ada, paris(2027, 6, 10, 9))  # deadline: 5 June 09:00
    _seat(event, bob, paris(2027, 6, 10, 9))
    from fusionforum.vault.models import AccessRecord
    AccessRecord.objects.create(event=event, user=bob, submitted_at=business_clock.now(),
                                updated_at=business_clock.now())
    clock.set(paris(2027, 6, 1, 8, 0))  # four days before: too early
    reminders.run_due()
    assert not _emails("site_access_due")
    clock.set(paris(2027, 6, 2, 10, 0))
    reminders.run_due()
    reminders.run_due()
    [email] = _emails("site_access_due")
    assert email.to == [ada.email] and "5 June 2027" in email.body


def test_meetings_tomorrow_to_attendees_and_experts(event, make_participant, make_user, clock):
    _switch_on(event)
    ada = make_participant("Ada Lovelace")
    expert_user = make_user("eve@test.invalid", full_name="Eve Expert")
    expert = Expert.objects.create(event=event, user=expert_user, name="Eve Expert",
                                   location="Table 4")
    start = paris(2027, 5, 28, 10)
    MeetingRelease.objects.create(event=event, version=1, published_at=business_clock.now(),
                                  snapshot={"date": "2027-05-28", "meetings": [{
                                      "request": 1, "slot": 0, "start": start.isoformat(),
                                      "end": (start + dt.timedelta(minutes=25)).isoformat(),
                                      "expert": expert.pk, "expert_name": "Eve Expert",
                                      "expert_title": "", "expert_user": expert_user.pk,
                                      "location": "Table 4", "organisation": 1,
                                      "organisation_name": "Fictional Organisation 1",
                                      "attendees": [ada.pk], "attendee_names": ["Ada"],
                                      "target": {"expert": expert.pk}, "target_label": "Eve",
                                      "topic": "Secret", "confidential": True}]})
    clock.set(paris(2027, 5, 27, 12))
    reminders.run_due()
    reminders.run_due()
    emails = _emails("meetings_tomorrow")
    assert sorted(e.to[0] for e in emails) == sorted([ada.email, "eve@test.invalid"])
    assert all("Table 4" in e.body and "Secret" not in e.body for e in emails)


def test_livestream_and_survey_and_opt_outs(event, make_participant, make_stream, clock):
    _switch_on(event, livestream_minutes=30)
    ada = make_participant("Ada Lovelace")
    bob = make_participant("Bob Builder")
    make_stream(event, visible_from=paris(2027, 5, 26, 9, 0))
    OptOut.objects.create(event=event, address=bob.email, created_at=business_clock.now())
    clock.set(paris(2027, 5, 26, 8, 20))  # 40 minutes before: not yet
    reminders.run_due()
    assert not _emails("livestream")
    clock.set(paris(2027, 5, 26, 8, 40))
    reminders.run_due()
    [email] = _emails("livestream")
    assert email.to == [ada.email] and "Stop these reminders: http" in email.body
    # The survey, from 09:00 the day after the event, to organisations that did not answer.
    clock.set(paris(2027, 5, 29, 8, 0))
    reminders.run_due()
    assert not _emails("survey")
    clock.set(paris(2027, 5, 29, 9, 30))
    SurveyResponse.objects.create(event=event, organisation=bob.organisation, respondent=bob,
                                  usefulness=4, likely_to_engage=4,
                                  submitted_at=business_clock.now())
    OptOut.objects.all().delete()
    call_command("send_reminders", stdout=io.StringIO())
    call_command("send_reminders", stdout=io.StringIO())
    [survey] = _emails("survey")
    assert survey.to == [ada.email]
    assert ReminderSent.objects.filter(kind="survey").count() == 1


def test_essential_reminders_ignore_opt_outs_and_switched_off_kinds_stay_quiet(
        event, make_participant, make_stream, clock):
    _switch_on(event, livestream=False)
    ada = make_participant("Ada Lovelace")
    _seat(event, ada, paris(2027, 5, 28, 9))
    make_stream(event, visible_from=paris(2027, 5, 27, 8, 30),
                visible_until=paris(2027, 5, 27, 18))
    services.set_opt_out(event, ada.email, True)
    clock.set(paris(2027, 5, 27, 8, 10))
    reminders.run_due()
    assert len(_emails("tour_tomorrow")) == 1
    assert not _emails("livestream")


def test_the_signed_link_stops_optional_reminders_after_one_click(event, make_participant,
                                                                  client, clock):
    ada = make_participant("Ada Lovelace")
    url = reminders.opt_out_url(event, ada.email).split("8000", 1)[-1]
    page = client.get(url)
    assert page.status_code == 200 and not OptOut.objects.exists()  # a scanner stops nothing
    done = client.post(url)
    assert done.status_code == 200 and services.is_opted_out(event, ada.email)
    assert client.get(url.replace("/stop/", "/stop/x")).status_code == 400
    # A link made for another event does not work here.
    from fusionforum.events.models import Event
    other = Event.objects.create(**{f.name: getattr(event, f.name) for f in event._meta.fields
                                    if f.name not in ("id", "slug")}, slug="other-2027")
    foreign = reminders.opt_out_url(other, ada.email).split("8000", 1)[-1]
    assert client.get(foreign.replace("other-2027", event.slug)).status_code == 400


def test_the_persons_own_setting(event, make_participant, client, clock):
    ada = make_participant("Ada Lovelace")
    client.force_login(ada)
    url = f"/{event.slug}/reminders/"
    assert client.get(url).status_code == 200
    client.post(url, {})  # the box unticked
    assert services.is_opted_out(event, ada.email)
    client.post(url, {"optional": "on"})
    assert not services.is_opted_out(event, ada.email)


def test_organisers_edit_a_reminder_text_per_language(event, organiser_client,
                                                      make_participant, make_stream, clock):
    _switch_on(event)
    ada = make_participant("Ada Lovelace", language="fr")
    make_stream(event, visible_from=paris(2027, 5, 26, 9, 0))
    url = f"/manage/{event.slug}/announcements/reminders/livestream/"
    assert organiser_client.get(url).status_code == 200
    refused = organiser_client.post(url, {"language": "fr", "subject": "{{ nope }}",
                                          "body": "x", "action": "save"})
    assert refused.status_code == 400
    saved = organiser_client.post(url, {"language": "fr", "subject": "Direct : {{ stream_label }}",
                                        "body": "Bonjour {{ first_name }}, c’est parti.",
                                        "action": "save"})
    assert saved.status_code == 302
    clock.set(paris(2027, 5, 26, 8, 45))
    reminders.run_due()
    [email] = _emails("livestream")
    assert email.to == [ada.email] and email.subject == "Direct : Plenary"
    assert email.body.startswith("Bonjour Ada, c’est parti.")
    assert "Arrêter ces rappels\u00a0: http" in email.body


def test_settings_page_switches_reminders(event, organiser_client, clock):
    url = f"/manage/{event.slug}/announcements/reminders/"
    assert organiser_client.get(url).status_code == 200
    answer = organiser_client.post(url, {"tour_tomorrow": "on", "site_access_days": "4",
                                         "livestream_minutes": "20"})
    assert answer.status_code == 302
    saved = ReminderSettings.objects.get(event=event)
    assert saved.tour_tomorrow and not saved.survey and saved.site_access_days == 4
    bad = organiser_client.post(url, {"site_access_days": "0", "livestream_minutes": "20"})
    assert bad.status_code == 400


def test_a_run_racing_another_sends_nothing_twice(event, make_participant, clock, monkeypatch):
    """Two runs at once: the second saw nothing sent yet, then meets the unique row the first
    wrote in the same transaction as its e-mail, and queues nothing."""
    _switch_on(event)
    ada = make_participant("Ada Lovelace")
    _seat(event, ada, paris(2027, 5, 28, 9))
    clock.set(paris(2027, 5, 27, 9))
    assert reminders.run_due() == 1
    monkeypatch.setattr(reminders, "_already", lambda event: set())
    assert reminders.run_due() == 0
    assert len(_emails("tour_tomorrow")) == 1


def test_other_events_people_get_nothing(event, make_event, make_participant, clock):
    other = make_event(slug="other-2027", title="Other workshop")
    _switch_on(event)
    outsider = make_participant("Other Person", target_event=other)
    _seat(other, outsider, paris(2027, 5, 28, 9))  # a seat at an event without reminders
    clock.set(paris(2027, 5, 27, 9))
    reminders.run_due()
    assert not OutboundEmail.objects.exists()
