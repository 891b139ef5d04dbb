"""Announcements: audiences (per kind, one event only), preview, sending in each recipient's
language with a record per recipient, and no double send."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fusionforum.accounts.models import Organisation
from fusionforum.announcements import audiences, services
from fusionforum.announcements.models import Announcement, Audience, Delivery
from fusionforum.cfp.models import Speaker, Submission
from fusionforum.core import clock as business_clock
from fusionforum.meetings.models import Expert
from fusionforum.notifications.models import OutboundEmail
from fusionforum.registration.states import Status
from fusionforum.visits.models import Seat, TourRun, TourType

from ..conftest import paris

pytestmark = pytest.mark.django_db


def _draft(audience=Audience.CONFIRMED, kind="", **texts):
    return services.Draft(audience=audience, organisation_kind=kind, texts={
        "subject_en": "Coaches leave at 8", "body_en": "Hello **all**.\n\n- one\n- two",
        "subject_fr": "Départ des cars à 8 h", "body_fr": "Bonjour à **tous**.", **texts})


def _addresses(recipients):
    return [r.address for r in recipients]


def _submission(event, author, state):
    submission = Submission.objects.create(
        event=event, organisation=author.organisation, created_by=author, state=state,
        title="Synthetic talk", abstract="Synthetic.", breakthroughs="Synthetic.",
        breakthrough_scale="prototype_device", challenges="Synthetic.", iter_help="Synthetic.",
        created_at=business_clock.now())
    Speaker.objects.create(submission=submission, user=author, position=0)
    return submission


def _seat(event, user, start=None):
    tour = TourType.objects.get_or_create(event=event, name="Main tour",
                                          defaults={"description": "Hall"})[0]
    run = TourRun.objects.create(tour=tour, start=start or paris(2027, 5, 28, 9),
                                 meeting_point="Gate A")
    now = business_clock.now()
    return Seat.objects.create(run=run, user=user, status="held", created_at=now, updated_at=now)


def test_each_audience_names_its_people_of_this_event_only(event, make_event, make_participant,
                                                           make_user, clock):
    other = make_event(slug="other-2027", title="Other workshop")
    ada = make_participant("Ada Lovelace")
    bob = make_participant("Bob Lab", kind=Organisation.Kind.PUBLIC_LAB)
    make_participant("Pending Person", status=Status.PENDING)
    outsider = make_participant("Other Event", target_event=other)
    _submission(event, ada, "confirmed")
    _submission(event, bob, "submitted")  # not accepted: no speaker yet
    _submission(other, outsider, "confirmed")
    expert_user = make_user("expert@test.invalid", full_name="Eve Expert")
    Expert.objects.create(event=event, user=expert_user, name="Eve Expert")
    Expert.objects.create(event=event, name="No Login", email="NoLogin@Test.invalid")
    Expert.objects.create(event=other, name="Elsewhere", email="elsewhere@test.invalid")
    _seat(event, bob)
    _seat(other, outsider)

    assert _addresses(audiences.recipients(event, Audience.CONFIRMED)) == [ada.email, bob.email]
    assert _addresses(audiences.recipients(event, Audience.ORGANISATION_KIND, "public_lab")) \
        == [bob.email]
    assert _addresses(audiences.recipients(event, Audience.SPEAKERS)) == [ada.email]
    assert _addresses(audiences.recipients(event, Audience.EXPERTS)) == [
        "expert@test.invalid", "nologin@test.invalid"]
    assert _addresses(audiences.recipients(event, Audience.TOUR_SEATS)) == [bob.email]
    assert _addresses(audiences.recipients(event, Audience.SITE_ACCESS_MISSING)) == [bob.email]
    # Once the vault holds a record, the person is no longer missing (no value is read).
    from fusionforum.vault.models import AccessRecord
    AccessRecord.objects.create(event=event, user=bob, submitted_at=business_clock.now(),
                                updated_at=business_clock.now())
    assert audiences.recipients(event, Audience.SITE_ACCESS_MISSING) == []
    assert _addresses(audiences.recipients(other, Audience.CONFIRMED)) == [outsider.email]


def test_preview_counts_and_renders_without_storing(event, organiser, make_participant, clock):
    make_participant("Ada Lovelace")
    make_participant("Bernard Dupont", language="fr")
    shown = services.preview(event, _draft(body_en="Hi <script>x</script> **bold**"),
                             by=organiser)
    assert shown.count == 2
    assert shown.by_language == {"en": 1, "fr": 1}
    assert "<strong>bold</strong>" in shown.sample_html
    assert "<script>" not in shown.sample_html
    assert shown.sample_email.startswith("Dear Ada,")
    assert not Announcement.objects.exists() and not OutboundEmail.objects.exists()


def test_send_queues_one_email_per_recipient_in_their_language_with_a_record(
        event, organiser, make_participant, clock):
    ada = make_participant("Ada Lovelace")
    bernard = make_participant("Bernard Dupont", language="fr")
    announcement, new = services.send(event, _draft(), by=organiser, token=uuid.uuid4())
    assert new and announcement.recipient_count == 2
    deliveries = {d.address: d for d in Delivery.objects.filter(announcement=announcement)}
    assert deliveries[ada.email].language == "en"
    assert deliveries[bernard.email].language == "fr"
    english = deliveries[ada.email].email
    french = deliveries[bernard.email].email
    assert english.subject == "Coaches leave at 8" and english.to == [ada.email]
    assert english.body.startswith("Dear Ada,") and "Hello **all**." in english.body
    assert french.subject == "Départ des cars à 8 h"
    assert french.body.startswith("Bonjour Bernard,") and "Bonjour à **tous**." in french.body
    assert english.purpose == "announcement"


def test_a_language_without_a_version_gets_the_events_language(event, organiser,
                                                               make_participant, clock):
    bernard = make_participant("Bernard Dupont", language="fr")
    services.send(event, _draft(subject_fr="", body_fr=""), by=organiser, token=uuid.uuid4())
    email = OutboundEmail.objects.get(to=[bernard.email])
    assert email.subject == "Coaches leave at 8" and email.body.startswith("Bonjour Bernard,")


def test_the_same_token_never_sends_twice(event, organiser, make_participant, clock):
    make_participant()
    token = uuid.uuid4()
    first, new = services.send(event, _draft(), by=organiser, token=token)
    again, new_again = services.send(event, _draft(), by=organiser, token=token)
    assert new and not new_again and again.pk == first.pk
    assert OutboundEmail.objects.count() == 1 and Announcement.objects.count() == 1


def test_only_organisers_send_and_bad_drafts_are_refused(event, organiser, make_participant,
                                                         make_user, clock):
    with pytest.raises(PermissionDenied):
        services.send(event, _draft(), by=make_user(), token=uuid.uuid4())
    with pytest.raises(ValidationError):
        services.send(event, _draft(subject_en=""), by=organiser, token=uuid.uuid4())
    with pytest.raises(ValidationError):
        services.preview(event, _draft(audience=Audience.ORGANISATION_KIND), by=organiser)
    assert not Announcement.objects.exists()


# The pages ------------------------------------------------------------------------------------

def _post(token, action, **extra):
    return {"audience": "confirmed", "organisation_kind": "", "subject_en": "Coaches",
            "body_en": "Line one\r\nLine two", "subject_fr": "", "body_fr": "",
            "token": str(token), "action": action, **extra}


def test_pages_preview_then_send_once_and_list_the_recipients(event, organiser_client,
                                                              make_participant, clock):
    ada = make_participant("Ada Lovelace")
    base = f"/manage/{event.slug}/announcements/"
    page = organiser_client.get(base + "new/")
    assert page.status_code == 200
    token = page.context["form"]["token"].value()
    shown = organiser_client.post(base + "new/", _post(token, "preview"))
    assert shown.status_code == 200 and b"1 person receives" in shown.content
    assert not OutboundEmail.objects.exists()
    sent = organiser_client.post(base + "new/", _post(token, "send"))
    assert sent.status_code == 302
    again = organiser_client.post(base + "new/", _post(token, "send"))  # a double submission
    assert again.status_code == 302 and again["Location"] == sent["Location"]
    assert OutboundEmail.objects.count() == 1
    assert OutboundEmail.objects.get().body.count("Line one\nLine two") == 1
    record = organiser_client.get(sent["Location"])
    assert record.status_code == 200
    assert ada.email.encode() in record.content and b"Queued" in record.content
    listing = organiser_client.get(base)
    assert b"Coaches" in listing.content


def test_pages_refuse_bad_input_with_400(event, organiser_client, clock):
    url = f"/manage/{event.slug}/announcements/new/"
    answer = organiser_client.post(url, _post("not-a-uuid", "send", subject_en=""))
    assert answer.status_code == 400 and not Announcement.objects.exists()


def test_a_double_submission_racing_the_first_sends_nothing_more(event, organiser,
                                                                 make_participant, clock,
                                                                 monkeypatch):
    """The second request looked before the first committed (it saw no announcement): the
    unique token stops it in the database and it answers the first announcement."""
    make_participant()
    token = uuid.uuid4()
    first, _new = services.send(event, _draft(), by=organiser, token=token)
    real_filter = Announcement.objects.filter
    calls = {"n": 0}

    def blind_first_look(*args, **kwargs):
        calls["n"] += 1
        found = real_filter(*args, **kwargs)
        return found.none() if calls["n"] == 1 else found

    monkeypatch.setattr(Announcement.objects, "filter", blind_first_look)
    again, new = services.send(event, _draft(), by=organiser, token=token)
    assert not new and again.pk == first.pk
    assert OutboundEmail.objects.count() == 1 and Delivery.objects.count() == 1


def test_personal_data_lists_and_forgets(event, organiser, make_participant, clock):
    from fusionforum.announcements import personal_data
    from fusionforum.announcements.models import OptOut

    ada = make_participant("Ada Lovelace")
    services.send(event, _draft(), by=organiser, token=uuid.uuid4())
    services.set_opt_out(event, ada.email, True, by=ada)
    section = personal_data.provide(ada)["announcements"]
    assert section["announcements_received"][0]["subject"] == "Coaches leave at 8"
    assert section["optional_reminders_stopped"] == [event.slug]
    personal_data.anonymise(ada)
    assert not OptOut.objects.exists()
    assert not Delivery.objects.filter(address=ada.email).exists()
