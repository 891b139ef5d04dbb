"""The pure allocation: properties on generated oversubscribed sign-ups, and the optimum
against brute force on tiny instances."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fusionforum.visits.allocation import Person, Run, allocate, conflicting, feasible_wishes

T0 = dt.datetime(2027, 5, 28, 8, 0, tzinfo=dt.UTC)


def hours(n):
    return T0 + dt.timedelta(hours=n)


@st.composite
def instances(draw, max_runs=6, max_people=12, max_capacity=3):
    n_runs = draw(st.integers(1, max_runs))
    runs = []
    for run_id in range(1, n_runs + 1):
        start = draw(st.integers(0, 8))
        runs.append(Run(run_id, draw(st.integers(0, 3)), hours(start),
                        hours(start + draw(st.integers(1, 3))),
                        draw(st.integers(1, max_capacity))))
    n_people = draw(st.integers(1, max_people))
    people = []
    for person_id in range(100, 100 + n_people):
        ranking = draw(st.permutations([r.id for r in runs]))
        ranking = tuple(ranking[:draw(st.integers(0, len(ranking)))])
        busy = ()
        if draw(st.booleans()):
            start = draw(st.integers(0, 9))
            busy = ((hours(start), hours(start + 1)),)
        people.append(Person(person_id, ranking, busy))
    return runs, people


def check_properties(runs, people, result):
    by_id = {r.id: r for r in runs}
    fill = result.fill(runs)
    for run in runs:
        assert fill[run.id] <= run.capacity
    for person in people:
        granted = result.assignment.get(person.id, [])
        feasible = {r for r, _ in feasible_wishes(person, by_id)}
        assert set(granted) <= feasible  # asked for, and not during their own talks
        for a, b in itertools.combinations(granted, 2):
            assert not conflicting(by_id[a], by_id[b])
    # Nobody holds a second tour on a run that someone without any tour could have had.
    for person in people:
        if result.assignment.get(person.id):
            continue
        for run_id in {r for r, _ in feasible_wishes(person, by_id)}:
            assert fill[run_id] == by_id[run_id].capacity
            holders = [p for p, rs in result.assignment.items() if run_id in rs]
            assert all(len(result.assignment[p]) == 1 for p in holders)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_properties_on_generated_sign_ups(instance):
    runs, people = instance
    result = allocate(runs, people)
    assert result.optimal
    check_properties(runs, people, result)


@settings(max_examples=40, deadline=None)
@given(instances(max_runs=4, max_people=12, max_capacity=1))
def test_heavily_oversubscribed(instance):
    runs, people = instance
    check_properties(runs, people, allocate(runs, people))


def brute_force(runs, people):
    """The lexicographic optimum (people served, then satisfaction) by enumeration."""
    by_id = {r.id: r for r in runs}
    max_rank = max((len(p.ranking) for p in people), default=0)
    options = []
    for person in people:
        wishes = feasible_wishes(person, by_id)
        mine = []
        for size in range(len(wishes) + 1):
            for combo in itertools.combinations(wishes, size):
                if all(not conflicting(by_id[a], by_id[b])
                       for (a, _), (b, _) in itertools.combinations(combo, 2)):
                    mine.append(combo)
        options.append(mine)
    best = (0, 0)
    for choice in itertools.product(*options):
        fill: dict[int, int] = {}
        for combo in choice:
            for run_id, _ in combo:
                fill[run_id] = fill.get(run_id, 0) + 1
        if any(fill[r] > by_id[r].capacity for r in fill):
            continue
        score = (sum(1 for combo in choice if combo),
                 sum(max_rank + 1 - rank for combo in choice for _, rank in combo))
        best = max(best, score)
    return best


@settings(max_examples=60, deadline=None)
@given(instances(max_runs=3, max_people=4, max_capacity=2))
def test_optimum_matches_brute_force(instance):
    runs, people = instance
    result = allocate(runs, people)
    assert (result.served, result.satisfaction) == brute_force(runs, people)


def test_one_tour_for_everyone_before_a_second():
    runs = [Run(1, 1, hours(0), hours(1), 1), Run(2, 2, hours(2), hours(3), 1)]
    # Ada ranks both first; Bo only wants run 1: Bo gets it, Ada the other one.
    people = [Person(1, (1, 2)), Person(2, (1,))]
    result = allocate(runs, people)
    assert result.assignment == {1: [2], 2: [1]}
    assert (result.served, result.satisfaction) == (2, 3)


def test_rank_weight_decides_between_equally_fair_outcomes():
    runs = [Run(1, 1, hours(0), hours(1), 1), Run(2, 2, hours(0), hours(1), 1)]
    people = [Person(1, (1, 2)), Person(2, (2, 1))]
    assert allocate(runs, people).assignment == {1: [1], 2: [2]}


def test_overlaps_same_tour_and_own_talk_are_avoided():
    runs = [Run(1, 1, hours(0), hours(2), 5), Run(2, 2, hours(1), hours(3), 5),
            Run(3, 1, hours(4), hours(5), 5), Run(4, 3, hours(6), hours(7), 5)]
    talk = ((hours(6), hours(6) + dt.timedelta(minutes=30)),)
    result = allocate(runs, [Person(1, (1, 2, 3, 4), talk)])
    # 1 overlaps 2 and is the same tour as 3; 4 is during the talk: runs 2 and 3 (weights 3
    # and 2) beat run 1 alone (weight 4).
    assert result.assignment == {1: [2, 3]}
    assert result.blocked == {1: [4]}


def test_deterministic():
    runs = [Run(i, i % 3, hours(i % 4), hours(i % 4 + 1), 2) for i in range(1, 8)]
    people = [Person(p, tuple(((p * k) % 7) + 1 for k in (1, 3, 5)), ()) for p in range(1, 25)]
    first = allocate(runs, people).assignment
    assert all(allocate(runs, people).assignment == first for _ in range(3))


def test_empty_inputs():
    assert allocate([], []).assignment == {}
    assert allocate([Run(1, 1, hours(0), hours(1), 3)], [Person(1, ())]).assignment == {}
    assert allocate([Run(1, 1, hours(0), hours(1), 3)], [Person(1, (99,))]).assignment == {}


def test_a_workshop_sized_instance_is_proven_optimal():
    import random

    rng = random.Random(1)  # noqa: S311
    runs = []
    for run_id in range(1, 13):
        start = hours(rng.randint(0, 30))
        runs.append(Run(run_id, run_id % 5, start, start + dt.timedelta(minutes=90),
                        rng.choice([6, 10, 12, 30])))
    people = [Person(p, tuple(rng.sample(range(1, 13), rng.randint(1, 5))))
              for p in range(1, 400)]
    result = allocate(runs, people, time_limit=20)
    assert result.optimal
    check_properties(runs, people, result)
