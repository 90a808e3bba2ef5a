"""Mobile benchmark: 200 installers sync their day (30 orders with details each) at once.

    python benchmarks/mobile/run.py                        # 200 installers × 30 orders
    python benchmarks/mobile/run.py --installers 50 --in-flight 50

Makes a throw-away PostgreSQL schema on ``AMSFLOW_BENCH_PG``, the demo users plus
``--installers`` installers (role Montør through the group ``montører``, an API token
each), and for each installer ``--orders`` orders in Klar til utførelse today with
the details the phone shows (customer, address, mobile, meter, metering point id,
description, important info on some, two comments), among ``--background`` other
orders in every status. The app is served by gunicorn (the production recipe) and
each installer is one client on its own kept-alive connection:

1. full sync: ``GET /rest/mobile/1/sync`` with no cursor (the whole day);
2. incremental sync: ``GET …/sync?cursor=`` with the cursor from 1;
3. a batch of the morning's actions: ``POST …/actions`` (start two orders, comment).

Each round starts all installers at the same moment (a barrier); ``--in-flight``
limits how many requests are on the wire at once (default: all of them). It prints
p50/p95/max per round (client wall time, and the server's own time from gunicorn's
access log) and exits non-zero when the full sync's p95 misses 300 ms.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import importlib.util
import json
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

_spec = importlib.util.spec_from_file_location("core_bench", ROOT / "benchmarks/core/run.py")
core_bench = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(core_bench)  # type: ignore[union-attr]

from sqlalchemy import select, text  # noqa: E402

from core.auth import create_token  # noqa: E402
from core.config import load_config  # noqa: E402
from core.demo.bulk import bulk_insert_orders, bulk_load  # noqa: E402
from core.demo.load import ensure_demo_users  # noqa: E402
from core.fields import OSLO  # noqa: E402
from core.host import create_host  # noqa: E402
from core.models import User  # noqa: E402
from core.services.users import create_user, get_or_create_group, grant_role  # noqa: E402

TARGET_MS = 300.0
percentile = core_bench.percentile


def prepare(config: Path, installers: int, per: int, background: int) -> dict[str, str]:
    """Users, tokens and orders; returns {username: token}."""
    host = create_host(load_config(config))
    host.create_schema()
    ensure_demo_users(host, with_passwords=False)
    tokens: dict[str, str] = {}
    with host.db.new_session() as s:
        group = get_or_create_group(s, "montører")
        grant_role(s, "ELV", "Montør", group=group)
        for n in range(1, installers + 1):
            user = create_user(s, f"bench{n:03d}", f"Montør {n:03d}", "")
            user.groups.append(group)
            s.flush()
            tokens[user.username] = create_token(s, user, "benchmark")
        s.commit()
    if background:
        bulk_load(host, "FJN", background, seed=3)
    today = datetime.now(OSLO).replace(hour=7, minute=0, second=0, microsecond=0)
    orders = []
    for n in range(1, installers + 1):
        for k in range(per):
            start = today + timedelta(minutes=17 * k)
            orders.append({
                "summary": f"Målerbytte Storgata {k + 1}", "status": "ready",
                "assignee": f"bench{n:03d}", "planned_start": start,
                "estimate": 1800, "customer_name": f"Kari Nordmann {n}-{k}",
                "address": f"Storgata {k + 1}", "postcode": "0155", "post_town": "Oslo",
                "municipality": "0301", "mobile": "+4791234567", "position": (59.91, 10.75),
                "meter_number": f"{n:03d}{k:04d}", "metering_point_id": f"7070570000{n:04d}{k:04d}",
                "important_info": k % 7 == 0, "difficult_meter": k % 11 == 0,
                "description": "Måleren står i kjelleren. Nøkkel hos nabo i nr. 3.",
                "comments": [(start - timedelta(days=2), "planlegger1", "Kunden bekreftet på SMS."),
                             (start - timedelta(days=1), "planlegger1", "Ring 30 min før.")]})
    bulk_insert_orders(host, "ELV", orders)
    with host.db.engine.begin() as conn:
        for table in core_bench.ANALYZED:
            conn.execute(text(f"ANALYZE {table}"))
    with host.db.new_session() as s:
        assert s.scalar(select(User).where(User.username == "bench001")) is not None
    host.db.dispose()
    return tokens


class Phone:
    """One installer's kept-alive connection with their token."""

    def __init__(self, base: str, user: str, token: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=120)
        self.headers = {"Authorization": "Basic " + base64.b64encode(
            f"{user}:{token}".encode()).decode(), "Content-Type": "application/json"}
        self.cursor = ""
        self.keys: list[str] = []
        self.revs: dict[str, int] = {}

    def call(self, method: str, path: str, body: Any = None) -> tuple[float, Any]:
        raw = json.dumps(body).encode() if body is not None else None
        for attempt in (1, 2):
            t0 = time.perf_counter()
            try:
                self.conn.request(method, path, body=raw, headers=self.headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionError):
                # gunicorn closes a connection idle past its keep-alive: dial again,
                # as a phone would, and time the request from there.
                self.conn.close()
                if attempt == 2:
                    raise
        ms = (time.perf_counter() - t0) * 1000
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {data[:300]!r}")
        return ms, json.loads(data)


def round_of(phones: list[Phone], step: Any, in_flight: int) -> list[float]:
    """Run ``step`` for every phone, all starting together; their times in ms."""
    times: list[float] = []
    gate = threading.Barrier(len(phones))
    wire = threading.Semaphore(in_flight)
    lock = threading.Lock()
    errors: list[BaseException] = []

    def go(phone: Phone) -> None:
        try:
            gate.wait()
            with wire:
                ms = step(phone)
            with lock:
                times.append(ms)
        except BaseException as exc:  # noqa: BLE001 - reported after the round
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(p,)) for p in phones]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return times


def full(phone: Phone) -> float:
    ms, data = phone.call("GET", "/rest/mobile/1/sync")
    assert len(data["orders"]) == len(data["keys"]) > 0, data["keys"]
    phone.cursor, phone.keys = data["cursor"], data["keys"]
    phone.revs = {o["key"]: o["rev"] for o in data["orders"]}
    return ms


def incremental(phone: Phone) -> float:
    from urllib.parse import quote

    ms, data = phone.call("GET", f"/rest/mobile/1/sync?cursor={quote(phone.cursor)}")
    assert data["keys"] == phone.keys
    return ms


def actions(phone: Phone) -> float:
    first, second = phone.keys[:2]
    batch = [{"clientId": f"{phone.keys[0]}-start", "type": "start", "issue": first,
              "base": phone.revs[first]},
             {"clientId": f"{phone.keys[0]}-comment", "type": "comment", "issue": first,
              "body": "På plass."},
             {"clientId": f"{phone.keys[0]}-start2", "type": "start", "issue": second,
              "base": phone.revs[second]}]
    ms, data = phone.call("POST", "/rest/mobile/1/actions", {"actions": batch})
    assert [r["status"] for r in data["results"]] == [200, 201, 200], data["results"]
    return ms


def server_ms(log: Path, path_part: str, n: int) -> list[float]:
    rows = [line.split() for line in log.read_text().splitlines() if path_part in line]
    return [int(r[-1]) / 1000 for r in rows[-n:]]


def line(name: str, times: list[float]) -> str:
    return (f"{name:<22} n={len(times):>4}  p50 {percentile(times, 50):7.1f}  "
            f"p95 {percentile(times, 95):7.1f}  max {max(times):7.1f} ms")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--installers", type=int, default=200)
    ap.add_argument("--orders", type=int, default=30, help="orders per installer")
    ap.add_argument("--background", type=int, default=20000, help="other orders")
    ap.add_argument("--in-flight", type=int, default=0, help="0: all at once")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--threads", type=int, default=4)
    args = ap.parse_args()
    in_flight = args.in_flight or args.installers
    with tempfile.TemporaryDirectory() as tmp, \
            core_bench.database("postgresql", Path(tmp)) as url:
        folder = Path(tmp)
        config = core_bench.write_config(url, folder)
        t0 = time.perf_counter()
        tokens = prepare(config, args.installers, args.orders, args.background)
        print(f"data: {args.installers} installers × {args.orders} orders "
              f"+ {args.background:,} others in {time.perf_counter() - t0:.1f} s")
        log = folder / "access.log"
        with core_bench.serve(config, "gunicorn", args.workers, args.threads, log) as base:
            phones = [Phone(base, u, t) for u, t in tokens.items()]
            round_of(phones[:20], full, 20)  # warm the workers' connections and plans
            results = {}
            for name, step in (("full sync", full), ("incremental sync", incremental),
                               ("actions batch", actions)):
                times = round_of(phones, step, in_flight)
                results[name] = times
                print(line(name, times))
                path = "/actions" if step is actions else "/sync"
                print(line("  server time", server_ms(log, path, len(times))))
    print(f"gunicorn {args.workers}×{args.threads}, in flight: {in_flight}")
    p95 = percentile(results["full sync"], 95)
    ok = p95 < TARGET_MS
    print(f"full sync p95 {p95:.1f} ms: target < {TARGET_MS:.0f} ms "
          f"{'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
