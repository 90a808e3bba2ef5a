"""Dashboard benchmark: the data of every gadget of *Ukentlig framdrift* (8 gadgets),
cold (nothing cached) and cached, as a planner, over many orders.

    python benchmarks/dashboards/run.py                          # PostgreSQL, 1,000,000
    python benchmarks/dashboards/run.py --orders 200000           # smaller, quicker load
    python benchmarks/dashboards/run.py --backend sqlite --orders 50000

Orders come from the demo loader through the search benchmark's loader (realistic
statuses, resolutions with their dates, assignees, history), into a PostgreSQL schema
``bench_dashboards`` (or a SQLite file in the temp folder), kept between runs and
loaded on top while the count grows. Each gadget's data is read over HTTP from the
app (``GET /rest/api/2/dashboard/{id}/gadget/{gid}/data`` with an API token), one
after another: *cold* with ``?refresh=1`` (no cache), *cached* without. Targets: all
8 together < 1 s cold and < 100 ms cached. Exit status 1 when missed.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core.app import create_app  # noqa: E402
from core.auth import create_token  # noqa: E402
from core.dashboards.models import Dashboard  # noqa: E402
from core.models import Issue, User  # noqa: E402

PG_URL = os.environ.get("AMSFLOW_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = "bench_dashboards"
DASHBOARD = "ELV:ukentlig"
COLD_MS, CACHED_MS = 1000.0, 100.0


def _search_bench() -> Any:
    """The search benchmark's loader and ANALYZE (one loader for both benchmarks)."""
    spec = importlib.util.spec_from_file_location(
        "search_bench", ROOT / "benchmarks" / "search" / "run.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.path.insert(0, str(ROOT / "benchmarks" / "search"))
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def make_app(search: Any, backend: str, fresh: bool, redis_url: str | None = None) -> Any:
    """The app on this benchmark's own schema (or SQLite file), made as the search
    benchmark makes its host (indexes, statistics), with the dashboards' tables."""
    host = search.make_host(backend, fresh, SCHEMA, "amsflow-bench-dashboards")
    host.config.data["redis_url"] = redis_url  # the gadget cache: Redis, else in process
    os.environ.setdefault("AMSFLOW_SECRET_KEY", "bench")
    app = create_app(host.config)
    host.db.dispose()
    return app


def timed_round(client: Any, urls: list[str], headers: dict[str, str], fresh: bool
                ) -> list[float]:
    out = []
    for url in urls:
        t0 = time.perf_counter()
        answer = client.get(url + ("?refresh=1" if fresh else ""), headers=headers)
        out.append((time.perf_counter() - t0) * 1000)
        body = answer.get_json()
        assert answer.status_code == 200, body
        for part in body.get("gadgets", [body]):
            assert part["status"] == 200 if "status" in part else True, part
            assert part["cached"] is not fresh, (url, part)
    return out


def run(backend: str, n: int, repeat: int, fresh: bool, redis_url: str | None) -> list[str]:
    search = _search_bench()
    app = make_app(search, backend, fresh, redis_url)
    host = app.extensions["amsflow"]
    with host.db.new_session() as s:
        have = s.scalar(select(func.count()).select_from(Issue)) or 0
    if have > n:
        host.db.dispose()
        app, have = make_app(search, backend, True, redis_url), 0
        host = app.extensions["amsflow"]
    if have != n:
        print(f"{backend}: loading {n - have:,} orders ({have:,} there)")
        t0 = time.perf_counter()
        search.load(host, n, print, have)
        print(f"  loaded in {time.perf_counter() - t0:.0f} s")
    else:
        search.analyze(host)
    with host.db.new_session() as s:
        planner = s.scalar(select(User).where(User.username == "planlegger1"))
        token = create_token(s, planner, "bench")
        d = s.scalar(select(Dashboard).where(Dashboard.system_key == DASHBOARD))
        gadgets = [(g.id, g.type) for g in sorted(d.gadgets, key=lambda g: (g.column,
                                                                          g.position))]
        name = d.name
        did = d.id
    urls = [f"/rest/api/2/dashboard/{did}/gadget/{gid}/data" for gid, _t in gadgets]
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    gc.collect()
    gc.freeze()
    first_cold = timed_round(client, urls, headers, True)
    colds = [first_cold] + [timed_round(client, urls, headers, True) for _ in range(repeat - 1)]
    cacheds = [timed_round(client, urls, headers, False) for _ in range(repeat)]
    cache = "Redis" if redis_url else "in process"
    print(f"\n{backend}, {n:,} orders, cache {cache}, «{name}» ({len(urls)} gadgets), "
          f"as planlegger1, "
          f"{repeat} rounds, ms per gadget (median over rounds)")
    print(f"{'gadget':<28} {'cold first':>10} {'cold p50':>9} {'cached p50':>11}")
    for i, (_gid, gtype) in enumerate(gadgets):
        print(f"{gtype:<28} {first_cold[i]:>10.1f} "
              f"{statistics.median(r[i] for r in colds):>9.1f} "
              f"{statistics.median(r[i] for r in cacheds):>11.1f}")
    cold_totals = [sum(r) for r in colds]
    cached_totals = [sum(r) for r in cacheds]
    print(f"{'all 8, one after another':<28} {sum(first_cold):>10.1f} "
          f"{statistics.median(cold_totals):>9.1f} {statistics.median(cached_totals):>11.1f}")
    # What the page asks: the whole dashboard in one request.
    whole = [f"/rest/api/2/dashboard/{did}/data"]
    batch_cold = [timed_round(client, whole, headers, True)[0] for _ in range(repeat)]
    batch_cached = [timed_round(client, whole, headers, False)[0] for _ in range(repeat)]
    print(f"{'whole dashboard, 1 request':<28} {batch_cold[0]:>10.1f} "
          f"{statistics.median(batch_cold):>9.1f} {statistics.median(batch_cached):>11.1f}")
    cold, cached = max(batch_cold), max(batch_cached)
    print(f"worst whole-dashboard request: cold {cold:.1f} ms (target < {COLD_MS:.0f}), "
          f"cached {cached:.1f} ms (target < {CACHED_MS:.0f})")
    host.db.dispose()
    failures = []
    if cold >= COLD_MS:
        failures.append(f"{backend}: cold {cold:.0f} ms")
    if cached >= CACHED_MS:
        failures.append(f"{backend}: cached {cached:.0f} ms")
    return failures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--fresh", action="store_true", help="drop and reload the data")
    ap.add_argument("--redis", help="Redis URL for the gadget cache (default: in process)")
    args = ap.parse_args()
    failures = run(args.backend, args.orders, args.repeat, args.fresh, args.redis)
    if failures:
        print("\nOver target: " + "; ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
