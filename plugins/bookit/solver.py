"""Vehicle routing with time windows for installer days, over PyVRP.

One wrapper for everything that orders stops: *Optimise this day* (one shift, the
day's orders, booked customers' windows kept) and auto-planning (many installer
days, hundreds of orders, some left out). Callers describe the problem in our own
terms (shifts and jobs over a travel matrix, seconds and metres); PyVRP never
leaks past this module, so another solver could take its place.

Why PyVRP: on the Solomon benchmark it is the only one of PyVRP, pyvroom and
OR-Tools that found every instance feasible within the best-known fleet, with a
mean gap under 1 % in seconds (``benchmarks/autoplan``).

Things PyVRP has no word for are handled here:

- **Skills.** A job needing skills a shift lacks is made unreachable for it: one
  routing profile per distinct skill set, where travel to such a job costs
  ``FORBIDDEN``.
- **Lunch.** PyVRP has no breaks. A shift's working time is shortened by its break,
  and the break is placed afterwards in the route's first gap or position inside the
  break window where every later visit still meets its window (``_schedule``).
- **Optional jobs.** Every job carries a prize, so the solver leaves out what does
  not fit instead of failing; each left-out job gets a reason.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np

FORBIDDEN = 10**9  # travel cost into a job a shift may not take (seconds or metres)
PRIZE = 10**7  # what placing a job is worth, in metres of driving (10,000 km)
PRIZE_BOOKED = 10**9  # a job whose time the customer already holds
_NO_LIMIT = 2**40


@dataclass(frozen=True)
class Break:
    """A break of ``duration`` seconds starting between ``earliest`` and ``latest``."""

    earliest: int
    latest: int
    duration: int


@dataclass(frozen=True)
class Shift:
    """One installer's working day: where it starts and ends, and when."""

    id: Hashable
    start_location: int
    end_location: int
    start: int
    end: int
    skills: frozenset[str] = frozenset()
    breaks: tuple[Break, ...] = ()
    capacity: int | None = None  # e.g. meters the van carries; None: no limit


@dataclass(frozen=True)
class Job:
    """One order to visit: where, how long, and when it may start.

    ``window`` bounds the visit's start (earliest, latest), ``None`` when any time in
    the shift will do. ``booked`` marks a time the customer already holds: the solver
    leaves such a job out only when nothing else is possible.
    """

    id: Hashable
    location: int
    service: int
    window: tuple[int, int] | None = None
    skills: frozenset[str] = frozenset()
    booked: bool = False
    demand: int = 0  # what it uses of the shift's capacity


@dataclass
class Problem:
    """Shifts and jobs over square travel matrices indexed by location."""

    durations: np.ndarray  # seconds, [from, to]
    distances: np.ndarray  # metres, [from, to]
    shifts: Sequence[Shift]
    jobs: Sequence[Job]

    def __post_init__(self) -> None:
        self.durations = np.asarray(self.durations, dtype=np.int64)
        self.distances = np.asarray(self.distances, dtype=np.int64)
        n = self.durations.shape[0]
        if self.durations.shape != (n, n) or self.distances.shape != (n, n):
            raise ValueError("durations and distances must be square and of one size")
        for place in [j.location for j in self.jobs] + [
                loc for s in self.shifts for loc in (s.start_location, s.end_location)]:
            if not 0 <= place < n:
                raise ValueError(f"location {place} is outside the travel matrix")
        if len({j.id for j in self.jobs}) != len(self.jobs):
            raise ValueError("job ids must be unique")
        if len({s.id for s in self.shifts}) != len(self.shifts):
            raise ValueError("shift ids must be unique")


@dataclass(frozen=True)
class Visit:
    """A job on a route: when the installer arrives, starts and leaves."""

    job_id: Hashable
    arrival: int
    start: int
    end: int


@dataclass
class Route:
    shift_id: Hashable
    visits: list[Visit]
    distance: int  # metres driven, home to home
    driving: int  # seconds driven
    break_start: int | None = None  # when the shift's break is taken, if it has one
    end: int = 0  # back at the end location


@dataclass
class Plan:
    routes: list[Route]
    left_out: dict[Hashable, str] = field(default_factory=dict)  # job id -> reason
    solve_seconds: float = 0.0

    @property
    def distance(self) -> int:
        return sum(r.distance for r in self.routes)

    @property
    def driving(self) -> int:
        return sum(r.driving for r in self.routes)

    @property
    def placed(self) -> int:
        return sum(len(r.visits) for r in self.routes)


# Why a job was left out, as keys the UI translates.
NO_SKILL = "no_skill"  # no shift has the skills it needs
NO_TIME = "no_time"  # its window lies outside every shift that could take it
NO_ROOM = "no_room"  # it could fit, but the shifts are full


class Cancelled(Exception):
    """The caller's ``should_stop`` asked the solve to end before it found a plan."""


def solve(problem: Problem, time_limit: float = 10.0, *, seed: int = 0,
          progress: Callable[[float], None] | None = None,
          should_stop: Callable[[], bool] | None = None) -> Plan:
    """The best plan found within ``time_limit`` seconds.

    ``progress`` is told the share of the time spent (0..1) now and then;
    ``should_stop`` returning true ends the search early with the best plan so far.
    """
    import pyvrp

    started = time.perf_counter()
    if not problem.jobs or not problem.shifts:
        return Plan(routes=[], left_out={j.id: NO_ROOM if problem.shifts else NO_TIME
                                         for j in problem.jobs})
    data, job_of_client, profiles = _problem_data(pyvrp, problem)
    stop = _Stop(time_limit, progress, should_stop)
    with warnings.catch_warnings():
        # prizes dwarf distances on purpose; PyVRP warns of the scale difference
        warnings.simplefilter("ignore", category=pyvrp.exceptions.PenaltyBoundWarning)
        result = pyvrp.solve(data, stop=stop, seed=seed, collect_stats=False,
                             display=False)
    plan = _plan_from(problem, result.best, job_of_client, profiles)
    plan.solve_seconds = time.perf_counter() - started
    return plan


class _Stop:
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


def _skill_sets(problem: Problem) -> list[frozenset[str]]:
    return list(dict.fromkeys(s.skills for s in problem.shifts))


def _problem_data(pyvrp: object, problem: Problem) -> tuple[object, list[Job], list]:
    """PyVRP's ProblemData: depots first (one per start/end location), then a location
    per job, so a profile can forbid one job without touching another at the same place."""
    depot_places = list(dict.fromkeys(
        loc for s in problem.shifts for loc in (s.start_location, s.end_location)))
    depot_index = {loc: i for i, loc in enumerate(depot_places)}
    places = depot_places + [j.location for j in problem.jobs]
    index = np.array(places, dtype=np.int64)
    base_dur = problem.durations[np.ix_(index, index)]
    base_dist = problem.distances[np.ix_(index, index)]
    skill_sets = _skill_sets(problem)
    n_depots = len(depot_places)
    durations, distances = [], []
    for skills in skill_sets:
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
            profile=skill_sets.index(shift.skills), unit_distance_cost=1,
            unit_duration_cost=0, name=str(shift.id)))
    data = pyvrp.ProblemData(locations, clients, depots, vehicle_types, distances,
                             durations)
    return data, list(problem.jobs), skill_sets


def _plan_from(problem: Problem, solution: object, jobs: list[Job],
               skill_sets: list) -> Plan:
    routes: list[Route] = []
    left_out: dict[Hashable, str] = {}
    for pv_route in solution.routes():
        shift = problem.shifts[pv_route.vehicle_type()]
        order = [jobs[a.idx] for a in pv_route.schedule() if a.is_client()]
        route, dropped = _schedule(problem, shift, order)
        for job in dropped:
            left_out[job.id] = NO_ROOM
        if route.visits:
            routes.append(route)
    placed = {v.job_id for r in routes for v in r.visits}
    for job in problem.jobs:
        if job.id not in placed and job.id not in left_out:
            left_out[job.id] = _reason(problem, job)
    return Plan(routes=routes, left_out=left_out)


def _schedule(problem: Problem, shift: Shift,
              order: list[Job]) -> tuple[Route, list[Job]]:
    """Times for the visits in ``order``, with the shift's breaks placed; a job that
    cannot be kept on time (rare: the break pushed it out) is dropped from the end."""
    dropped: list[Job] = []
    while True:
        timed = _timeline(problem, shift, order)
        if timed is not None:
            return timed, dropped
        # drop the job that breaks the schedule last and try again
        dropped.append(order.pop())


def _timeline(problem: Problem, shift: Shift, order: list[Job]) -> Route | None:
    """Forward pass: arrive, wait for the window, serve; the break at the first place
    in its window where all later visits still keep their windows."""
    brk = shift.breaks[0] if shift.breaks else None
    candidates = range(len(order) + 1) if brk else [None]
    for at in candidates:
        route = _walk(problem, shift, order, brk, at)
        if route is not None:
            return route
    return None


def _walk(problem: Problem, shift: Shift, order: list[Job], brk: Break | None,
          break_before: int | None) -> Route | None:
    here, clock = shift.start_location, shift.start
    visits: list[Visit] = []
    distance = driving = 0
    break_start = None
    if shift.capacity is not None and sum(j.demand for j in order) > shift.capacity:
        return None

    def take_break() -> bool:
        nonlocal clock, break_start
        start = max(clock, brk.earliest)
        if start > brk.latest:
            return False
        break_start, clock = start, start + brk.duration
        return True

    for k, job in enumerate(order):
        if brk is not None and k == break_before and not take_break():
            return None
        travel = int(problem.durations[here, job.location])
        distance += int(problem.distances[here, job.location])
        driving += travel
        arrival = clock + travel
        early, late = job.window if job.window else (shift.start, shift.end)
        start = max(arrival, early)
        if start > late:
            return None
        clock = start + job.service
        visits.append(Visit(job.id, arrival, start, clock))
        here = job.location
    if brk is not None and break_before == len(order) and not take_break():
        return None
    travel = int(problem.durations[here, shift.end_location])
    distance += int(problem.distances[here, shift.end_location])
    driving += travel
    end = clock + travel
    if end > shift.end:
        return None
    return Route(shift.id, visits, distance, driving, break_start, end)


def _reason(problem: Problem, job: Job) -> str:
    able = [s for s in problem.shifts if job.skills <= s.skills]
    if not able:
        return NO_SKILL
    if job.window is not None:
        early, late = job.window
        if not any(s.start <= late and early + job.service <= s.end for s in able):
            return NO_TIME
    return NO_ROOM


def check(problem: Problem, plan: Plan) -> list[str]:
    """Every broken rule of ``plan`` as a sentence (empty when it keeps them all).

    Used by tests and before a proposal is shown: windows, working hours, skills,
    breaks, no job twice, no overlap, travel time between consecutive stops.
    """
    shifts = {s.id: s for s in problem.shifts}
    jobs = {j.id: j for j in problem.jobs}
    seen: set[Hashable] = set()
    errors: list[str] = []
    for route in plan.routes:
        shift = shifts[route.shift_id]
        here, clock, load = shift.start_location, shift.start, 0
        for visit in route.visits:
            job = jobs[visit.job_id]
            if visit.job_id in seen:
                errors.append(f"{visit.job_id} is planned twice")
            seen.add(visit.job_id)
            if not job.skills <= shift.skills:
                errors.append(f"{visit.job_id} needs {sorted(job.skills)}; "
                              f"{shift.id} has {sorted(shift.skills)}")
            if visit.arrival < clock + int(problem.durations[here, job.location]):
                errors.append(f"{visit.job_id} is reached faster than the travel time")
            load += job.demand
            if visit.start < visit.arrival or visit.end - visit.start < job.service:
                errors.append(f"{visit.job_id} starts before arrival or is served short")
            if job.window and not job.window[0] <= visit.start <= job.window[1]:
                errors.append(f"{visit.job_id} starts outside its window")
            if visit.start < shift.start or visit.end > shift.end:
                errors.append(f"{visit.job_id} lies outside {shift.id}'s hours")
            if route.break_start is not None:
                brk = shift.breaks[0]
                if visit.start < route.break_start + brk.duration and \
                        visit.end > route.break_start:
                    errors.append(f"{visit.job_id} overlaps {shift.id}'s break")
            here, clock = job.location, visit.end
        if shift.breaks and route.visits:
            brk = shift.breaks[0]
            if route.break_start is None or not \
                    brk.earliest <= route.break_start <= brk.latest:
                errors.append(f"{shift.id} has no break in its window")
        if route.end > shift.end:
            errors.append(f"{shift.id} ends after its working hours")
        if shift.capacity is not None and load > shift.capacity:
            errors.append(f"{shift.id} carries {load}, more than its {shift.capacity}")
    for job_id in plan.left_out:
        if job_id in seen:
            errors.append(f"{job_id} is both planned and left out")
    missing = set(jobs) - seen - set(plan.left_out)
    errors.extend(f"{job_id} is neither planned nor left out" for job_id in sorted(
        missing, key=str))
    return errors
