"""Run in a child process on a real database file (SQLite in WAL mode with IMMEDIATE
transactions, the demo's and small deployments' shape): seeds an event whose tours are
allocated, then releases many threads, each with its own connection, at one run's last seats.
Prints JSON: seats held, capacity, waiting places, errors.

    python -m tests.visits.race_child --people 16 --capacity 3 [--no-lock]

With ``--lower-to N --held H``: H seats are taken first, then an organiser lowers the run's
capacity to N while the people take seats (prints the final capacity and whether the
organiser's change was saved).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import threading
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=16)
    parser.add_argument("--capacity", type=int, default=3)
    parser.add_argument("--no-lock", action="store_true")
    parser.add_argument("--slug", default="race")
    parser.add_argument("--lower-to", type=int, default=None)
    parser.add_argument("--held", type=int, default=0)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from fusionforum.accounts.models import Organisation, User
    from fusionforum.events.models import Event
    from fusionforum.registration.models import Registration
    from fusionforum.visits import services
    from fusionforum.visits.models import Seat, TourRun, TourType, VisitSettings

    now = timezone.now()
    start = (now + dt.timedelta(days=40)).date()
    event = Event.objects.create(slug=args.slug, title="Race workshop (synthetic)",
                                 start_date=start, end_date=start + dt.timedelta(days=2),
                                 venue_name="Test campus", status="published")
    VisitSettings.objects.create(event=event, signup_opens_at=now - dt.timedelta(days=10),
                                 signup_closes_at=now - dt.timedelta(days=2),
                                 allocated_at=now - dt.timedelta(days=1))
    tour = TourType.objects.create(event=event, name="Main tour", description="Race")
    run = TourRun.objects.create(tour=tour, start=now + dt.timedelta(days=41),
                                 meeting_point="Gate", capacity=args.capacity)
    organisation = Organisation.objects.create(name=f"Race Org {args.slug} (fictional)",
                                               kind=Organisation.Kind.SUPPLIER, country="FR")
    people = []
    for n in range(args.people + args.held):
        user = User.objects.create_user(f"racer{n}@{args.slug}.invalid", None,
                                        full_name=f"Racer {n}", organisation=organisation)
        Registration.objects.create(event=event, user=user, organisation=organisation,
                                    status="confirmed", submitted_at=now, seat_pool="general")
        people.append(user)
    for person in people[args.people:]:
        services.take_seat(run, person, by=person)
    people = people[:args.people]
    connection.close()

    racers = len(people) + (1 if args.lower_to is not None else 0)
    if args.no_lock:
        # The negative control: no lock, and nobody writes until every racer has counted (a
        # barrier, not a sleep, so a slow machine cannot close the gap and hide the race).
        services.LOCKING = False
        services._pause = threading.Barrier(racers, timeout=60).wait
    else:
        services._pause = lambda: time.sleep(0.02)
    barrier = threading.Barrier(racers)
    errors: list[str] = []

    def sign_up(person):
        try:
            barrier.wait()
            services.take_seat(run, person, by=person)
        except Exception as exc:  # noqa: BLE001 - reported
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    saved: list[bool] = []

    def lower():
        try:
            edited = TourRun.objects.select_related("tour__event").get(pk=run.pk)
            edited.capacity = args.lower_to
            barrier.wait()
            services.save_run(edited, by=None)
            saved.append(True)
        except services.CapacityBelowHeld:
            saved.append(False)
        except Exception as exc:  # noqa: BLE001 - reported
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(p,)) for p in people]
    if args.lower_to is not None:
        threads.append(threading.Thread(target=lower))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({
        "held": Seat.objects.filter(run=run, status="held").count(),
        "waiting": Seat.objects.filter(run=run, status="waitlisted").count(),
        "capacity": TourRun.objects.get(pk=run.pk).capacity, "errors": errors,
        "saved": saved[0] if saved else None,
    }))


if __name__ == "__main__":
    main()
