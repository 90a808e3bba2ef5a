"""A synthetic grid-company week planned by the product's planning code, against
the nearest-neighbour planning a person would approximate.

80 installers living around Trondheim, 3,000 meter exchanges in its neighbourhoods,
Monday to Friday 07:30-15:30 with a 30-minute lunch between 11:00 and 12:30; 45
minutes a meter (75 for a difficult one), three-phase meters only for the installers
with that skill, a few customers already booked to a one-hour window. Travel is the
calendar's model (straight line x detour factor at an average speed).

    python -m benchmarks.autoplan.week_run [--seconds 60] [--orders 3000] [--installers 80]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np

from plugins.bookit.solver import Break, Job, Plan, Problem, Shift, check, solve
from plugins.bookit.solver import greedy as greedy_plan

TOWN = (63.4305, 10.3951)  # Trondheim
H = 3600
DAY = 24 * H
DETOUR, SPEED_KMH = 1.3, 40.0


@dataclass
class Week:
    problem: Problem
    days: int


def haversine_matrix(points: np.ndarray) -> np.ndarray:
    """Metres between every pair of (lat, lon) points."""
    lat, lon = np.radians(points[:, 0]), np.radians(points[:, 1])
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * \
        np.sin(dlon / 2) ** 2
    return 2 * 6_371_000 * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def make_week(orders: int, installers: int, seed: int = 7) -> Week:
    rng = np.random.default_rng(seed)
    # neighbourhoods: 40 centres within ~15 km of the town, orders around them
    centres = np.array(TOWN) + rng.normal(0, [0.09, 0.18], size=(40, 2))
    which = rng.integers(0, len(centres), size=orders)
    spots = centres[which] + rng.normal(0, [0.006, 0.012], size=(orders, 2))
    homes = np.array(TOWN) + rng.normal(0, [0.12, 0.24], size=(installers, 2))
    points = np.vstack([homes, spots])
    metres = haversine_matrix(points) * DETOUR
    seconds = metres / (SPEED_KMH / 3.6)
    days = 5
    shifts = []
    skilled = set(rng.choice(installers, size=int(installers * 0.3), replace=False))
    for day in range(days):
        base = day * DAY
        for k in range(installers):
            shifts.append(Shift(
                id=(k, day), start_location=k, end_location=k,
                start=base + int(7.5 * H), end=base + int(15.5 * H),
                skills=frozenset({"threephase"}) if k in skilled else frozenset(),
                breaks=(Break(base + 11 * H, base + int(12.5 * H), 1800),)))
    jobs = []
    for i in range(orders):
        difficult = rng.random() < 0.10
        three_phase = rng.random() < 0.15
        window = None
        if rng.random() < 0.05:
            day, hour = int(rng.integers(0, days)), int(rng.integers(8, 14))
            window = (day * DAY + hour * H, day * DAY + hour * H + H)
        jobs.append(Job(id=i, location=installers + i, service=75 * 60 if difficult else 45 * 60,
                        window=window, booked=window is not None,
                        skills=frozenset({"threephase"}) if three_phase else frozenset()))
    problem = Problem(durations=np.rint(seconds).astype(np.int64),
                      distances=np.rint(metres).astype(np.int64), shifts=shifts, jobs=jobs)
    return Week(problem, days)


def report(name: str, week: Week, plan: Plan, seconds: float) -> None:
    days_used = len(plan.routes)
    shift_days = len(week.problem.shifts)
    km = plan.distance / 1000
    errors = check(week.problem, plan)
    print(f"{name:17} placed {plan.placed:5}/{len(week.problem.jobs)}  "
          f"meters per installer-day {plan.placed / shift_days:5.2f} "
          f"(per day worked {plan.placed / max(days_used, 1):5.2f})  "
          f"driving {km:8.0f} km = {km / max(plan.placed, 1):5.2f} km per meter, "
          f"{plan.driving / 3600 / max(days_used, 1):4.2f} h per day worked  "
          f"{seconds:5.1f} s  rules broken: {len(errors)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=55.0,
                        help="solver time limit (the set-up comes on top)")
    parser.add_argument("--orders", type=int, default=3000)
    parser.add_argument("--installers", type=int, default=80)
    args = parser.parse_args()
    t = time.perf_counter()
    week = make_week(args.orders, args.installers)
    print(f"{args.installers} installers x {week.days} days, {args.orders} orders; "
          f"set-up {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    greedy = greedy_plan(week.problem)
    report("nearest neighbour", week, greedy, time.perf_counter() - t)
    t = time.perf_counter()
    plan = solve(week.problem, time_limit=args.seconds, seed=1)
    report("amsflow (PyVRP)", week, plan, time.perf_counter() - t)
    if greedy.placed:
        ours = plan.distance / max(plan.placed, 1)
        theirs = greedy.distance / greedy.placed
        print(f"driving per meter: {100 * (1 - ours / theirs):.0f} % less than nearest "
              f"neighbour; {plan.placed - greedy.placed:+d} meters placed")


if __name__ == "__main__":
    main()
