"""Open-doors day scheduler: expert meetings for the fusion workshop (issue 5, core).

Pure Python on OR-Tools; no Django import, so the `meetings` app (or anything else) builds an
instance dict from its database and calls the API below. Formats, constraints H1-H9 and the
lexicographic objective (organisations covered C, then total weight W) are those of
`fusion-matchmaking/1` / `fusion-matchmaking-solution/1` (bench/matchmaking/PROBLEM.md).

Python API::

    from fusionforum.scheduling import solve, repair, check, changes, InstanceError
    sol = solve(instance, time_limit=10, seed=0, threads=2, progress=callback)
    sol["meetings"]       # [{"request", "expert", "slot"}, ...]
    sol["meta"]           # status ("optimal" = proven), objective, bound, gap, phases, time_s
    new = repair(changes.expert_cancels(instance, "E017"), sol, time_limit=5)
    new["meta"]["changes"]   # published meetings moved or cancelled, with the reason
    check(instance, sol)  # [] when H0-H9 all hold, else [(code, message), ...]

Command line::

    python -m fusionforum.scheduling solve INSTANCE.json -o SOLUTION.json --time-limit SECONDS
        [--seed N] [--threads N] [--quiet]
    python -m fusionforum.scheduling repair INSTANCE.json --published PUBLISHED.json
        -o SOLUTION.json --time-limit SECONDS [--seed N] [--threads N] [--quiet]
        [--cancel-expert EXPERT] [--expert-unavailable EXPERT:SLOT[,SLOT...]]
        [--participant-leaves PARTICIPANT] [--slot-lost SLOT] [--rooms-lost SLOT:COUNT]
    python -m fusionforum.scheduling check INSTANCE.json SOLUTION.json

`solve` prints its progress (best C/W, bound, gap) on stderr and writes the solution with
objective, bound and proof status in `meta`. `repair` reads the instance and the schedule
published for it; the change options (each may be repeated) are applied to the instance
first, or INSTANCE.json is already the changed instance. It keeps every published meeting it
can (fewest changed meetings first), then maximises C and W; `meta.changes` lists the
published meetings moved or cancelled. Exit status: 0 with a feasible schedule written, 1 when
`check` finds violations, 2 on a malformed instance or bad arguments (message on stderr).

Determinism: the same instance, seed and thread count give the same schedule, unless a phase
is cut short by the time limit (the flow and the rounding are deterministic; the CP-SAT slot
assignment runs one local-search worker; larger CP-SAT models use interleaved search).
"""

from . import changes
from .api import repair, solve
from .baseline import first_come_first_served
from .checker import check
from .model import InstanceError

__all__ = ["InstanceError", "changes", "check", "first_come_first_served", "repair", "solve"]
