import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from fusionforum.events.models import Day, Event, StreamLink, StreamState
from tests.conftest import paris


def test_event_defaults_to_paris_time_and_validates_zone(event):
    assert event.time_zone == "Europe/Paris"
    event.time_zone = "Mars/Olympus_Mons"
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "time_zone" in error.value.message_dict


def test_event_cannot_end_before_it_starts(make_event):
    with pytest.raises(ValidationError) as error:
        make_event(start_date=dt.date(2027, 5, 28), end_date=dt.date(2027, 5, 26))
    assert "end_date" in error.value.message_dict


def test_database_also_refuses_reversed_dates(event):
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(end_date=dt.date(2000, 1, 1))


def test_coordinates_come_in_pairs(make_event):
    with pytest.raises(ValidationError):
        make_event(latitude="43.7", longitude=None)


def test_contact_emails_are_validated(make_event):
    with pytest.raises(ValidationError) as error:
        make_event(contact_emails="organisers@test.invalid, not-an-address")
    assert "not-an-address" in str(error.value)


def test_contact_recipients_parse_lists(event):
    assert event.contact_recipients == ["organisers@test.invalid", "second@test.invalid"]


def test_map_link_falls_back_to_coordinates(event):
    assert event.map_url == ""
    assert event.venue_map_url.startswith("https://www.openstreetmap.org/?mlat=43.708000")
    event.map_url = "https://maps.test.invalid/venue"
    assert event.venue_map_url == "https://maps.test.invalid/venue"


def test_day_must_fall_within_event(event):
    day = Day(event=event, date=dt.date(2027, 6, 1), label="Too late")
    with pytest.raises(ValidationError) as error:
        day.full_clean()
    assert "date" in error.value.message_dict


def test_one_day_per_date(event):
    with pytest.raises(IntegrityError), transaction.atomic():
        Day.objects.create(event=event, date=event.start_date, label="Duplicate")


def test_stream_states_follow_the_window(event, make_stream):
    stream = make_stream(event)
    assert stream.state_at(paris(2027, 5, 26, 8, 59)) is StreamState.UPCOMING
    assert stream.public_url_at(paris(2027, 5, 26, 8, 59)) == ""
    assert stream.state_at(paris(2027, 5, 26, 9, 0)) is StreamState.LIVE
    assert stream.public_url_at(paris(2027, 5, 26, 9, 0)) == stream.url
    assert stream.state_at(paris(2027, 5, 26, 18, 0)) is StreamState.ENDED
    assert stream.public_url_at(paris(2027, 5, 26, 18, 0)) == stream.replay_url


def test_stream_without_end_stays_live(event, make_stream):
    stream = make_stream(event, visible_until=None)
    assert stream.state_at(paris(2030, 1, 1)) is StreamState.LIVE


def test_ended_stream_without_replay_shows_nothing(event, make_stream):
    stream = make_stream(event, replay_url="")
    assert stream.public_url_at(paris(2027, 5, 27)) == ""


def test_stream_window_must_be_positive(event, make_stream):
    with pytest.raises(ValidationError) as error:
        make_stream(event, visible_until=paris(2027, 5, 26, 8, 0))
    assert "visible_until" in error.value.message_dict
    stream = make_stream(event)
    with pytest.raises(IntegrityError), transaction.atomic():
        StreamLink.objects.filter(pk=stream.pk).update(visible_until=stream.visible_from)


def test_stream_day_must_belong_to_the_event(event, make_event, make_stream):
    other = make_event(slug="other", title="Other")
    with pytest.raises(ValidationError) as error:
        make_stream(event, day=other.days.first())
    assert "day" in error.value.message_dict


def test_stream_urls_must_be_web_addresses(event, make_stream):
    with pytest.raises(ValidationError):
        make_stream(event, url="ftp://video.test.invalid/x")


def test_next_change_after(event, make_stream):
    stream = make_stream(event)
    assert stream.next_change_after(paris(2027, 5, 25)) == stream.visible_from
    assert stream.next_change_after(paris(2027, 5, 26, 10)) == stream.visible_until
    assert stream.next_change_after(paris(2027, 5, 27)) is None
