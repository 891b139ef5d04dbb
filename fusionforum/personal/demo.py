"""Demo data of "My workshop". The app stores nothing but calendar addresses; its page reads
the other apps' demo data. The loader picks the demo person whose page shows every kind of
item the README promises (a talk they give, a meeting, a site visit, a deadline and a clash),
preferring ``DEMO_SCHEDULE_PERSON``, and makes sure their page has a clash by starring, through
the programme's agenda, a released talk that overlaps one of their own items."""

from __future__ import annotations

from fusionforum.accounts.models import User
from fusionforum.programme import agenda as programme_agenda
from fusionforum.programme import public as programme_public
from fusionforum.vault import registry as vault_registry

from . import services
from .schedule import DEADLINE, MEETING, TALK, TOUR

# A demo speaker with a talk, meetings, a tour seat and site-access data still missing.
DEMO_SCHEDULE_PERSON = "ines.mockford@demo-speakers.fusionforum.invalid"
WANTED = {TALK, MEETING, TOUR, DEADLINE}


def _candidates(event):
    holders = vault_registry.seat_holders(event)
    people = sorted((h.user for h in holders.values()),
                    key=lambda u: (u.email != DEMO_SCHEDULE_PERSON, u.email))
    return people


def _add_clash(event, person, schedule) -> bool:
    programme = programme_public.latest(event)
    if programme is None:
        return False
    own = {i.key for i in schedule.items}
    for item in schedule.items:
        if not item.takes_time or item.kind not in (TALK, MEETING, TOUR):
            continue
        for talk in programme.talks:
            if f"talk-{talk.code}" not in own and talk.start < item.end and item.start < talk.end:
                programme_agenda.star(person, event, talk.code)
                return True
    return False


def load(event) -> str:
    if not (event.uses_programme and event.uses_meetings and event.uses_visits):
        return "My workshop: the demo person's page needs the programme, meetings and visits"
    for person in _candidates(event):
        schedule = services.schedule(event, person)
        if not {i.kind for i in schedule.items} >= WANTED:
            continue
        if not schedule.clash_count and _add_clash(event, person, schedule):
            schedule = services.schedule(event, person)
        if schedule.clash_count:
            services.feed_for(event, person)
            return (f"My workshop: {person.email} has a talk, meetings, a site visit, a "
                    f"deadline and {schedule.clash_count} items that clash; see "
                    f"/{event.slug}/mine/")
    return "My workshop: no demo person has every kind of item"


def demo_person(event) -> User | None:
    """Who the demo's "My workshop" is shown for (tests, README)."""
    return User.objects.filter(email=DEMO_SCHEDULE_PERSON).first()
