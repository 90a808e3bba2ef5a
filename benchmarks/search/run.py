"""Search benchmark: typical planner queries over many orders, p50/p95 of the first
page and of the total count.

    python benchmarks/search/run.py                       # both: PG 1,000,000, SQLite 100,000
    python benchmarks/search/run.py --backend sqlite --orders 20000   # a quick check

Orders come from the demo loader (``core.demo``): realistic towns, stages, statuses,
assignees and change history. The data is kept between runs (a PostgreSQL schema
``bench_search``, a SQLite file in the temp folder) and reloaded only when the
order count differs. Queries run as a planner (not an admin), so the browse
permission clause is part of every query, as in real use.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from queries import planner_queries  # noqa: E402

from core.config import parse_config  # noqa: E402
from core.host import Amsflow, create_host  # noqa: E402
from core.jql import compile_search, count, page, parse  # noqa: E402
from core.models import Issue, User  # noqa: E402

PG_URL = os.environ.get("AMSFLOW_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = "bench_search"
CHUNK = 100_000
TARGETS = {"postgresql": 100.0, "sqlite": 50.0}
SLOW_TARGET = 300.0  # text and history queries
ANALYZED = ("issues", "field_values", "change_groups", "change_items", "comments", "users",
            "search_history_values", "search_history_changes", "issue_search")


def make_host(backend: str, fresh: bool, schema: str = SCHEMA,
              folder: str = "amsflow-bench-search") -> Amsflow:
    """A host on the benchmark's PostgreSQL ``schema`` or its SQLite file in the temp
    ``folder`` (other benchmarks that load the same orders pass their own)."""
    import yaml

    cfg = yaml.safe_load((ROOT / "config" / "demo.yaml").read_text(encoding="utf-8"))
    data_dir = Path(tempfile.gettempdir()) / folder
    data_dir.mkdir(parents=True, exist_ok=True)
    if backend == "postgresql":
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if fresh:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        admin.dispose()
        sep = "&" if "?" in PG_URL else "?"
        url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    else:
        db = data_dir / "bench.sqlite"
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{db}"
    cfg.update(database_url=url, data_dir=str(data_dir),
               workflows={"ams": str(ROOT / "workflows" / "ams.yaml")})
    host = create_host(parse_config(cfg))
    host.create_schema()
    with host.db.engine.begin() as conn:  # indexes added since the data was loaded
        conn.execute(text("CREATE INDEX IF NOT EXISTS ix_field_values_field_lower_str "
                          "ON field_values (field_id, lower(value_str))"))
        conn.execute(text("CREATE INDEX IF NOT EXISTS ix_change_groups_created "
                          "ON change_groups (created)"))
        for name, columns, old in (("ix_issues_status_created", "status_id, created",
                                    "ix_issues_status_id"),
                                   ("ix_issues_resolution_updated", "resolution_id, updated",
                                    "ix_issues_resolution_id")):
            conn.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON issues ({columns})"))
            conn.execute(text(f"DROP INDEX IF EXISTS {old}"))
        if backend == "postgresql":  # the dates joined this index after a first load
            found = conn.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = "
                                      "'ix_issue_search_project_status' AND schemaname = :s"),
                                 {"s": schema}).scalar()
            if found and "INCLUDE" not in found:
                conn.execute(text("DROP INDEX ix_issue_search_project_status"))
                conn.execute(text("CREATE INDEX ix_issue_search_project_status ON issue_search "
                                  "(project_id, status_id) INCLUDE (issue_id, created, d1, d2, "
                                  "d3, d4)"))
    analyze(host)
    return host


def load(host: Amsflow, n: int, say: Callable[[str], None], have: int = 0) -> None:
    """Orders up to ``n`` split over the projects, in chunks so memory stays small.

    ``have`` orders are there already: the rest is added with other seeds, so a
    bigger run reuses a smaller one's data instead of loading it again.
    """
    from core.demo.load import ensure_demo_users, load_project

    ensure_demo_users(host, with_passwords=False)
    projects = [p["key"] for p in host.config["projects"]]
    done, seed = have, 1 + have // 1000
    started = time.perf_counter()
    while done < n:
        key = projects[seed % len(projects)]
        size = min(CHUNK, max(1, (n - have) // (2 * len(projects))), n - done)
        stats = load_project(host, key, size, seed=seed)
        done += stats.orders
        seed += 1
        say(f"  {done:>9,} orders ({time.perf_counter() - started:.0f} s)")
    analyze(host)


def analyze(host: Amsflow) -> None:
    """Planner statistics for the searched tables. Named tables only: a bare ANALYZE on
    PostgreSQL would visit every schema in the database. On SQLite the big tables are
    sampled (quick); ``issue_search`` is read whole (0.2 s at 100,000), as sampled
    figures for its partial indexes made SQLite sort 16,000 rows instead of walking
    the planned-start index (70 ms against 0.3 ms).

    On PostgreSQL it is ``VACUUM (ANALYZE)``, the state autovacuum leaves a table in a
    few minutes after a load: until the visibility map is set, a count over 500,000
    orders cannot be an index-only scan and read every heap page (104 ms against 55)."""
    sqlite = host.db.engine.dialect.name == "sqlite"
    if not sqlite:
        with host.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for name in ANALYZED:
                conn.execute(text(f"VACUUM (ANALYZE) {name}"))
        return
    with host.db.engine.begin() as conn:
        for name in ANALYZED:
            conn.execute(text(f"PRAGMA analysis_limit = {0 if name == 'issue_search' else 1000}"))
            conn.execute(text(f"ANALYZE {name}"))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure(host: Amsflow, user: User, jql: str, repeat: int) -> dict[str, Any]:
    """Times (ms) of compiling + fetching the first page of 50 orders with their field
    values (as ``core.jql.search`` does: ids first, then the rows), and of the count."""
    page_ms, count_ms, total = [], [], 0
    for _ in range(repeat):
        with host.db.new_session() as s:
            me = s.get(User, user.id)
            t0 = time.perf_counter()
            compiled = compile_search(host, parse(jql), me, s)
            rows = page(s, compiled, 0, 50)
            t1 = time.perf_counter()
            total = count(s, compiled)
            t2 = time.perf_counter()
        page_ms.append((t1 - t0) * 1000)
        count_ms.append((t2 - t1) * 1000)
        assert len(rows) <= 50
    return {"total": total, "page50": statistics.median(page_ms),
            "page95": percentile(page_ms, 95), "count50": statistics.median(count_ms),
            "count95": percentile(count_ms, 95)}


def run(backend: str, n: int, repeat: int, fresh: bool, only: str | None,
        load_only: bool = False) -> list[str]:
    say = print
    host = make_host(backend, fresh)
    with host.db.new_session() as s:
        have = s.scalar(select(func.count()).select_from(Issue)) or 0
    if have != n:
        if have > n:
            host.db.dispose()
            host = make_host(backend, True)
            have = 0
        say(f"{backend}: loading {n - have:,} orders ({have:,} there)")
        load(host, n, say, have)
    if load_only:
        host.db.dispose()
        return []
    with host.db.new_session() as s:
        planner = s.scalars(select(User).where(User.username == "planlegger1")).one()
        queries = planner_queries(host, s)
    target = TARGETS[backend]
    # Objects made at start-up (host, mappers, grammar) out of the collector's way, as a
    # preloading app server does: else a full collection (~60 ms here) now and then
    # lands inside a timed query and is all that the p95 shows.
    gc.collect()
    gc.freeze()
    say(f"\n{backend}, {n:,} orders, {repeat} runs each, as planlegger1 (times in ms)")
    say(f"{'query':<34} {'total':>8} {'page p50':>9} {'p95':>7} {'count p50':>10} {'p95':>7}  ok")
    failures = []
    for name, jql, slow in queries:
        if only and only not in name:
            continue
        measure(host, planner, jql, 1)  # warm the cache
        r = measure(host, planner, jql, repeat)
        limit = SLOW_TARGET if slow else target
        ok = r["page95"] < limit and r["count95"] < limit
        if not ok:
            failures.append(f"{backend}: {name} ({jql})")
        say(f"{name:<34} {r['total']:>8,} {r['page50']:>9.1f} {r['page95']:>7.1f} "
            f"{r['count50']:>10.1f} {r['count95']:>7.1f}  {'yes' if ok else 'NO'}")
    host.db.dispose()
    return failures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", choices=("postgresql", "sqlite", "both"), default="both")
    ap.add_argument("--orders", type=int, help="orders (default 1,000,000 PG / 100,000 SQLite)")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--fresh", action="store_true", help="drop and reload the data")
    ap.add_argument("--only", help="run the queries whose name contains this")
    ap.add_argument("--load-only", action="store_true", help="load the data, run no query")
    args = ap.parse_args()
    backends = ("postgresql", "sqlite") if args.backend == "both" else (args.backend,)
    failures: list[str] = []
    for backend in backends:
        n = args.orders or (1_000_000 if backend == "postgresql" else 100_000)
        failures += run(backend, n, args.repeat, args.fresh, args.only, args.load_only)
    if failures:
        print("\nOver target:\n  " + "\n  ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
