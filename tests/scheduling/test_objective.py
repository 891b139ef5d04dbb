"""The objective against brute force on tiny random instances: the solver's schedule is
feasible, proven optimal, and its (C, W) is the enumerated optimum; the bound never cuts it."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fusionforum.scheduling import check, solve

from .helpers import brute_force, meetings_of, objective, random_instance


@st.composite
def tiny_instances(draw):
    def draw_int(lo, hi):
        return draw(st.integers(lo, hi))

    return random_instance(draw_int, n_slots=draw_int(1, 3), n_experts=draw_int(1, 3),
                           n_orgs=draw_int(1, 3), n_requests=draw_int(1, 5),
                           rooms_on=draw(st.booleans()))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_instances())
def test_optimum_matches_brute_force(inst):
    sol = solve(inst, time_limit=5, threads=1)
    assert check(inst, sol) == []
    best = brute_force(inst)
    assert objective(inst, meetings_of(sol)) == best
    meta = sol["meta"]
    assert meta["status"] == "optimal"
    bound = (meta["bound"]["covered_orgs"], meta["bound"]["weight"])
    assert bound == best
