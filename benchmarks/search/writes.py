"""What the search projections cost writes: create + transition through the services,
with the projection triggers in place and dropped, in alternating rounds.

    python benchmarks/search/writes.py --backend postgresql
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.core.run import database  # noqa: E402
from conftest import make_test_users  # noqa: E402
from core.config import parse_config  # noqa: E402
from core.host import Amsflow, create_host  # noqa: E402
from core.jql import projection  # noqa: E402
from core.models import User  # noqa: E402
from core.services.issues import create_issue  # noqa: E402
from core.workflow.engine import transition_issue  # noqa: E402

VALUES = {"customer_name": "Kunde", "address": "Gate 1", "postcode": "0150",
          "post_town": "Oslo", "municipality": "0301", "mobile": "91234567",
          "planned_start": "2024-05-06T10:00:00+02:00"}


def one_round(host: Amsflow, planner_id: int, n: int) -> tuple[float, float]:
    """p50 (ms) of create + commit and of transition + commit over ``n`` orders."""
    s = host.db.session()
    planner = s.get(User, planner_id)
    creates, transitions = [], []
    for i in range(n):
        t0 = time.perf_counter()
        issue = create_issue(host, s, planner, "ELV", "Målerbytte", f"Order {i}", VALUES)
        host.db.commit(s)
        t1 = time.perf_counter()
        transition_issue(host, s, planner, issue, "11")
        host.db.commit(s)
        creates.append((t1 - t0) * 1000)
        transitions.append((time.perf_counter() - t1) * 1000)
    s.close()
    return statistics.median(creates), statistics.median(transitions)


def triggers(host: Amsflow, on: bool) -> None:
    with host.db.engine.begin() as conn:
        if on:
            projection.install(conn)
            projection.install_search(conn, list(host.fields))
        else:
            projection.drop(conn)
            projection.drop_search(conn)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--orders", type=int, default=60, help="orders per round")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    with database(args.backend, tmp) as url:
        cfg = yaml.safe_load((ROOT / "config" / "demo.yaml").read_text(encoding="utf-8"))
        cfg.update(database_url=url, data_dir=str(tmp / "data"),
                   workflows={"ams": str(ROOT / "workflows" / "ams.yaml")})
        host = create_host(parse_config(cfg))
        host.create_schema()
        try:
            planner_id = make_test_users(host, "x")["planner"]
            one_round(host, planner_id, 30)  # warm up
            results: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
            for _ in range(args.rounds):
                for on in (False, True):
                    triggers(host, on)
                    results[on].append(one_round(host, planner_id, args.orders))
            for on in (False, True):
                create = statistics.median(r[0] for r in results[on])
                transition = statistics.median(r[1] for r in results[on])
                print(f"{args.backend} {'with' if on else 'without'} projection triggers: "
                      f"create p50 {create:.2f} ms, transition p50 {transition:.2f} ms")
        finally:
            host.db.dispose()

if __name__ == "__main__":
    main()
