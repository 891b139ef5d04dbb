"""Open-doors day scheduler: expert meetings for the fusion workshop (issues 5 and 18).

Pure Python on OR-Tools; no Django import, so the `meetings` app (or anything else) builds an
instance dict from its database and calls the API below. Two formats (see the benchmark kits'
PROBLEM.md):

- `fusion-matchmaking/1`: one expert or one discipline per request, constraints H1-H9,
  lexicographic objective C (organisations covered), then W (total weight); solutions
  `fusion-matchmaking-solution/1`.
- `fusion-matchmaking/2`, a superset: group requests (`{"group": [seat, seat]}`, two experts
  met together in one slot), experts' refusals (`refuses`: organisations they will not meet,
  H10), session blocks (`slots[].session`); objective C1 (organisations with a meeting), then
  C2 (organisations with two), then W, then minimise G (idle slots between a person's meetings
  inside a block, participants and experts). Solutions `fusion-matchmaking-solution/2`; a group
  meeting is `{"request", "experts": [e1, e2], "slot"}`.

Python API::

    from fusionforum.scheduling import (solve, repair, check, changes, InstanceError,
                                        first_come_first_served)
    sol = solve(instance, time_limit=10, seed=0, threads=2, progress=callback)
    sol["meetings"]       # [{"request", "expert", "slot"} | {"request", "experts", "slot"}]
    sol["meta"]           # status ("optimal" = proven), objective, bound, gap, phases, time_s;
                          # v2 also "levels": [{level, value, bound, gap, proven}] for C1..G
    sol["meta"]["objective"]  # covered_orgs (C1), covered_orgs_twice (C2), weight (W),
                              # idle_slots (G, also split by participants / experts), scalar
    new = repair(changes.expert_cancels(instance, "E017"), sol, time_limit=5)
    new = repair(changes.expert_refuses(instance, "E017", "O0042"), sol, time_limit=5)
    new["meta"]["changes"]   # published meetings moved or cancelled, with the reason
    check(instance, sol)  # [] when H0-H10 all hold, else [(code, message), ...]
    first_come_first_served(instance)  # the self-service booking baseline, same meta.objective

`progress` is called with a dict: phase, elapsed_s, best and bound ([C, W] for v1,
[C1, C2, W, G] for v2), gap, and for v2 `level` (the first level not yet proven: the one
being optimised) and a per-level gap (None below an open level: its bound would not hold).

Command line::

    python -m fusionforum.scheduling solve INSTANCE.json -o SOLUTION.json --time-limit SECONDS
        [--seed N] [--threads N] [--quiet]
    python -m fusionforum.scheduling repair INSTANCE.json --published PUBLISHED.json
        -o SOLUTION.json --time-limit SECONDS [--seed N] [--threads N] [--quiet]
        [--cancel-expert EXPERT] [--expert-unavailable EXPERT:SLOT[,SLOT...]]
        [--participant-leaves PARTICIPANT] [--slot-lost SLOT] [--rooms-lost SLOT:COUNT]
        [--expert-refuses EXPERT:ORG]
    python -m fusionforum.scheduling check INSTANCE.json SOLUTION.json

`solve` prints its progress on stderr and writes the solution with objective, bound and proof
status in `meta`. `repair` reads the instance and the schedule published for it; the change
options (each may be repeated) are applied to the instance first, or INSTANCE.json is already
the changed instance. It keeps every published meeting it can (fewest changed meetings first),
then maximises C (v1) or C1, C2, W (v2) with those meetings fixed, then (v2) compacts the new
meetings' agendas without moving a kept one; `meta.changes` lists the published meetings moved
or cancelled. Exit status: 0 with a feasible schedule written, 1 when `check` finds violations,
2 on a malformed instance or bad arguments (message on stderr).

How (details in `solver.py`, `solver2.py` and `lp.py`): a min-cost-flow relaxation bounds
the levels (v2: a concave bonus on the organisation arcs, first meeting A, second M, so one
flow orders C1, C2, W; a group request enters through one seat, which keeps the flow an upper
bound); v2 then solves the linear relaxation that ties each group's other seat to its request
(HiGHS): a tight bound whose integral vertex, placed in slots by CP-SAT, is optimal. Rounding,
branch and bound with CP-SAT slot assignment, exact 1:1 solves around fixed group meetings and
a local search over group requests find schedules when that fails; a last local search on
slots and discipline experts removes idle slots (G = 0 is optimal by itself). A level whose
bound is not reached is reported with its gap.

Determinism: the same instance, seed and thread count give the same schedule, unless a phase
is cut short by the time limit (the flow, the rounding and the local searches are
deterministic; the CP-SAT slot assignment runs one local-search worker, stopped on
deterministic time; larger CP-SAT models use interleaved search; v2's linear relaxation and
its MIP have no HiGHS time limit, which made HiGHS return one of several optimal vertices,
and the MIP a node limit).
"""

from . import changes
from .api import repair, solve
from .baseline import first_come_first_served
from .checker import check
from .model import InstanceError

__all__ = ["InstanceError", "changes", "check", "first_come_first_served", "repair", "solve"]
