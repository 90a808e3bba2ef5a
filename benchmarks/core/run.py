"""Core benchmark: load 100,000 orders, then time create, get and transition over HTTP.

    python benchmarks/core/run.py                          # both backends, 100,000 orders
    python benchmarks/core/run.py --backend sqlite --orders 20000 --requests 200

For each backend it makes a fresh database (PostgreSQL: a throw-away schema on
``AMSFLOW_BENCH_PG``, dropped at the end; SQLite: a file in a temp folder), loads the
orders with the demo bulk loader (``core.demo.bulk.bulk_load``, half in each demo
project) and times that, serves the app on loopback with gunicorn (the production
recipe; ``--server werkzeug`` for a threaded dev server), and drives it with one
keep-alive client as a planner with an API token:

- create: ``POST /rest/api/2/issue`` (a Målerbytte with a few custom fields);
- get: ``GET /rest/api/2/issue/{key}`` of random loaded orders;
- transition: ``POST /rest/api/2/issue/{key}/transitions`` START_PLANNING on distinct
  open orders.

It prints p50/p95/p99 in ms per operation and the load time, and exits non-zero when
a target is missed (load < 60 s on both; get and transition p50 < 10 ms on PostgreSQL).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
import yaml  # noqa: E402
from sqlalchemy import create_engine, select, text  # noqa: E402

from core.auth import create_token  # noqa: E402
from core.config import parse_config  # noqa: E402
from core.host import Amsflow, create_host  # noqa: E402
from core.models import Issue, User  # noqa: E402

PG_URL = os.environ.get("AMSFLOW_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
USER = "planlegger1"
ANALYZED = ("issues", "field_values", "change_groups", "change_items", "comments")
LOAD_TARGET_S = 60.0
P50_TARGET_MS = {"get": 10.0, "transition": 10.0}  # PostgreSQL, per issue 2


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


@contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    """A fresh, empty database URL; PostgreSQL's schema is dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'bench.sqlite'}"
        return
    schema = f"bench_core_{os.getpid()}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def write_config(url: str, folder: Path) -> Path:
    """The demo config pointed at ``url``, written where gunicorn's workers can read it."""
    cfg = yaml.safe_load((ROOT / "config" / "demo.yaml").read_text(encoding="utf-8"))
    cfg.update(database_url=url, data_dir=str(folder / "data"),
               workflows={"ams": str(ROOT / "workflows" / "ams.yaml")})
    path = folder / "bench.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


def prepare(config: Path, orders: int, say: Callable[[str], None]) -> tuple[float, str]:
    """Schema, demo users, a token for the planner, and the orders; (load s, token)."""
    from core.config import load_config
    from core.demo.bulk import bulk_load
    from core.demo.load import ensure_demo_users

    host: Amsflow = create_host(load_config(config))
    host.create_schema()
    ensure_demo_users(host, with_passwords=False)
    with host.db.new_session() as s:
        token = create_token(s, s.scalars(select(User).where(User.username == USER)).one(),
                             "benchmark")
    projects = [p["key"] for p in host.config["projects"]]
    started = time.perf_counter()
    for i, key in enumerate(projects):
        share = orders // len(projects) + (1 if i < orders % len(projects) else 0)
        stats = bulk_load(host, key, share, seed=i + 1)
        say(f"  {key}: {stats.orders:,} orders in {stats.seconds:.1f} s "
            f"({stats.rate:,.0f}/s)")
    load_s = time.perf_counter() - started
    with host.db.engine.begin() as conn:  # only our tables: other schemas may be busy
        for table in ANALYZED:
            conn.execute(text(f"ANALYZE {table}"))
    host.db.dispose()
    return load_s, token


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(config: Path, server: str, workers: int, threads: int,
          access_log: Path | None = None) -> Iterator[str]:
    """The app on a loopback port, in a child process; yields its base URL.

    Gunicorn writes each request's own time (``%(D)s`` µs) to ``access_log``, so the
    report can tell server time from client and socket time.
    """
    port = free_port()
    env = {**os.environ, "AMSFLOW_CONFIG": str(config), "AMSFLOW_SECRET_KEY": "benchmark",
           "PYTHONPATH": str(ROOT)}
    if server == "gunicorn":
        cmd = [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads),
               "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
        if access_log is not None:
            cmd += ["--access-logfile", str(access_log), "--access-logformat", "%(m)s %(U)s %(D)s"]
        cmd.append("core.wsgi:app")
    else:
        cmd = [sys.executable, "-c",
               "from werkzeug.serving import run_simple; from core.wsgi import app; "
               f"run_simple('127.0.0.1', {port}, app, threaded=True)"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}")
            try:
                if requests.get(f"{base}/health", timeout=10).status_code < 500:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            raise RuntimeError("server did not start")
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


class Client:
    """One kept-alive HTTP/1.1 connection with the planner's Basic auth.

    ``http.client`` rather than ``requests``: on these two cores ``requests`` spent
    about 1.3 ms of its own per request (hooks, cookie jar, adapters), which was
    counted in every figure although it is no part of the server's answer.
    """

    def __init__(self, base: str, token: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=60)
        self.headers = {"Authorization": "Basic " + base64.b64encode(
            f"{USER}:{token}".encode()).decode(), "Content-Type": "application/json"}

    def timed(self, method: str, path: str, expect: int, body: dict | None = None) -> float:
        """One request's wall time in ms; any other status than ``expect`` stops the run."""
        raw = json.dumps(body).encode() if body is not None else None
        t0 = time.perf_counter()
        self.conn.request(method, path, body=raw, headers=self.headers)
        response = self.conn.getresponse()
        data = response.read()
        ms = (time.perf_counter() - t0) * 1000
        if response.status != expect:
            raise RuntimeError(f"HTTP {response.status}: {data[:300]!r}")
        return ms


def drive(base: str, token: str, keys: list[str], n: int, warmup: int) -> dict[str, list[float]]:
    """Times (ms) of n creates, n gets and n transitions, after ``warmup`` of each.

    The warm-up is not for show: psycopg prepares a statement on its 5th run on a
    connection and PostgreSQL settles on a generic plan after 5 more, so a cold
    server spends milliseconds planning the issue query that a warm one skips.
    """
    client = Client(base, token)
    api = "/rest/api/2"
    rng = random.Random(7)
    sample = rng.sample(keys, min(len(keys), 2 * (n + warmup)))
    to_get, to_move = sample[:n + warmup], sample[n + warmup:]
    payload = {"fields": {  # custom field ids of config/demo.yaml
        "project": {"key": "ELV"}, "issuetype": {"name": "Målerbytte"},
        "summary": "Storgata 1, 0155 Oslo", "customfield_10013": "Kari Nordmann",
        "customfield_10014": "Storgata 1", "customfield_10015": "0155",
        "customfield_10016": "0301", "customfield_10017": "+4791234567"}}
    times: dict[str, list[float]] = {"create": [], "get": [], "transition": []}
    start_planning = {"transition": {"id": "11"}}
    for i in range(n + warmup):
        times["create"].append(client.timed("POST", f"{api}/issue", 201, payload))
        times["get"].append(client.timed("GET", f"{api}/issue/{to_get[i]}", 200))
        times["transition"].append(client.timed("POST", f"{api}/issue/{to_move[i]}/transitions",
                                                204, start_planning))
    return {op: values[warmup:] for op, values in times.items()}


def server_times(access_log: Path, n: int) -> dict[str, list[float]]:
    """The last ``n`` server times (ms) of each operation from gunicorn's access log."""
    times: dict[str, list[float]] = {"create": [], "get": [], "transition": []}
    if not access_log.exists():
        return times
    for line in access_log.read_text().splitlines():
        method, path, us = line.split()
        if not path.startswith("/rest/api/2/issue"):
            continue
        op = "transition" if path.endswith("/transitions") else \
            "create" if method == "POST" else "get"
        times[op].append(float(us) / 1000)
    return {op: values[-n:] for op, values in times.items()}


def run(backend: str, args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """Rows for the table and missed targets, for one backend."""
    say = print
    folder = Path(tempfile.mkdtemp(prefix="amsflow-bench-core-"))
    try:
        with database(backend, folder) as url:
            config = write_config(url, folder)
            say(f"{backend}: loading {args.orders:,} orders")
            load_s, token = prepare(config, args.orders, say)
            host = create_host(parse_config(yaml.safe_load(config.read_text())))
            host.load_catalog()
            with host.db.new_session() as s:
                keys = list(s.scalars(select(Issue.key).where(
                    Issue.status_id == host.catalog.status_ids["open"])))
            host.db.dispose()
            say(f"{backend}: serving with {args.server}, {args.requests} requests each")
            log = folder / "access.log"
            with serve(config, args.server, args.workers, args.threads, log) as base:
                times = drive(base, token, keys, args.requests, args.warmup)
            inside = server_times(log, args.requests)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rows = [f"{backend:<11} {'load':<11} {args.orders:>8,} orders in {load_s:.1f} s"]
    missed = [f"{backend}: load {load_s:.1f} s"] if load_s >= LOAD_TARGET_S else []
    for op, values in times.items():
        p50, p95, p99 = (percentile(values, p) for p in (50, 95, 99))
        own = f"{percentile(inside[op], 50):>10.1f}" if inside[op] else f"{'-':>10}"
        rows.append(f"{backend:<11} {op:<11} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f} {own}")
        if backend == "postgresql" and p50 >= P50_TARGET_MS.get(op, float("inf")):
            missed.append(f"{backend}: {op} p50 {p50:.1f} ms")
    return rows, missed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", choices=("postgresql", "sqlite", "both"), default="both")
    ap.add_argument("--orders", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=500, help="timed requests per operation")
    ap.add_argument("--warmup", type=int, default=200, help="untimed requests per operation")
    ap.add_argument("--server", choices=("gunicorn", "werkzeug"), default="gunicorn")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--threads", type=int, default=4)
    args = ap.parse_args()
    backends = ("postgresql", "sqlite") if args.backend == "both" else (args.backend,)
    rows: list[str] = []
    missed: list[str] = []
    for backend in backends:
        r, m = run(backend, args)
        rows += r
        missed += m
    print(f"\n{'backend':<11} {'operation':<11} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'server p50':>10}")
    print("\n".join(rows))
    if missed:
        print("\nOver target:\n  " + "\n  ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

