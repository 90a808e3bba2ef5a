"""PyVRP behind our model: the problem as its ProblemData, a plan of ours as its
starting solution, its solution back as our plan.

Things PyVRP has no word for are handled here and in ``rules``:

- **Skills.** A job needing skills a shift lacks is made unreachable for it: one
  routing profile per distinct skill set, where travel to such a job costs
  ``FORBIDDEN``.
- **Lunch.** PyVRP has no breaks. A shift's working time is shortened by its break,
  and the break is placed afterwards (``rules.timeline``).
- **Optional jobs.** Every job carries a prize, so the solver leaves out what does
  not fit instead of failing.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np

from .model import NO_ROOM, Plan, Problem, Route
from .rules import reason, schedule

FORBIDDEN = 10**9  # travel cost into a job a shift may not take (seconds or metres)
PRIZE = 10**7  # what placing a job is worth, in metres of driving (10,000 km)
PRIZE_BOOKED = 10**9  # a job whose time the customer already holds
_NO_LIMIT = 2**40


def run(problem: Problem, initial: Plan, stop: Callable[[int], bool], seed: int) -> Plan:
    """Search from ``initial`` until ``stop`` says so; the best plan found, timed."""
    import pyvrp

    data, _sets = problem_data(pyvrp, problem)
    with warnings.catch_warnings():
        # prizes dwarf distances on purpose; PyVRP warns of the scale difference
        warnings.simplefilter("ignore", category=pyvrp.exceptions.PenaltyBoundWarning)
        result = pyvrp.solve(data, stop=stop, seed=seed, collect_stats=False,
                             display=False,
                             initial_solution=solution_of(pyvrp, data, problem, initial))
    return plan_of(problem, result.best)


class Stop:
    """PyVRP's stopping criterion: time limit, progress reports, cancellation."""

    def __init__(self, limit: float, progress: Callable[[float], None] | None,
                 should_stop: Callable[[], bool] | None) -> None:
        self.limit, self.progress, self.should_stop = limit, progress, should_stop
        self.started: float | None = None
        self.last_report = 0.0

    def __call__(self, best_cost: int) -> bool:
        now = time.perf_counter()
        if self.started is None:
            self.started = now
        spent = now - self.started
        if self.progress and now - self.last_report >= 0.5:
            self.last_report = now
            self.progress(min(spent / self.limit, 1.0) if self.limit else 1.0)
        if self.should_stop and self.should_stop():
            return True
        return spent > self.limit


def skill_sets(problem: Problem) -> list[frozenset[str]]:
    return list(dict.fromkeys(s.skills for s in problem.shifts))


def problem_data(pyvrp: Any, problem: Problem) -> tuple[Any, list[frozenset[str]]]:
    """PyVRP's ProblemData: depots first (one per start/end location), then a location
    per job, so a profile can forbid one job without touching another at the same place."""
    depot_places = list(dict.fromkeys(
        loc for s in problem.shifts for loc in (s.start_location, s.end_location)))
    depot_index = {loc: i for i, loc in enumerate(depot_places)}
    places = depot_places + [j.location for j in problem.jobs]
    index = np.array(places, dtype=np.int64)
    base_dur = problem.durations[np.ix_(index, index)]
    base_dist = problem.distances[np.ix_(index, index)]
    sets = skill_sets(problem)
    n_depots = len(depot_places)
    durations, distances = [], []
    for skills in sets:
        dur, dist = base_dur.copy(), base_dist.copy()
        barred = [n_depots + k for k, job in enumerate(problem.jobs)
                  if not job.skills <= skills]
        if barred:
            dur[:, barred] = FORBIDDEN
            dist[:, barred] = FORBIDDEN
        np.fill_diagonal(dur, 0)
        np.fill_diagonal(dist, 0)
        durations.append(dur)
        distances.append(dist)
    horizon_start = min(s.start for s in problem.shifts)
    horizon_end = max(s.end for s in problem.shifts)
    locations = [pyvrp.Location(float(i), 0.0) for i in range(len(places))]
    depots = [pyvrp.Depot(i, tw_early=horizon_start, tw_late=horizon_end)
              for i in range(n_depots)]
    clients = []
    for k, job in enumerate(problem.jobs):
        early, late = job.window if job.window else (horizon_start, horizon_end)
        clients.append(pyvrp.Client(
            n_depots + k, delivery=[job.demand], service_duration=job.service,
            tw_early=early, tw_late=late, prize=PRIZE_BOOKED if job.booked else PRIZE,
            required=False))
    vehicle_types = []
    for shift in problem.shifts:
        pause = sum(b.duration for b in shift.breaks)
        capacity = shift.capacity if shift.capacity is not None else _NO_LIMIT
        vehicle_types.append(pyvrp.VehicleType(
            1, capacity=[capacity], start_depot=depot_index[shift.start_location],
            end_depot=depot_index[shift.end_location], tw_early=shift.start,
            tw_late=shift.end - pause, shift_duration=shift.end - shift.start - pause,
            profile=sets.index(shift.skills), unit_distance_cost=1,
            unit_duration_cost=0, name=str(shift.id)))
    data = pyvrp.ProblemData(locations, clients, depots, vehicle_types, distances,
                             durations)
    return data, sets


def solution_of(pyvrp: Any, data: Any, problem: Problem, plan: Plan) -> Any:
    """A plan of ours as PyVRP's solution, to start the search from."""
    vehicle = {s.id: k for k, s in enumerate(problem.shifts)}
    client = {j.id: k for k, j in enumerate(problem.jobs)}
    routes = [pyvrp.Route(data, [client[v.job_id] for v in r.visits],
                          vehicle[r.shift_id]) for r in plan.routes if r.visits]
    return pyvrp.Solution(data, routes)


def plan_of(problem: Problem, solution: Any) -> Plan:
    """PyVRP's routes timed by our rules (the break placed); what they drop is left out."""
    routes: list[Route] = []
    left_out: dict[Hashable, str] = {}
    for pv_route in solution.routes():
        shift = problem.shifts[pv_route.vehicle_type()]
        order = [problem.jobs[a.idx] for a in pv_route.schedule() if a.is_client()]
        route, dropped = schedule(problem, shift, order)
        for job in dropped:
            left_out[job.id] = NO_ROOM
        if route.visits:
            routes.append(route)
    placed = {v.job_id for r in routes for v in r.visits}
    for job in problem.jobs:
        if job.id not in placed and job.id not in left_out:
            left_out[job.id] = reason(problem, job)
    return Plan(routes=routes, left_out=left_out)


