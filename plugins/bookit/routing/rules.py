"""The rules of a working day in plain Python: timing a route (travel, windows, the
break, back home in time), the nearest-neighbour plan a person would make, repairing
a plan by cheapest insertion, and checking that a plan keeps every rule."""

from __future__ import annotations

from collections.abc import Hashable

from .model import NO_ROOM, NO_SKILL, NO_TIME, Break, Job, Plan, Problem, Route, Shift, Visit


def greedy(problem: Problem) -> Plan:
    """Nearest neighbour, as a planner does by hand: customers who hold a time are put
    on an installer's day first; then shift by shift, from home, the nearest waiting
    job that still fits (skills, window, capacity, the break, the next held time, back
    home in time), until none does. Fast (no search), and the solver's start."""
    jobs = problem.jobs
    anchors = _place_booked(problem)
    held = {k for ks in anchors.values() for k in ks}
    waiting = [k for k in range(len(jobs)) if k not in held]
    dropped: list[Job] = []
    routes: list[Route] = []
    for n, shift in enumerate(problem.shifts):
        must = list(anchors.get(n, ()))
        day = _Day(problem, shift)
        order: list[Job] = []
        while True:
            then = jobs[must[0]] if must else None
            best: tuple[int, int, _Day] | None = None
            for k in waiting:
                job = jobs[k]
                if not job.skills <= shift.skills:
                    continue
                travel = int(problem.durations[day.here, job.location])
                if best is not None and travel >= best[0]:
                    continue
                after = day.after(job, then)
                if after is not None:
                    best = (travel, k, after)
            if best is not None:
                _travel, k, day = best
                waiting.remove(k)
                order.append(jobs[k])
            elif must:
                after = day.after(jobs[must[0]], None)
                if after is None:
                    dropped.append(jobs[must.pop(0)])
                    continue
                day = after
                order.append(jobs[must.pop(0)])
            else:
                break
        if order:
            route, lost = schedule(problem, shift, order)
            dropped.extend(lost)
            if route.visits:
                routes.append(route)
    left = {jobs[k].id: reason(problem, jobs[k]) for k in waiting}
    left.update({job.id: NO_ROOM for job in dropped})
    return Plan(routes=routes, left_out=left)


def _place_booked(problem: Problem) -> dict[int, list[int]]:
    """Shift index -> the booked jobs it keeps, in time order: each booked job on the
    able shift holding fewest so far (nearest home first) where they all still fit."""
    anchors: dict[int, list[int]] = {}
    booked = sorted((k for k, j in enumerate(problem.jobs) if j.booked and j.window),
                    key=lambda k: problem.jobs[k].window[0])
    for k in booked:
        job = problem.jobs[k]
        early, late = job.window
        able = [n for n, s in enumerate(problem.shifts) if job.skills <= s.skills
                and s.start <= late and early + job.service <= s.end]
        able.sort(key=lambda n: (len(anchors.get(n, ())), int(problem.durations[
            problem.shifts[n].start_location, job.location])))
        for n in able:
            trial = sorted([*anchors.get(n, ()), k], key=lambda i: problem.jobs[i].window[0])
            if timeline(problem, problem.shifts[n], [problem.jobs[i] for i in trial]):
                anchors[n] = trial
                break
    return anchors


class _Day:
    """Where an installer is and when, as the day really is (with the break) and as
    the solver sees it (no break, the day shortened by it): a greedy plan must fit
    both, so it is a valid start for the solver's search."""

    def __init__(self, problem: Problem, shift: Shift) -> None:
        self.problem, self.shift = problem, shift
        self.brk = shift.breaks[0] if shift.breaks else None
        self.here, self.clock, self.bare, self.load = shift.start_location, shift.start, \
            shift.start, 0
        self.lunch: int | None = None

    def after(self, job: Job, then: Job | None) -> _Day | None:
        """The day once ``job`` is done next, or None when it does not fit (also when
        ``then``, the next held time, could no longer be kept)."""
        shift, brk, d = self.shift, self.brk, self.problem.durations
        if shift.capacity is not None and self.load + job.demand > shift.capacity:
            return None
        travel = int(d[self.here, job.location])
        early, late = job.window if job.window else (shift.start, shift.end)
        start, lunch = max(self.clock + travel, early), self.lunch
        if brk is not None and lunch is None and start + job.service > brk.latest:
            lunch = max(self.clock, brk.earliest)  # lunch first, then drive to the job
            if lunch > brk.latest:
                return None
            start = max(lunch + brk.duration + travel, early)
        bare = max(self.bare + travel, early)
        home = int(d[job.location, shift.end_location])
        pause = brk.duration if brk is not None and lunch is None else 0
        whole = brk.duration if brk is not None else 0
        if start > late or start + job.service + pause + home > shift.end or \
                bare > late or bare + job.service + home > shift.end - whole:
            return None
        nxt = _Day.__new__(_Day)
        nxt.__dict__.update(self.__dict__)
        nxt.here, nxt.clock, nxt.bare = job.location, start + job.service, bare + job.service
        nxt.load, nxt.lunch = self.load + job.demand, lunch
        if then is not None and nxt.after(then, None) is None:
            return None
        return nxt


def schedule(problem: Problem, shift: Shift,
              order: list[Job]) -> tuple[Route, list[Job]]:
    """Times for the visits in ``order``, with the shift's breaks placed. When the
    break makes that impossible (a held time can no longer be kept), the one job whose
    removal mends the day at the least driving is dropped (a job without a held time
    first), so ``repair`` can put it elsewhere; the last one when no single one does."""
    order = list(order)
    dropped: list[Job] = []
    while (timed := timeline(problem, shift, order)) is None:
        best: tuple[bool, int, int] | None = None
        for i, job in enumerate(order):
            trial = timeline(problem, shift, order[:i] + order[i + 1:])
            if trial is not None and (best is None or (job.booked, trial.distance) < best[:2]):
                best = (job.booked, trial.distance, i)
        dropped.append(order.pop(best[2] if best else -1))
    return timed, dropped


def timeline(problem: Problem, shift: Shift, order: list[Job]) -> Route | None:
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


def reason(problem: Problem, job: Job) -> str:
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


def repair(problem: Problem, plan: Plan, candidates: int = 8) -> Plan:
    """Put left-out jobs (booked ones first) where they cost the least extra driving,
    in the ``candidates`` routes or idle shifts nearest to them; keeps every rule."""
    shifts = {s.id: s for s in problem.shifts}
    jobs = {j.id: j for j in problem.jobs}
    routes = {r.shift_id: r for r in plan.routes}
    d = problem.durations
    waiting = sorted((j for j in plan.left_out if plan.left_out[j] == NO_ROOM),
                     key=lambda j: not jobs[j].booked)
    left = dict(plan.left_out)
    for job_id in waiting:
        job = jobs[job_id]

        def nearness(shift: Shift, job: Job = job) -> int:
            route = routes.get(shift.id)
            places = [jobs[v.job_id].location for v in route.visits] if route else []
            places.append(shift.start_location)
            return min(int(d[p, job.location]) for p in places)

        able = [s for s in problem.shifts if job.skills <= s.skills]
        best: tuple[int, Route] | None = None
        for shift in sorted(able, key=nearness)[:candidates]:
            current = routes.get(shift.id)
            order = [jobs[v.job_id] for v in current.visits] if current else []
            base = current.distance if current else 0
            for at in range(len(order) + 1):
                timed = timeline(problem, shift, [*order[:at], job, *order[at:]])
                if timed is not None and (best is None or timed.distance - base < best[0]):
                    best = (timed.distance - base, timed)
        if best is not None:
            routes[best[1].shift_id] = best[1]
            del left[job_id]
    ordered = [routes[s.id] for s in shifts.values() if s.id in routes]
    return Plan(routes=ordered, left_out=left, solve_seconds=plan.solve_seconds)
