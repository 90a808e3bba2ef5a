"""Vehicle routing with time windows for installer days: the one entry point.

Everything that orders stops calls ``solve``: *Optimise this day* (one shift, the
day's orders, booked customers' windows kept) and auto-planning (many installer
days, thousands of orders, some left out). Callers describe the problem in our own
terms (``routing.model``: shifts and jobs over a travel matrix, seconds and metres);
PyVRP stays behind ``routing.pyvrp_glue``, so another solver could take its place.

Why PyVRP: on the Solomon benchmark it was the only one of PyVRP, pyvroom and
OR-Tools to find every instance feasible within the best-known fleet, with a mean
gap under 1 % in seconds (``benchmarks/autoplan``).

The search starts from the plan a planner would make by hand (``rules.greedy``:
customers holding a time first, then nearest neighbour), so it is never worse than
that; jobs that placing the lunch break pushes out of a route are put back by
cheapest insertion where they still fit (``rules.repair``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .routing.model import (
    NO_ROOM,
    NO_SKILL,
    NO_TIME,
    Break,
    Job,
    Plan,
    Problem,
    Route,
    Shift,
    Visit,
)
from .routing.pyvrp_glue import Stop, run
from .routing.rules import check, greedy, repair

__all__ = ["NO_ROOM", "NO_SKILL", "NO_TIME", "Break", "Job", "Plan", "Problem", "Route",
           "Shift", "Visit", "check", "greedy", "solve"]

def solve(problem: Problem, time_limit: float = 10.0, *, seed: int = 0,
          progress: Callable[[float], None] | None = None,
          should_stop: Callable[[], bool] | None = None) -> Plan:
    """The best plan found within ``time_limit`` seconds.

    The search starts from the nearest-neighbour plan (``greedy``), so it does not
    return worse than what a person would do by hand. ``progress`` is told the share
    of the time spent (0..1) now and then; ``should_stop`` returning true ends the
    search early with the best plan so far.
    """
    started = time.perf_counter()
    if not problem.jobs or not problem.shifts:
        return greedy(problem)
    stop = Stop(time_limit, progress, should_stop)
    plan = run(problem, greedy(problem), stop, seed)
    if any(why == NO_ROOM for why in plan.left_out.values()):
        plan = repair(problem, plan, candidates=25)  # what placing the break pushed out
    plan.solve_seconds = time.perf_counter() - started
    return plan
