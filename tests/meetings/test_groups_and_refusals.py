"""Meeting day v2 in the product: requests for two experts together, experts' conflicts of
interest, the ``fusion-matchmaking/2`` instance (validated by the kit's own check.py), a run
and a publication with a group meeting, the review's idle slots and reasons, and the pages."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from fusionforum.meetings import agenda, instance, publishing, quality, services
from fusionforum.meetings.models import ExpertRefusal, Meeting, MeetingRequest, ScheduleRun
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db

KIT = Path(__file__).resolve().parents[2].parent / "shared" / "bench" / "matchmaking2"


def group(event, user, **seats):
    return services.submit_request(event, user, topic="Cooling an HTS solenoid", priority=1,
                                   attendees=[user], **seats)


# Requests for two experts ------------------------------------------------------------------


def test_group_request_with_two_seats(event, people, experts):
    request = group(event, people["alice"], expert=experts["mara"], discipline2="cryogenics")
    assert request.is_group
    assert request.seats == [(experts["mara"].pk, ""), (None, "cryogenics")]
    assert request.target_label == "Mara Magnet together with someone in cryogenics"
    # A 1:1 request for one of the group's disciplines is another target: allowed.
    services.submit_request(event, people["alice"], discipline="cryogenics", topic="Cold box",
                            priority=2, attendees=[people["alice"]])


@pytest.mark.parametrize("seats, message", [
    ({"expert": "mara", "expert2": "mara"}, "two different experts"),
    ({"discipline": "magnets", "discipline2": "no_such_field"}, "Unknown discipline"),
    ({"discipline": "magnets", "expert2": "gone"}, "no longer takes meetings"),
])
def test_group_request_refused(event, people, experts, seats, message):
    experts["gone"] = experts["vera"]
    experts["vera"].is_active = False
    experts["vera"].save()
    values = {k: (experts[v] if k.startswith("expert") else v) for k, v in seats.items()}
    with pytest.raises(services.RequestRefused) as refused:
        group(event, people["alice"], **values)
    assert message in " ".join(refused.value.messages)
    assert not MeetingRequest.objects.exists()


def test_group_duplicates_and_named_expert_once(event, people, experts):
    group(event, people["alice"], discipline="magnets", discipline2="cryogenics")
    with pytest.raises(services.RequestRefused, match="these two seats"):
        group(event, people["arno"], discipline="cryogenics", discipline2="magnets")
    services.submit_request(event, people["alice"], expert=experts["cyril"], topic="Cold box",
                            priority=2, attendees=[people["alice"]])
    with pytest.raises(services.RequestRefused, match="already asked to meet Cyril Cold"):
        group(event, people["alice"], discipline="magnets", expert2=experts["cyril"])


def test_participant_asks_for_two_experts_on_the_form(client, event, people, experts):
    client.force_login(people["alice"])
    url = reverse("meetings:request_new", args=[event.slug])
    page = client.get(url).content.decode()
    assert "Together with a second expert (optional)" in page
    response = client.post(url, {"target": f"expert:{experts['mara'].pk}",
                                 "target2": "discipline:cryogenics", "topic": "Cooling",
                                 "priority": "1", "attendees": [people["alice"].pk]})
    assert response.status_code == 302
    request = MeetingRequest.objects.get()
    assert (request.expert, request.discipline2) == (experts["mara"], "cryogenics")
    edit = client.get(reverse("meetings:request_edit", args=[event.slug, request.pk]))
    assert 'value="discipline:cryogenics" selected' in edit.content.decode()
    # The same expert in both seats: a 400 with the reason, nothing saved.
    bad = client.post(url, {"target": f"expert:{experts['cyril'].pk}",
                            "target2": f"expert:{experts['cyril'].pk}", "topic": "Twice",
                            "priority": "2", "attendees": [people["alice"].pk]})
    assert bad.status_code == 400 and "two different experts" in bad.content.decode()
    assert MeetingRequest.objects.count() == 1


def test_organiser_creates_a_group_request(client, event, people, experts, organiser, orgs):
    login_verified(client, organiser)
    url = reverse("meetings_manage:request_new", args=[event.slug])
    assert client.get(url).status_code == 200
    response = client.post(url, {"organisation": orgs[0].pk, "target": "discipline:magnets",
                                 "target2": f"expert:{experts['cyril'].pk}",
                                 "topic": "Agreed by e-mail", "priority": "1"})
    assert response.status_code == 302
    request = MeetingRequest.objects.get()
    assert request.organisation == orgs[0] and request.expert2 == experts["cyril"]
    assert set(request.attendees.all()) == {people["alice"], people["arno"]}
    page = client.get(reverse("meetings_manage:requests", args=[event.slug])).content.decode()
    assert "two experts" in page


def test_only_organisers_create_requests_for_an_organisation(event, people, experts, orgs):
    with pytest.raises(services.NotAllowed):
        services.create_request_for(event, orgs[0], by=people["alice"], discipline="magnets",
                                    topic="Sneaky")


# Conflicts of interest --------------------------------------------------------------------


def test_refusal_blocks_requests_naming_the_expert(event, people, experts, orgs):
    services.save_refusal(experts["mara"], orgs[0], reason="Former employer",
                          by=experts["mara"].user)
    with pytest.raises(services.RequestRefused) as refused:
        services.submit_request(event, people["alice"], expert=experts["mara"], topic="Quench",
                                priority=1, attendees=[people["alice"]])
    assert "Mara Magnet cannot meet your organisation (a conflict of interest)" in \
        " ".join(refused.value.messages)
    with pytest.raises(services.RequestRefused):
        group(event, people["alice"], discipline="cryogenics", expert2=experts["mara"])
    # A discipline is still fine (the scheduler picks someone else), and another organisation
    # may still name her.
    services.submit_request(event, people["alice"], discipline="magnets", topic="Magnets",
                            priority=1, attendees=[people["alice"]])
    services.submit_request(event, people["bea"], expert=experts["mara"], topic="Quench",
                            priority=1, attendees=[people["bea"]])
    data = instance.build(event)
    mara = next(e for e in data["experts"] if e["id"] == f"E{experts['mara'].pk}")
    assert mara["refuses"] == [f"O{orgs[0].pk}"]


def test_refusal_drops_working_meetings_and_placement_says_h10(event, people, experts, orgs,
                                                               organiser):
    request = services.submit_request(event, people["alice"], discipline="magnets",
                                      topic="Magnets", priority=1,
                                      attendees=[people["alice"]])
    services.place_meeting(event, request, experts["mara"], 0, by=organiser)
    _refusal, dropped = services.save_refusal(experts["mara"], orgs[0], by=experts["mara"].user)
    assert dropped == 1 and not Meeting.objects.exists()
    codes = {code for code, _ in services.check_placement(event, request, experts["mara"], 1)}
    assert codes == {"H10"}
    with pytest.raises(services.Infeasible):
        services.place_meeting(event, request, experts["mara"], 1, by=organiser)


def test_only_the_expert_or_an_organiser_records_a_refusal(event, people, experts, orgs):
    with pytest.raises(services.NotAllowed):
        services.save_refusal(experts["mara"], orgs[0], by=people["bea"])
    assert not ExpertRefusal.objects.exists()


def test_expert_marks_a_conflict_and_organisers_see_only_what_is_shared(
        client, event, people, experts, orgs, organiser):
    client.force_login(experts["mara"].user)
    url = reverse("meetings_expert:conflicts", args=[event.slug])
    assert client.get(url).status_code == 200
    response = client.post(url, {"organisation": orgs[0].pk, "reason": "Family tie"})
    assert response.status_code == 302
    response = client.post(url, {"organisation": orgs[1].pk, "reason": "Tender under way",
                                 "share_reason": "on"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Alpha Fusion (test)" in page and "Family tie" in page
    bad = client.post(url, {"organisation": 999999})
    assert bad.status_code == 400
    client.logout()
    login_verified(client, organiser)
    experts_page = client.get(reverse("meetings_manage:experts", args=[event.slug]))
    body = experts_page.content.decode()
    assert "Alpha Fusion (test)" in body and "Beta Cryo (test)" in body
    assert "Tender under way" in body and "Family tie" not in body
    # The expert takes a conflict back.
    client.logout()
    client.force_login(experts["mara"].user)
    refusal = ExpertRefusal.objects.get(organisation=orgs[0])
    response = client.post(reverse("meetings_expert:conflict_withdraw",
                                   args=[event.slug, refusal.pk]))
    assert response.status_code == 302
    assert list(ExpertRefusal.objects.values_list("organisation", flat=True)) == [orgs[1].pk]


def test_another_expert_cannot_withdraw_a_conflict(client, event, people, experts, orgs,
                                                   make_user):
    services.save_refusal(experts["mara"], orgs[0], by=experts["mara"].user)
    other = make_user("cyril@host.invalid", full_name="Cyril Cold")
    experts["cyril"].user = other
    experts["cyril"].save()
    client.force_login(other)
    refusal = ExpertRefusal.objects.get()
    response = client.post(reverse("meetings_expert:conflict_withdraw",
                                   args=[event.slug, refusal.pk]))
    assert response.status_code == 404 and ExpertRefusal.objects.exists()


# The v2 instance, a run and a publication with a group meeting --------------------------------


@pytest.fixture
def day_v2(event, people, experts, orgs, organiser):
    group(event, people["alice"], expert=experts["mara"], discipline2="cryogenics")
    services.submit_request(event, people["arno"], discipline="vacuum", topic="Leaks",
                            priority=2, attendees=[people["arno"]])
    services.submit_request(event, people["bea"], discipline="cryogenics", topic="Cold box",
                            priority=1, attendees=[people["bea"]])
    services.save_refusal(experts["cyril"], orgs[1], by=organiser)
    return event


def test_instance_is_v2(day_v2, organiser, experts, orgs):
    data = instance.build(day_v2)
    assert data["format"] == "fusion-matchmaking/2"
    assert all("session" in s for s in data["slots"])
    targets = [r["target"] for r in data["requests"]]
    assert {"group": [{"expert": f"E{experts['mara'].pk}"}, {"discipline": "cryogenics"}]} \
        in targets
    cyril = next(e for e in data["experts"] if e["id"] == f"E{experts['cyril'].pk}")
    assert cyril["refuses"] == [f"O{orgs[1].pk}"]


@pytest.mark.skipif(not KIT.is_dir(), reason="the matchmaking v2 kit (../shared) is absent")
def test_instance_and_solution_pass_the_kits_checker(day_v2, organiser, tmp_path):
    from fusionforum import scheduling

    data = instance.build(day_v2)
    solution = scheduling.solve(data, time_limit=5)
    (tmp_path / "i.json").write_text(json.dumps(data))
    (tmp_path / "s.json").write_text(json.dumps(solution))
    done = subprocess.run([sys.executable, str(KIT / "check.py"), str(tmp_path / "i.json"),
                           str(tmp_path / "s.json")], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    groups = [m for m in solution["meetings"] if "experts" in m]
    assert len(groups) == 1 and len(groups[0]["experts"]) == 2
    # The product's own reading of the levels agrees with the optimiser's.
    figures = quality.levels(data, quality.meetings_of(solution["meetings"]))
    assert {k: figures[k] for k in ("C1", "C2", "W", "G")} == solution["objective"]
    # The kit's check.py accepts first come, first served as computed for the run page.
    baseline = scheduling.first_come_first_served(data)
    (tmp_path / "b.json").write_text(json.dumps(baseline))
    done = subprocess.run([sys.executable, str(KIT / "check.py"), str(tmp_path / "i.json"),
                           str(tmp_path / "b.json")], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_run_and_publish_a_group_meeting(day_v2, organiser, experts, people, client, clock,
                                         django_capture_on_commit_callbacks, make_user):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_run(day_v2, by=organiser, time_limit=5)
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.DONE, run.error
    assert run.solution["baseline"]["C1"] >= 1
    meeting = Meeting.objects.get(request__expert=experts["mara"])
    assert meeting.expert == experts["mara"] and meeting.expert2 is not None
    second = meeting.expert2
    # The run page: the objective in words, the four levels, first come, first served.
    login_verified(client, organiser)
    page = client.get(reverse("meetings_manage:run", args=[day_v2.slug, run.pk])).content
    assert b"Every organisation first" in page and b'id="run-levels"' in page
    release = publishing.publish(day_v2, by=organiser, close_requests=True)
    published = next(m for m in release.snapshot["meetings"]
                     if m["request"] == meeting.request_id)
    assert published["experts"] == [experts["mara"].pk, second.pk]
    assert published["expert_name"] == f"Mara Magnet and {second.name}"
    # Both experts' agendas and the participant's show it.
    assert published in agenda.expert_meetings(release.snapshot, experts["mara"])
    assert published in agenda.expert_meetings(release.snapshot, second)
    mine = agenda.participant_meetings(release.snapshot, people["alice"],
                                       people["alice"].registrations.get().organisation_id)
    assert any(m["request"] == meeting.request_id for m in mine)
    client.logout()
    client.force_login(people["alice"])
    home = client.get(reverse("meetings:home", args=[day_v2.slug])).content.decode()
    assert f"Mara Magnet and {second.name}" in home
    # The second expert checks in and writes notes (with a login of their own).
    login = make_user("second@host.invalid", full_name=second.name)
    second.user = login
    second.save()
    client.logout()
    client.force_login(login)
    expert_home = client.get(reverse("meetings_expert:home", args=[day_v2.slug]))
    assert "Together with Mara Magnet" in expert_home.content.decode()
    response = client.post(reverse("meetings_expert:checkin",
                                   args=[day_v2.slug, meeting.request_id]),
                           {"attendance": "held"})
    assert response.status_code == 302
    response = client.post(reverse("meetings_expert:notes",
                                   args=[day_v2.slug, meeting.request_id]),
                           {"notes_topic": "Cooling loop", "category": "technical_advice"})
    assert response.status_code == 302
    # A repair keeps the published group meeting.
    data = instance.build(day_v2)
    kept = services.published_solution(release, data)
    assert {"request": f"R{meeting.request_id}", "slot": meeting.slot,
            "experts": [f"E{experts['mara'].pk}", f"E{second.pk}"]} in kept["meetings"]


def test_hand_placement_of_a_group_meeting(day_v2, organiser, experts, client):
    request = MeetingRequest.objects.get(expert=experts["mara"])
    with pytest.raises(services.Infeasible, match="2 experts together"):
        services.place_meeting(day_v2, request, experts["mara"], 3, by=organiser)
    with pytest.raises(services.Infeasible):  # Vera does not hold magnets' seat's partner
        services.place_meeting(day_v2, request, experts["mara"], 3, by=organiser,
                               expert2=experts["mara"])
    login_verified(client, organiser)
    response = client.post(reverse("meetings_manage:place", args=[day_v2.slug]),
                           {"request": request.pk, "expert": experts["vera"].pk,
                            "expert2": experts["mara"].pk, "slot": 3})
    assert response.status_code == 302, response.content
    meeting = Meeting.objects.get(request=request)
    assert {meeting.expert, meeting.expert2} == {experts["vera"], experts["mara"]}
    # Vera is now busy in slot 3 in either seat.
    other = MeetingRequest.objects.get(discipline="vacuum")
    codes = {code for code, _ in services.check_placement(day_v2, other, experts["vera"], 3)}
    assert "H5" in codes
    grid = client.get(reverse("meetings_manage:schedule", args=[day_v2.slug])).content.decode()
    assert "group: Vera Vacuum and Mara Magnet" in grid


# The review: idle slots and why organisations got fewer meetings ------------------------------


def test_review_shows_idle_slots_and_reasons(day_v2, organiser, experts, people, orgs, client):
    vacuum = MeetingRequest.objects.get(discipline="vacuum")
    bea_request = MeetingRequest.objects.get(organisation=orgs[1])
    services.place_meeting(day_v2, vacuum, experts["vera"], 3, by=organiser)
    services.place_meeting(day_v2, bea_request, experts["vera"], 5, by=organiser)
    review = services.review(day_v2)
    # Vera meets in slots 3 and 5 and is available in 4: one idle slot.
    assert {"name": "Vera Vacuum", "expert": True, "idle": 1} in review["idle_people"]
    assert review["levels"]["G"] == 1 and review["levels"]["G_experts"] == 1
    # Alpha asked for two and got one: its group request could still go with Cyril.
    row = next(r for r in review["shortfalls"] if r["organisation"] == "Alpha Fusion (test)")
    assert (row["asked"], row["got"]) == (2, 1)
    assert row["unmet"][0]["request"] == MeetingRequest.objects.get(expert=experts["mara"])
    assert "a place is free now" in row["unmet"][0]["reason"]
    login_verified(client, organiser)
    page = client.get(reverse("meetings_manage:overview", args=[day_v2.slug])).content.decode()
    assert "Organisations with fewer meetings than they asked for" in page
    assert "Idle slots per person" in page and "Vera Vacuum" in page


def test_reasons_of_the_review(day_v2, experts, orgs, people):
    data = instance.build(day_v2)
    expert_id = f"E{experts['mara'].pk}"
    # Mara refuses Alpha (after the request was made): the group request names her.
    for e in data["experts"]:
        if e["id"] == expert_id:
            e["refuses"] = [f"O{orgs[0].pk}"]
    reasons = {r: code for item in quality.shortfalls(data, [])
               for r, code, _experts in item.unmet}
    group_id = f"R{MeetingRequest.objects.get(expert=experts['mara']).pk}"
    assert reasons[group_id] == quality.REFUSES
    # Arno is on a tour the whole day: busy.
    data["site_visits"] = [{"id": "V1", "name": "Tour", "slots": list(range(6)),
                            "capacity": 5, "participants": [f"P{people['arno'].pk}"]}]
    reasons = {r: code for item in quality.shortfalls(data, [])
               for r, code, _experts in item.unmet}
    vacuum_id = f"R{MeetingRequest.objects.get(discipline='vacuum').pk}"
    assert reasons[vacuum_id] == quality.BUSY
    # Beta's cryogenics request: Cyril refuses Beta, so Vera only; free, then at her maximum.
    bea_id = f"R{MeetingRequest.objects.get(organisation=orgs[1]).pk}"
    assert reasons[bea_id] == quality.FREE_PLACE
    vera = f"E{experts['vera'].pk}"
    busy_vera = [{"request": vacuum_id, "experts": [vera], "slot": 3},
                 {"request": group_id, "experts": [expert_id, vera], "slot": 4}]
    found = {r: (code, named) for item in quality.shortfalls(data, busy_vera)
             for r, code, named in item.unmet}
    assert found[bea_id] == (quality.AT_CAP, [vera])


def test_repair_keeps_a_published_group_meeting(day_v2, organiser, experts, people, clock,
                                                django_capture_on_commit_callbacks):
    """After publication a participant of another meeting leaves: the repair run keeps the
    published group meeting as it was (same experts, same slot)."""
    with django_capture_on_commit_callbacks(execute=True):
        services.start_run(day_v2, by=organiser, time_limit=5)
    publishing.publish(day_v2, by=organiser, close_requests=True)
    group_meeting = Meeting.objects.get(request__expert=experts["mara"])
    before = (group_meeting.slot, group_meeting.expert_id, group_meeting.expert2_id)
    services.participant_leaves(day_v2, people["arno"], by=organiser)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_run(day_v2, by=organiser, kind=ScheduleRun.Kind.REPAIR,
                                 time_limit=5)
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.DONE, run.error
    group_meeting = Meeting.objects.get(request__expert=experts["mara"])
    assert (group_meeting.slot, group_meeting.expert_id, group_meeting.expert2_id) == before
