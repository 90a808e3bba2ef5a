"""The 56 Solomon VRPTW instances through the product's planning code.

Each instance is solved by ``plugins.bookit.solver.solve`` with the fleet of its
best-known distance (``BKS.json``, ``*_distance`` entries: VROOM's benchmark data) and
a time limit (10 s by default); the gap is to that best-known distance, with distances
Euclidean between the coordinates as in the literature. The instances are copied from
M. M. Solomon's set (1987) into ``solomon/``.

    python -m benchmarks.autoplan.solomon_run [--seconds 10] [--only R1]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from pathlib import Path

import numpy as np

from plugins.bookit.solver import Job, Problem, Shift, check, solve

HERE = Path(__file__).resolve().parent / "solomon"
SCALE = 1000  # integer units for the solver: coordinates' distances x 1000, rounded


def read_instance(path: Path) -> tuple[int, int, list[list[float]]]:
    """Solomon's text format: name, VEHICLE (number, capacity), CUSTOMER rows of
    number, x, y, demand, ready time, due date, service time (row 0 is the depot)."""
    rows = [line.split() for line in path.read_text().splitlines() if line.strip()]
    number, capacity = int(rows[3][0]), int(rows[3][1])
    customers = [list(map(float, r)) for r in rows if len(r) == 7 and r[0].isdigit()]
    return number, capacity, customers


def problem_of(customers: list[list[float]], capacity: int, fleet: int) -> Problem:
    xy = np.array([[c[1], c[2]] for c in customers])
    exact = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    matrix = np.rint(exact * SCALE).astype(np.int64)
    depot = customers[0]
    shifts = [Shift(id=f"v{k}", start_location=0, end_location=0,
                    start=int(depot[4] * SCALE), end=int(depot[5] * SCALE),
                    capacity=capacity) for k in range(fleet)]
    jobs = [Job(id=int(c[0]), location=i, service=int(c[6] * SCALE),
                window=(int(c[4] * SCALE), int(c[5] * SCALE)), demand=int(c[3]))
            for i, c in enumerate(customers) if i > 0]
    return Problem(durations=matrix, distances=matrix, shifts=shifts, jobs=jobs)


def exact_distance(customers: list[list[float]], plan: object) -> float:
    total = 0.0
    for route in plan.routes:
        stops = [0] + [int(v.job_id) for v in route.visits] + [0]
        for a, b in zip(stops, stops[1:], strict=False):
            total += math.dist(customers[a][1:3], customers[b][1:3])
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--only", default="", help="instances whose name starts so")
    args = parser.parse_args()
    best = json.loads((HERE / "BKS.json").read_text())
    names = sorted(p.stem for p in HERE.glob("*.txt") if p.stem.startswith(args.only))
    gaps, infeasible = [], []
    started = time.perf_counter()
    for name in names:
        ref = best[f"{name}_distance"]
        _number, capacity, customers = read_instance(HERE / f"{name}.txt")
        problem = problem_of(customers, capacity, ref["solved_with_vehicles"])
        plan = solve(problem, time_limit=args.seconds, seed=1)
        errors = check(problem, plan)
        feasible = not plan.left_out and not errors
        distance = exact_distance(customers, plan)
        gap = 100 * (distance - ref["best_known_cost"]) / ref["best_known_cost"]
        if feasible:
            gaps.append(gap)
        else:
            infeasible.append(name)
        verdict = "feasible" if feasible else f"INFEASIBLE: {len(plan.left_out)} left out"
        print(f"{name:6} fleet {ref['solved_with_vehicles']:2} routes {len(plan.routes):2} "
              f"distance {distance:9.2f} best {ref['best_known_cost']:9.2f} gap {gap:6.2f} % "
              f"{verdict}", flush=True)
    print(f"\n{len(names)} instances, {args.seconds:g} s each, "
          f"{time.perf_counter() - started:.0f} s in all")
    print(f"feasible {len(gaps)}/{len(names)}"
          + (f" (infeasible: {', '.join(infeasible)})" if infeasible else ""))
    if gaps:
        print(f"gap to best known: mean {statistics.mean(gaps):.2f} %, "
              f"worst {max(gaps):.2f} %")


if __name__ == "__main__":
    main()
