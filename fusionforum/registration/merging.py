"""The registration's rules for merging organisations (registered in ``apps.ready`` with
``accounts.merge``): take the seat lock of every event concerned before counting, and refuse
a merge that would give the kept organisation more seats than an event's delegate cap.

Seats stay where they are: a registration keeps its seat and its pool (``seat_pool`` records
where the seat came from, and the pools are counted by it), so a merge changes no pool's
count; only the per-organisation count, which the cap limits, adds up.
"""

from __future__ import annotations

from fusionforum.accounts.models import Organisation

from .capacity import seat_lock
from .models import Registration, RegistrationSettings
from .states import HOLDS_SEAT


def _settings_concerned(duplicate: Organisation, keep: Organisation):
    events = Registration.objects.filter(organisation__in=[duplicate, keep]).values("event_id")
    return (RegistrationSettings.objects.filter(event_id__in=events)
            .select_related("event").order_by("event_id"))


def seat_locks(duplicate: Organisation, keep: Organisation):
    """The seat lock of each event where either organisation is registered (in event order,
    so two merges never wait for each other crosswise)."""
    return [seat_lock(reg_settings.event) for reg_settings in _settings_concerned(duplicate, keep)]


def check_caps(duplicate: Organisation, keep: Organisation) -> list[str]:
    problems = []
    for reg_settings in _settings_concerned(duplicate, keep):
        cap = reg_settings.delegates_per_organisation
        if cap is None:
            continue
        held = Registration.objects.filter(event_id=reg_settings.event_id,
                                           organisation__in=[duplicate, keep],
                                           status__in=HOLDS_SEAT).count()
        if held > cap:
            problems.append(
                f"{reg_settings.event.title}: together they hold {held} seats, more than the "
                f"limit of {cap} per organisation. Cancel or decline {held - cap} of them on "
                f"the registration desk first.")
    return problems


def held_registrations(user):
    """For the profile page (accounts.affiliations): the person's active registrations, each
    with the organisation it keeps."""
    from django.urls import reverse

    from fusionforum.accounts.affiliations import Held

    from .states import ACTIVE

    registrations = (Registration.objects.filter(user=user, status__in=ACTIVE)
                     .select_related("event", "organisation").order_by("event__start_date"))
    return [Held(what=f"Your registration for {r.event.title}", organisation=r.organisation,
                 url=reverse("registration:mine", args=[r.event.slug]),
                 contact_url=reverse("events:contact", args=[r.event.slug]))
            for r in registrations]
