"""The routing wrapper keeps every rule it promises: windows, working hours, skills,
breaks, capacity; it leaves out what cannot fit with a reason, and its checker finds a
broken plan. Travel is Manhattan distance on a grid at 1 m/s, so the figures are easy
to follow by hand."""

from __future__ import annotations

import numpy as np
import pytest

from plugins.bookit.solver import (
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
    check,
    solve,
)

H = 3600


def grid(points: list[tuple[int, int]]) -> np.ndarray:
    p = np.array(points)
    return np.abs(p[:, None, :] - p[None, :, :]).sum(axis=2) * 100  # 100 m per step


def day(points: list[tuple[int, int]], shifts: list[Shift], jobs: list[Job]) -> Problem:
    m = grid(points)
    return Problem(durations=m, distances=m, shifts=shifts, jobs=jobs)


def test_a_day_is_planned_within_every_rule() -> None:
    points = [(0, 0)] + [(x, y) for x in range(1, 5) for y in range(1, 4)]  # home + 12
    shift = Shift("mona", 0, 0, 8 * H, 16 * H, breaks=(Break(11 * H, 12 * H, 1800),))
    jobs = [Job(f"o{i}", i, 1800) for i in range(1, 13)]
    jobs[4] = Job("o5", 5, 1800, window=(14 * H, 14 * H + 900), booked=True)
    problem = day(points, [shift], jobs)
    plan = solve(problem, time_limit=1.0)
    assert check(problem, plan) == []
    assert plan.placed == 12 and not plan.left_out
    visit = next(v for v in plan.routes[0].visits if v.job_id == "o5")
    assert 14 * H <= visit.start <= 14 * H + 900
    assert 11 * H <= plan.routes[0].break_start <= 12 * H


def test_order_beats_a_naive_sequence() -> None:
    """Visiting in id order zig-zags across the grid; the solver's order is shorter."""
    points = [(0, 0), (9, 9), (1, 1), (8, 8), (2, 2), (7, 7), (3, 3)]
    shift = Shift("mona", 0, 0, 8 * H, 18 * H)
    jobs = [Job(i, i, 600) for i in range(1, 7)]
    problem = day(points, [shift], jobs)
    plan = solve(problem, time_limit=0.5)
    naive = sum(int(problem.distances[a, b]) for a, b in zip(
        [0, 1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6, 0], strict=True))
    assert check(problem, plan) == []
    assert plan.distance < naive
    assert plan.distance == 3600  # out along the diagonal and back: 2 x 18 steps


def test_skills_decide_who_takes_a_job() -> None:
    points = [(0, 0), (1, 0), (2, 0), (3, 0)]
    plain = Shift("plain", 0, 0, 8 * H, 16 * H)
    three_phase = Shift("3f", 0, 0, 8 * H, 16 * H, skills=frozenset({"threephase"}))
    jobs = [Job("a", 1, 600, skills=frozenset({"threephase"})), Job("b", 2, 600),
            Job("c", 3, 600, skills=frozenset({"threephase", "ladder"}))]
    problem = day(points, [plain, three_phase], jobs)
    plan = solve(problem, time_limit=0.5)
    assert check(problem, plan) == []
    owner = {v.job_id: r.shift_id for r in plan.routes for v in r.visits}
    assert owner["a"] == "3f"
    assert plan.left_out == {"c": NO_SKILL}


def test_what_cannot_fit_is_left_out_with_its_reason() -> None:
    points = [(0, 0)] + [(1, y) for y in range(1, 7)]
    shift = Shift("mona", 0, 0, 8 * H, 12 * H, capacity=5)
    jobs = [Job(f"o{i}", i, H, demand=1) for i in range(1, 6)]  # 5 x 1 h in a 4 h day
    jobs.append(Job("late", 6, 600, window=(20 * H, 21 * H)))
    problem = day(points, [shift], jobs)
    plan = solve(problem, time_limit=0.5)
    assert check(problem, plan) == []
    assert plan.placed == 3  # 3 h of work and the driving leave no room for a fourth
    assert plan.left_out["late"] == NO_TIME
    assert sorted(r for k, r in plan.left_out.items() if k != "late") == [NO_ROOM, NO_ROOM]


def test_capacity_limits_a_shift() -> None:
    points = [(0, 0)] + [(1, y) for y in range(1, 5)]
    shift = Shift("mona", 0, 0, 8 * H, 16 * H, capacity=2)
    jobs = [Job(f"o{i}", i, 600, demand=1) for i in range(1, 5)]
    problem = day(points, [shift], jobs)
    plan = solve(problem, time_limit=0.5)
    assert check(problem, plan) == [] and plan.placed == 2


def test_the_checker_finds_broken_rules() -> None:
    points = [(0, 0), (5, 0), (6, 0)]
    shift = Shift("mona", 0, 0, 8 * H, 9 * H, breaks=(Break(8 * H, 9 * H, 600),))
    jobs = [Job("a", 1, 600, window=(8 * H, 8 * H + 60)),
            Job("b", 2, 600, skills=frozenset({"x"}))]
    problem = day(points, [shift], jobs)
    wrong = Plan(routes=[Route("mona", [
        Visit("a", 8 * H + 10, 8 * H + 100, 8 * H + 400),  # too fast, late, short
        Visit("b", 8 * H + 500, 8 * H + 500, 9 * H + 500),  # skill, hours
        Visit("a", 9 * H + 600, 9 * H + 600, 9 * H + 1200),  # twice
    ], distance=0, driving=0, break_start=None, end=10 * H)])
    errors = check(problem, wrong)
    for expected in ("faster than the travel time", "outside its window", "served short",
                     "needs ['x']", "outside mona's hours", "planned twice",
                     "no break", "ends after"):
        assert any(expected in e for e in errors), (expected, errors)


def test_cancelling_ends_the_search_early() -> None:
    rng = np.random.default_rng(3)
    points = [(0, 0)] + [tuple(p) for p in rng.integers(0, 50, size=(60, 2))]
    shifts = [Shift(k, 0, 0, 8 * H, 16 * H) for k in range(4)]
    jobs = [Job(i, i, 900) for i in range(1, 61)]
    problem = day(points, shifts, jobs)
    calls: list[float] = []
    plan = solve(problem, time_limit=60.0, should_stop=lambda: len(calls) > 0,
                 progress=calls.append)
    assert plan.solve_seconds < 30  # stopped by should_stop, not the 60 s limit
    assert check(problem, plan) == []


def test_a_bad_problem_is_refused() -> None:
    m = grid([(0, 0), (1, 1)])
    with pytest.raises(ValueError, match="outside the travel matrix"):
        Problem(m, m, [Shift("s", 0, 0, 0, H)], [Job("a", 5, 60)])
    with pytest.raises(ValueError, match="unique"):
        Problem(m, m, [Shift("s", 0, 0, 0, H)], [Job("a", 1, 60), Job("a", 1, 60)])
    with pytest.raises(ValueError, match="square"):
        Problem(m[:1], m, [Shift("s", 0, 0, 0, H)], [])
