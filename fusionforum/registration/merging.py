"""The registration's rules for merging organisations (registered in ``apps.ready`` with
``accounts.merge``): take the seat lock of every event concerned before counting, refuse a
merge that would give the kept organisation more seats than an event's delegate cap, and
re-seat the seat holders of every event concerned.

A seat's pool follows its holder's organisation kind (``capacity.assign_pools``: a person of
a reserved kind sits in its reserved seats while there are some, else in the general pool).
The duplicate's people take the kind of the organisation kept, so after the rows moved every
event concerned is re-seated with the registration's own rule (``services.reseat``), in the
same transaction and under the same seat locks: e.g. people of a public laboratory merged into
a company leave the public-lab seats for the general pool, and a person of a reserved kind who
sat in the general pool may take a reserved seat the merge freed. The preview says which seats
move; when the people no longer all fit (the general pool is too small), the merge is refused
with the event and the pool named, and nothing is written.
"""

from __future__ import annotations

from collections import Counter

from django.utils.translation import gettext as _

from fusionforum.accounts.affiliations import Held
from fusionforum.accounts.merge import MergeRefused
from fusionforum.accounts.models import Organisation

from .capacity import GENERAL, assign_pools, seat_holders, seat_lock
from .models import Registration, RegistrationSettings
from .services import RegistrationError, pool_sizes, reseat
from .states import ACTIVE, HOLDS_SEAT


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


def _pool_name(pool: str) -> str:
    if pool == GENERAL:
        return "the general pool"
    label = Organisation.Kind(pool).label if pool in Organisation.Kind.values else pool
    return f"the seats reserved for “{label}”"


def _seats(n: int) -> str:
    return f"{n} seat{'s' if n != 1 else ''}"


def _reseating(reg_settings, duplicate: Organisation, keep: Organisation):
    """(changes, problem) of re-seating one event once the duplicate's people belong to
    ``keep``: computed from the holders as they are, nothing written."""
    event = reg_settings.event
    moving = set(Registration.objects.filter(event_id=reg_settings.event_id,
                                             organisation=duplicate, status__in=HOLDS_SEAT)
                 .values_list("pk", flat=True))
    holders = [(pk, keep.kind if pk in moving else kind, pool)
               for pk, kind, pool in seat_holders(event)]
    sizes = pool_sizes(reg_settings)
    pools = assign_pools(sizes, holders)
    if pools is None:
        in_reserved = sum(min(size, sum(1 for h in holders if h[1] == kind))
                          for kind, size in sizes.items() if kind != GENERAL)
        needed, general = len(holders) - in_reserved, sizes[GENERAL]
        leaving = sum(1 for pk, _kind, pool in holders if pk in moving and pool != GENERAL)
        why = (f"the {_seats(leaving)} of “{duplicate}” in reserved seats move to the general "
               f"pool, as “{keep}” is “{keep.get_kind_display()}”, and "
               if leaving else "")
        return [], (
            f"{event.title}: {why}{needed} {'person' if needed == 1 else 'people'} would then "
            f"need a seat of the general pool, "
            f"which has only {general}. Free {needed - general} seat"
            f"{'s' if needed - general != 1 else ''} of the general pool first (cancel or "
            f"decline registrations on the registration desk, or add seats), then merge.")
    names = dict(Registration.objects.filter(
        pk__in=[pk for pk, _kind, pool in holders if pools[pk] != pool])
        .values_list("pk", "organisation__name"))
    # The duplicate's people first, then anyone else a freed reserved seat lets move.
    moves = Counter((pk not in moving, names[pk], pool, pools[pk])
                    for pk, _kind, pool in holders if pools[pk] != pool)
    changes = [f"{event.title}: {_seats(n)} of “{name}” move{'s' if n == 1 else ''} from "
               f"{_pool_name(old)} to {_pool_name(new)}."
               for (_other, name, old, new), n in sorted(moves.items())]
    return changes, None


def describe_reseating(duplicate: Organisation, keep: Organisation):
    """For the preview (accounts.merge.register_effect): which seats change pool in each event
    concerned, or why the merge must be refused."""
    changes, problems = [], []
    for reg_settings in _settings_concerned(duplicate, keep):
        event_changes, problem = _reseating(reg_settings, duplicate, keep)
        changes.extend(event_changes)
        if problem:
            problems.append(problem)
    return changes, problems


def reseat_after_merge(duplicate: Organisation, keep: Organisation) -> dict:
    """After the rows moved (everything of the duplicate is the kept organisation's now),
    under the seat locks taken before: re-seat every event concerned with the registration's
    rule. The preview refused what cannot fit; should it not fit after all, MergeRefused rolls
    the whole merge back."""
    reseated = {}
    for reg_settings in _settings_concerned(keep, keep):
        try:
            moved = reseat(reg_settings)
        except RegistrationError as exc:
            raise MergeRefused(f"{reg_settings.event.title}: {exc}") from exc
        if moved:
            reseated[reg_settings.event.slug] = moved
    return {"reseated": reseated}


def held_registrations(user):
    """For the profile page (accounts.affiliations): the person's active registrations, each
    with the organisation it keeps."""
    from django.urls import reverse

    registrations = (Registration.objects.filter(user=user, status__in=ACTIVE)
                     .select_related("event", "organisation").order_by("event__start_date"))
    return [Held(what=_("Your registration for %(event)s") % {"event": r.event.title},
                 organisation=r.organisation, url=reverse("registration:mine", args=[r.event.slug]),
                 contact_url=reverse("events:contact", args=[r.event.slug]))
            for r in registrations]
