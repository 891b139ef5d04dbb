"""Requests, hand placements (each hard constraint refused with a reason), runs, publication
and repair with e-mails to the people affected only."""

import pytest
from django.core.exceptions import ValidationError

from fusionforum.meetings import busy, publishing, services
from fusionforum.meetings.models import Meeting, MeetingRelease, MeetingRequest, ScheduleRun
from fusionforum.notifications.models import OutboundEmail

from .conftest import paris

pytestmark = pytest.mark.django_db


def ask(event, user, **kw):
    values = {"topic": "HTS cable testing", "priority": 1, "attendees": [user]}
    values.update(kw)
    return services.submit_request(event, user, **values)


# Requests -------------------------------------------------------------------------------------


def test_request_for_expert_and_discipline(event, people, experts):
    alice = people["alice"]
    r1 = ask(event, alice, expert=experts["mara"])
    r2 = ask(event, alice, discipline="cryogenics", priority=2,
             attendees=[alice, people["arno"]])
    assert r1.organisation == alice.registrations.get().organisation
    assert set(r2.attendees.all()) == {alice, people["arno"]}


def test_same_expert_or_discipline_twice_refused(event, people, experts):
    alice, arno = people["alice"], people["arno"]
    ask(event, alice, expert=experts["mara"])
    with pytest.raises(services.RequestRefused, match="already asked to meet"):
        ask(event, arno, expert=experts["mara"])
    ask(event, alice, discipline="vacuum")
    with pytest.raises(services.RequestRefused, match="already asked for someone"):
        ask(event, arno, discipline="vacuum")
    assert MeetingRequest.objects.count() == 2


def test_other_organisation_may_ask_same_expert(event, people, experts):
    ask(event, people["alice"], expert=experts["mara"])
    ask(event, people["bea"], expert=experts["mara"])
    assert MeetingRequest.objects.count() == 2


def test_attendees_must_be_own_delegates(event, people, experts):
    with pytest.raises(services.RequestRefused, match="registered participants"):
        ask(event, people["alice"], expert=experts["mara"], attendees=[people["bea"]])
    with pytest.raises(services.RequestRefused, match="at least one"):
        ask(event, people["alice"], expert=experts["mara"], attendees=[])
    assert not MeetingRequest.objects.exists()


def test_unconfirmed_person_cannot_ask(event, orgs, make_delegate, experts):
    pending = make_delegate(orgs[0], "pending@alpha.invalid", status="pending")
    with pytest.raises(services.RequestRefused, match="confirmed participants"):
        ask(event, pending, expert=experts["mara"])


def test_unknown_discipline_and_both_targets_refused(event, people, experts):
    with pytest.raises(services.RequestRefused):
        ask(event, people["alice"], discipline="alchemy")
    with pytest.raises(services.RequestRefused):
        ask(event, people["alice"], expert=experts["mara"], discipline="magnets")


def test_cancelled_expert_cannot_be_asked(event, people, experts, organiser):
    services.cancel_expert(experts["cyril"], by=organiser)
    with pytest.raises(services.RequestRefused, match="no longer"):
        ask(event, people["alice"], expert=experts["cyril"])


def test_max_requests_per_organisation(event, people, experts, meeting_settings):
    meeting_settings.max_requests_per_organisation = 2
    meeting_settings.save()
    ask(event, people["alice"], discipline="magnets")
    ask(event, people["alice"], discipline="vacuum")
    with pytest.raises(services.RequestRefused, match="at most 2"):
        ask(event, people["arno"], discipline="cryogenics")


def test_window_and_deadline(event, people, experts, clock):
    request = ask(event, people["alice"], expert=experts["mara"])
    services.update_request(request, people["arno"], expert=None, discipline="magnets",
                            topic="Changed", priority=2, attendees=[people["arno"]])
    request.refresh_from_db()
    assert request.discipline == "magnets" and request.expert is None
    clock.set(paris(2027, 5, 25, 18, 0))
    with pytest.raises(services.RequestRefused, match="deadline"):
        services.update_request(request, people["alice"], expert=experts["mara"],
                                discipline="", topic="Late", priority=1,
                                attendees=[people["alice"]])
    with pytest.raises(services.RequestRefused, match="deadline"):
        ask(event, people["bea"], expert=experts["mara"])
    with pytest.raises(services.RequestRefused, match="deadline"):
        services.withdraw_request(request, people["alice"])
    request.refresh_from_db()
    assert request.topic == "Changed"
    clock.set(paris(2027, 4, 30, 9, 0))
    with pytest.raises(services.RequestRefused, match="not open yet"):
        ask(event, people["bea"], expert=experts["mara"])


def test_other_organisation_cannot_edit(event, people, experts):
    request = ask(event, people["alice"], expert=experts["mara"])
    with pytest.raises(services.NotAllowed):
        services.update_request(request, people["bea"], expert=experts["mara"], discipline="",
                                topic="Hijack", priority=1, attendees=[people["bea"]])
    with pytest.raises(services.NotAllowed):
        services.withdraw_request(request, people["bea"])


def test_withdraw_then_ask_again(event, people, experts):
    request = ask(event, people["alice"], expert=experts["mara"])
    services.withdraw_request(request, people["alice"])
    again = ask(event, people["alice"], expert=experts["mara"])
    assert again.pk != request.pk


# Hand placements: every hard constraint -------------------------------------------------------


def codes(event, request, expert, slot):
    return {code for code, _ in services.check_placement(event, request, expert, slot)}


def test_feasible_hand_placement(event, people, experts, organiser):
    request = ask(event, people["alice"], expert=experts["mara"])
    meeting = services.place_meeting(event, request, experts["mara"], 0, by=organiser)
    assert meeting.source == Meeting.Source.HAND
    # Placing again moves it.
    services.place_meeting(event, request, experts["mara"], 2, by=organiser)
    assert Meeting.objects.get().slot == 2


def test_h1_inactive_request(event, people, experts, organiser):
    request = ask(event, people["alice"], expert=experts["mara"])
    services.withdraw_request(request, people["alice"])
    assert "H1" in codes(event, request, experts["mara"], 0)


def test_h2_wrong_expert(event, people, experts, organiser):
    named = ask(event, people["alice"], expert=experts["mara"])
    by_discipline = ask(event, people["alice"], discipline="cryogenics", priority=2)
    assert "H2" in codes(event, named, experts["cyril"], 0)
    assert "H2" in codes(event, by_discipline, experts["mara"], 0)
    assert "H2" not in codes(event, by_discipline, experts["vera"], 3)
    with pytest.raises(services.Infeasible, match="cannot serve") as info:
        services.place_meeting(event, named, experts["cyril"], 0, by=organiser)
    assert info.value.code == "H2"
    assert not Meeting.objects.exists()


def test_h3_availability_and_lost_slot(event, people, experts, organiser):
    request = ask(event, people["alice"], discipline="vacuum")
    assert "H3" in codes(event, request, experts["vera"], 0)
    services.lose_slot(event, 3, by=organiser)
    assert "H3" in codes(event, request, experts["vera"], 3)
    services.cancel_expert(experts["vera"], by=organiser)
    assert "H3" in codes(event, request, experts["vera"], 4)


def test_h4_busy_attendee(event, people, experts, organiser):
    request = ask(event, people["alice"], expert=experts["mara"])
    alice = people["alice"]

    def tour(event_, day):
        return [busy.Busy(key="visit-1", label="Cryoplant tour", user_ids=[alice.pk],
                          slots=[1, 2], site_visit=True, capacity=10)]

    busy.register(tour)
    try:
        problems = services.check_placement(event, request, experts["mara"], 1)
        assert ("H4", f"{alice} is busy at 09:30–10:00 (Cryoplant tour).") in problems
        with pytest.raises(services.Infeasible):
            services.place_meeting(event, request, experts["mara"], 2, by=organiser)
        services.place_meeting(event, request, experts["mara"], 3, by=organiser)
    finally:
        busy.unregister(tour)


def test_h5_expert_slot_taken(event, people, experts, organiser):
    a = ask(event, people["alice"], expert=experts["mara"])
    b = ask(event, people["bea"], expert=experts["mara"])
    services.place_meeting(event, a, experts["mara"], 0, by=organiser)
    assert "H5" in codes(event, b, experts["mara"], 0)


def test_h6_attendee_double_booked(event, people, experts, organiser):
    a = ask(event, people["alice"], expert=experts["mara"])
    b = ask(event, people["alice"], expert=experts["cyril"], priority=2)
    services.place_meeting(event, a, experts["mara"], 0, by=organiser)
    assert "H6" in codes(event, b, experts["cyril"], 0)
    # Disjoint attendees of one organisation may meet in parallel.
    c = ask(event, people["arno"], discipline="vacuum", priority=3, attendees=[people["arno"]])
    services.place_meeting(event, c, experts["vera"], 3, by=organiser)
    services.place_meeting(event, b, experts["cyril"], 3, by=organiser)


def test_h7_daily_maximum(event, people, experts, organiser, orgs, make_delegate):
    vera = experts["vera"]  # max 2
    from fusionforum.accounts.models import Organisation

    requests = []
    for n in range(3):
        org = Organisation.objects.create(name=f"Org {n} (test)", kind="academia", country="DE")
        person = make_delegate(org, f"p{n}@org.invalid")
        requests.append(ask(event, person, discipline="vacuum", attendees=[person]))
    services.place_meeting(event, requests[0], vera, 3, by=organiser)
    services.place_meeting(event, requests[1], vera, 4, by=organiser)
    assert "H7" in codes(event, requests[2], vera, 5)


def test_h8_one_meeting_per_organisation_and_expert(event, people, experts, organiser):
    a = ask(event, people["alice"], discipline="cryogenics", attendees=[people["alice"]])
    b = ask(event, people["arno"], discipline="vacuum", priority=2, attendees=[people["arno"]])
    services.place_meeting(event, a, experts["vera"], 3, by=organiser)
    assert "H8" in codes(event, b, experts["vera"], 4)


def test_h9_tables(event, people, experts, organiser, meeting_settings):
    meeting_settings.tables = 1
    meeting_settings.save()
    a = ask(event, people["alice"], expert=experts["mara"])
    b = ask(event, people["bea"], expert=experts["cyril"])
    services.place_meeting(event, a, experts["mara"], 0, by=organiser)
    problems = services.check_placement(event, b, experts["cyril"], 0)
    assert problems == [("H9", "The 1 table is taken at 09:00–09:30.")]


# Runs, publication, repair --------------------------------------------------------------------


@pytest.fixture
def requested(event, people, experts):
    return [
        ask(event, people["alice"], expert=experts["mara"], confidential=True,
            topic="Secret quench data"),
        ask(event, people["arno"], discipline="cryogenics", priority=2,
            attendees=[people["arno"]]),
        ask(event, people["bea"], discipline="vacuum"),
    ]


def run_now(event, organiser, kind="solve", capture=None):
    with capture(execute=True):
        run = services.start_run(event, by=organiser, kind=kind, time_limit=1)
    run.refresh_from_db()
    return run


def test_run_publish_and_emails(event, requested, organiser, fake_solver,
                                django_capture_on_commit_callbacks):
    run = run_now(event, organiser, capture=django_capture_on_commit_callbacks)
    assert run.status == ScheduleRun.Status.DONE, run.error
    assert run.progress["proof"] == "test stand-in"
    assert Meeting.objects.count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        release = publishing.publish(event, by=organiser, close_requests=True)
    assert release.version == 1
    recipients = {addr for e in OutboundEmail.objects.filter(purpose="meetings_published")
                  for addr in e.to}
    expert_addresses = {"Mara Magnet": "mara@host.invalid", "Cyril Cold": "cyril@host.invalid",
                        "Vera Vacuum": "vera@host.invalid"}
    expected = {"alice@alpha.invalid", "arno@alpha.invalid", "bea@beta.invalid"} | {
        expert_addresses[m["expert_name"]] for m in release.snapshot["meetings"]}
    assert recipients == expected
    alice_mail = OutboundEmail.objects.get(to=["alice@alpha.invalid"])
    assert "Secret quench data" not in alice_mail.body
    assert "confidential topic" in alice_mail.body
    with pytest.raises(ValidationError, match="Nothing changed"):
        publishing.publish(event, by=organiser, close_requests=True)


def test_repair_new_version_mails_only_affected(event, requested, organiser, experts,
                                                fake_solver, django_capture_on_commit_callbacks):
    run_now(event, organiser, capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        first = publishing.publish(event, by=organiser, close_requests=True)
    OutboundEmail.objects.all().delete()
    bea_meeting = next(m for m in first.snapshot["meetings"]
                       if m["organisation_name"].startswith("Beta"))
    # The expert of Bea's meeting cancels.
    from fusionforum.meetings.models import Expert

    expert = Expert.objects.get(pk=bea_meeting["expert"])
    services.cancel_expert(expert, by=organiser)
    run = run_now(event, organiser, kind="repair", capture=django_capture_on_commit_callbacks)
    assert run.status == ScheduleRun.Status.DONE, run.error
    with django_capture_on_commit_callbacks(execute=True):
        second = publishing.publish(event, by=organiser, close_requests=True,
                                    comment="Expert cancelled")
    assert second.version == 2
    assert second.changes["previous_version"] == 1
    changed = set(second.changes["added"]) | set(second.changes["removed"]) | {
        m["request"] for m in second.changes["moved"]}
    assert bea_meeting["request"] in changed
    recipients = {addr for e in OutboundEmail.objects.all() for addr in e.to}
    assert "bea@beta.invalid" in recipients
    assert "alice@alpha.invalid" not in recipients
    assert "mara@host.invalid" not in recipients
    assert MeetingRelease.objects.filter(event=event).count() == 2


def test_failed_run_leaves_working_copy(event, requested, organiser, monkeypatch,
                                        django_capture_on_commit_callbacks):
    import fusionforum.scheduling as scheduling

    services.place_meeting(event, requested[0], requested[0].expert, 0, by=organiser)

    def broken(*args, **kwargs):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(scheduling, "solve", broken, raising=False)
    run = run_now(event, organiser, capture=django_capture_on_commit_callbacks)
    assert run.status == ScheduleRun.Status.FAILED
    assert "solver exploded" in run.error
    assert Meeting.objects.count() == 1


def test_one_run_at_a_time_and_nothing_to_schedule(event, organiser, meeting_settings):
    with pytest.raises(ValidationError, match="no requests"):
        services.start_run(event, by=organiser)
    with pytest.raises(ValidationError, match="Nothing is published"):
        services.start_run(event, by=organiser, kind="repair")


def test_participant_leaves(event, requested, organiser, people):
    withdrawn = services.participant_leaves(event, people["arno"], by=organiser)
    assert withdrawn == 1
    assert requested[1].__class__.objects.get(pk=requested[1].pk).status == "withdrawn"


def test_review_figures(event, requested, organiser, experts):
    services.place_meeting(event, requested[0], experts["mara"], 0, by=organiser)
    figures = services.review(event)
    assert figures["requesting_orgs"] == 2
    assert figures["covered_orgs"] == 1
    assert figures["uncovered_orgs"] == ["Beta Cryo (test)"]
    vacuum = next(d for d in figures["disciplines"] if d["key"] == "vacuum")
    assert vacuum["unmet"] == 1 and vacuum["needs_experts"]


def test_check_in_and_notes(event, requested, organiser, experts, people, fake_solver,
                            django_capture_on_commit_callbacks):
    run_now(event, organiser, capture=django_capture_on_commit_callbacks)
    publishing.publish(event, by=organiser, close_requests=True)
    mara_login = experts["mara"].user
    pk = requested[0].pk
    outcome = services.check_in(event, pk, "held", by=mara_login)
    assert outcome.attendance == "held"
    services.save_notes(event, pk, by=mara_login, notes_topic="Quench", follow_up_requested=True,
                        follow_up="Send data", category="technical_advice")
    with pytest.raises(services.NotAllowed):
        services.check_in(event, pk, "held", by=people["alice"])
    with pytest.raises(services.NotAllowed):
        services.check_in(event, requested[2].pk, "held", by=mara_login)
