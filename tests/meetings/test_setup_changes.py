"""A change of the meetings day (slots, tables) or of an expert re-checks the working schedule
under the settings row's lock, as ``lose_slot`` does: meetings that no longer fit are dropped
in the same transaction, and the organiser is told which ones, and which moved in time."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fusionforum.core.models import AuditEntry
from fusionforum.meetings import busy, publishing, services
from fusionforum.meetings.models import Expert, Meeting, MeetingSettings

from .conftest import login_verified

pytestmark = pytest.mark.django_db


def ask(event, user, **kw):
    values = {"topic": "HTS cable testing", "priority": 1, "attendees": [user]}
    values.update(kw)
    return services.submit_request(event, user, **values)


def fresh_settings(event) -> MeetingSettings:
    """The settings as the organisers' page reads them, before the organiser's change."""
    return MeetingSettings.objects.select_related("event").get(event=event)


@pytest.fixture
def placed(event, people, experts, organiser):
    """Alpha meets Mara at 11:00 (slot 4) and Cyril at 09:00 (slot 0); Beta meets Mara at
    09:30 (slot 1). Alpha's request to Cyril is its second choice (priority 2)."""
    mara = ask(event, people["alice"], expert=experts["mara"])
    cyril = ask(event, people["arno"], expert=experts["cyril"], priority=2,
                attendees=[people["arno"]])
    beta = ask(event, people["bea"], expert=experts["mara"])
    services.place_meeting(event, mara, experts["mara"], 4, by=organiser)
    services.place_meeting(event, cyril, experts["cyril"], 0, by=organiser)
    services.place_meeting(event, beta, experts["mara"], 1, by=organiser)
    return {"alpha_mara": mara, "alpha_cyril": cyril, "beta_mara": beta}


def slots_of(event) -> dict[int, int]:
    return dict(Meeting.objects.filter(event=event).values_list("request_id", "slot"))


def test_a_shorter_day_drops_the_meetings_of_the_slots_that_are_gone(event, placed,
                                                                     organiser):
    changed = fresh_settings(event)
    changed.end_time = dt.time(11, 0)  # slots 0-3 remain
    refit = services.save_settings(changed, by=organiser)
    assert slots_of(event) == {placed["alpha_cyril"].pk: 0, placed["beta_mara"].pk: 1}
    assert refit.dropped == ("Alpha Fusion (test) with Mara Magnet at 11:00–11:30: the slot "
                             "no longer exists.",)
    assert refit.moved == ()
    entry = AuditEntry.objects.filter(action="meetings.settings_changed").latest("pk")
    assert entry.data["dropped"] == list(refit.dropped)


def test_fewer_tables_drop_the_least_important_request_of_the_slot(event, placed, organiser):
    services.place_meeting(event, placed["alpha_cyril"], placed["alpha_cyril"].expert, 1,
                           by=organiser)  # Cyril meets Alpha at 09:30, beside Beta and Mara
    changed = fresh_settings(event)
    changed.tables = 1
    refit = services.save_settings(changed, by=organiser)
    # Beta's first choice stays; Alpha's second choice goes.
    assert slots_of(event) == {placed["alpha_mara"].pk: 4, placed["beta_mara"].pk: 1}
    assert refit.dropped == ("Alpha Fusion (test) with Cyril Cold at 09:30–10:00: the 1 "
                             "table of the slot is taken.",)


def test_longer_slots_move_meetings_in_time(event, placed, organiser):
    changed = fresh_settings(event)
    changed.slot_minutes = 40  # 09:00, 09:40, 10:20, 11:00 (slots 0-3); slot 4 is gone
    refit = services.save_settings(changed, by=organiser)
    assert slots_of(event) == {placed["alpha_cyril"].pk: 0, placed["beta_mara"].pk: 1}
    assert refit.moved == (
        "Beta Cryo (test) with Mara Magnet at 09:30–10:00 is now at 09:40–10:20.",
        "Alpha Fusion (test) with Cyril Cold at 09:00–09:30 is now at 09:00–09:40.")
    assert len(refit.dropped) == 1


def test_a_busy_attendee_at_the_new_time_loses_the_meeting(event, people, placed, organiser):
    arno = people["arno"]

    def tour(event_, day):
        return [busy.Busy(key="visit-1", label="Cryoplant tour", user_ids=[arno.pk],
                          slots=day.overlapping(day.slots[0].start, day.slots[0].end),
                          site_visit=True, capacity=10)]

    changed = fresh_settings(event)
    changed.start_time = dt.time(8, 30)  # slot 0 is now 08:30-09:00, when Arno is on tour
    busy.register(tour)
    try:
        refit = services.save_settings(changed, by=organiser)
    finally:
        busy.unregister(tour)
    assert placed["alpha_cyril"].pk not in slots_of(event)
    assert refit.dropped == ("Alpha Fusion (test) with Cyril Cold at 09:00–09:30: Arno Alpha "
                             "is busy at 08:30–09:00 (Cryoplant tour).",)
    assert len(refit.moved) == 2  # the two others kept their slots, half an hour earlier


def test_a_slot_withdrawn_meanwhile_stays_withdrawn(event, placed, organiser):
    stale = fresh_settings(event)  # the organiser opened the settings page...
    services.lose_slot(event, 2, by=organiser)  # ...while a colleague withdrew a slot
    stale.tables = 5
    services.save_settings(stale, by=organiser)
    assert fresh_settings(event).lost_slots == [2]


def test_reopening_requests_after_publication_is_refused_under_the_lock(
        event, placed, organiser, clock):
    changed = fresh_settings(event)  # read before the publication
    clock.set(dt.datetime(2027, 5, 26, 9, tzinfo=changed.event.tz))
    publishing.publish(event, by=organiser)
    changed.requests_close_at = dt.datetime(2027, 5, 27, 18, tzinfo=changed.event.tz)
    with pytest.raises(ValidationError, match="requests stay closed"):
        services.save_settings(changed, by=organiser)
    assert fresh_settings(event).requests_close_at < changed.requests_close_at


def test_an_expert_no_longer_available_loses_those_meetings(event, placed, experts, organiser):
    mara = Expert.objects.get(pk=experts["mara"].pk)
    mara.available_slots = [0, 1, 2, 3]
    refit = services.save_expert(mara, by=organiser)
    assert placed["alpha_mara"].pk not in slots_of(event)
    assert refit.dropped == ("Alpha Fusion (test) with Mara Magnet at 11:00–11:30: Mara Magnet "
                             "is no longer available then.",)
    mara.available_slots = []
    mara.max_meetings = 0
    refit = services.save_expert(mara, by=organiser)
    assert placed["beta_mara"].pk not in slots_of(event)
    assert refit.dropped == ("Beta Cryo (test) with Mara Magnet at 09:30–10:00: beyond Mara "
                             "Magnet's daily maximum of 0.",)


def test_the_settings_page_tells_the_organiser_what_was_dropped(client, event, placed,
                                                                organiser):
    login_verified(client, organiser)
    url = reverse("meetings_manage:settings", args=[event.slug])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["end_time"] = "11:00"
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 meeting no longer fit and was dropped from the working schedule" in page
    assert "the slot no longer exists" in page and "Run a repair, then publish." in page
    assert placed["alpha_mara"].pk not in slots_of(event)


def test_a_placement_reads_the_expert_and_request_under_the_lock(event, people, experts,
                                                                 organiser):
    request = ask(event, people["alice"], expert=experts["mara"])
    stale = Expert.objects.get(pk=experts["mara"].pk)  # the placement page read it...
    services.cancel_expert(experts["mara"], by=organiser)  # ...then Mara cancelled
    with pytest.raises(services.Infeasible, match="has cancelled"):
        services.place_meeting(event, request, stale, 0, by=organiser)
    assert not Meeting.objects.exists()
