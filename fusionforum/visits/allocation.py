"""The fair allocation of tour seats at the close of sign-up: a pure function on plain data.

Lexicographic objective, solved exactly with OR-Tools CP-SAT:

1. the number of people who get at least one tour (everyone gets one before anyone gets a
   second: a person holding two could always give one up to someone with none if that made
   one more person happy), then
2. the total satisfied preference, each granted wish weighted by its rank
   (``weight(rank) = max_rank + 1 - rank``: a first choice is worth most).

Hard constraints: run capacities; nobody gets two runs that overlap in time, nor two runs of
the same tour; nobody gets a run overlapping one of their own busy periods (their released
talks, published meetings: the caller supplies them).

A single search worker with a fixed seed makes the answer deterministic for the same input.
Imports no Django: tests call it with generated instances.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Run:
    id: int
    tour: int
    start: dt.datetime
    end: dt.datetime
    capacity: int


@dataclass(frozen=True)
class Person:
    id: int
    ranking: tuple[int, ...]  # run ids, most wanted first
    busy: tuple[tuple[dt.datetime, dt.datetime], ...] = ()


@dataclass
class Result:
    assignment: dict[int, list[int]]  # person id -> run ids (by rank)
    served: int  # people with at least one run
    satisfaction: int  # sum of weights of granted wishes
    optimal: bool
    blocked: dict[int, list[int]] = field(default_factory=dict)  # person -> runs excluded

    def fill(self, runs: Sequence[Run]) -> dict[int, int]:
        taken = {run.id: 0 for run in runs}
        for run_ids in self.assignment.values():
            for run_id in run_ids:
                taken[run_id] += 1
        return taken

    def unassigned(self, people: Sequence[Person]) -> list[int]:
        return [p.id for p in people if p.ranking and not self.assignment.get(p.id)]


def overlaps(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


def weight(rank: int, max_rank: int) -> int:
    return max_rank + 1 - rank


def feasible_wishes(person: Person, runs: dict[int, Run]) -> list[tuple[int, int]]:
    """(run id, rank) of the person's wishes that exist and do not clash with their busy
    periods; duplicates keep their best rank."""
    wishes, seen = [], set()
    for rank, run_id in enumerate(person.ranking, start=1):
        run = runs.get(run_id)
        if run is None or run_id in seen or run.capacity <= 0:
            continue
        seen.add(run_id)
        if any(overlaps(run.start, run.end, s, e) for s, e in person.busy):
            continue
        wishes.append((run_id, rank))
    return wishes


def conflicting(a: Run, b: Run) -> bool:
    return a.tour == b.tour or overlaps(a.start, a.end, b.start, b.end)


def allocate(runs: Sequence[Run], people: Sequence[Person], *,
             time_limit: float = 30.0) -> Result:
    by_id = {run.id: run for run in runs}
    max_rank = max((len(p.ranking) for p in people), default=0)
    # Imported here: OR-Tools (with pandas) takes a second or more to import, and every
    # process that loads the app (app servers, manage.py) would pay it for nothing.
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    chosen: dict[tuple[int, int], cp_model.IntVar] = {}
    weights: dict[tuple[int, int], int] = {}
    served_vars = []
    blocked: dict[int, list[int]] = {}
    for person in sorted(people, key=lambda p: p.id):
        wishes = feasible_wishes(person, by_id)
        excluded = [r for r in dict.fromkeys(person.ranking)
                    if r in by_id and r not in {w for w, _ in wishes}]
        if excluded:
            blocked[person.id] = excluded
        if not wishes:
            continue
        mine = []
        for run_id, rank in wishes:
            var = model.NewBoolVar(f"x_{person.id}_{run_id}")
            chosen[person.id, run_id] = var
            weights[person.id, run_id] = weight(rank, max_rank)
            mine.append((run_id, var))
        for i, (a, var_a) in enumerate(mine):
            for b, var_b in mine[i + 1:]:
                if conflicting(by_id[a], by_id[b]):
                    model.AddBoolOr([var_a.Not(), var_b.Not()])
        served = model.NewBoolVar(f"served_{person.id}")
        model.Add(served <= sum(var for _, var in mine))
        served_vars.append(served)
    for run in runs:
        on_run = [var for (_, run_id), var in chosen.items() if run_id == run.id]
        if len(on_run) > run.capacity:
            model.Add(sum(on_run) <= run.capacity)
    total_weight = sum(weights.values())
    big = total_weight + 1
    model.Maximize(big * sum(served_vars) + sum(weights[k] * v for k, v in chosen.items()))
    solver = cp_model.CpSolver()
    solver.parameters.num_search_workers = 1
    solver.parameters.random_seed = 0
    # The LP relaxation at full strength proves these assignment models optimal at once.
    solver.parameters.linearization_level = 2
    solver.parameters.max_time_in_seconds = time_limit
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # pragma: no cover - always sat
        return Result({}, 0, 0, False, blocked)
    assignment: dict[int, list[int]] = {}
    satisfaction = 0
    for (person_id, run_id), var in chosen.items():
        if solver.Value(var):
            assignment.setdefault(person_id, []).append(run_id)
            satisfaction += weights[person_id, run_id]
    rank_of = {p.id: {r: i for i, r in enumerate(p.ranking)} for p in people}
    for person_id, run_ids in assignment.items():
        run_ids.sort(key=lambda r: rank_of[person_id][r])
    return Result(assignment=assignment, served=len(assignment), satisfaction=satisfaction,
                  optimal=status == cp_model.OPTIMAL, blocked=blocked)
