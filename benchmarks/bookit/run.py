"""Bookit benchmark: a planner's week of 50 installers × 30 orders a day (7,500 planned
orders) among many more, on PostgreSQL.

    python benchmarks/bookit/run.py                    # 1,000,000 orders (the target size)
    python benchmarks/bookit/run.py --orders 100000    # a smaller total, same week

Prints p50/p95 of (a) the calendar data for the week (``GET /rest/bookit/1/calendar``,
in process through the Flask test client, as the planner), (b) a drop (``PUT
/rest/bookit/1/schedule/KEY``: every rule, the edit, history), and (c) the time to
first render of that week in Chromium (navigation start to the calendar drawn, over a
real loopback server). Data is kept in the schema ``bench_bookit`` and reloaded only
when the order count differs. Exits non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core.config import parse_config  # noqa: E402
from core.fields import OSLO  # noqa: E402
from core.host import Amsflow, create_host  # noqa: E402
from core.models import Issue  # noqa: E402

PG_URL = os.environ.get("AMSFLOW_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = "bench_bookit"
INSTALLERS, PER_DAY = 50, 30
WEEK = date(2027, 3, 1)  # a Monday
TARGETS = {"calendar": 200.0, "drop": 50.0, "render": 1500.0}
PASSWORD = "Bench-123"
TOWN = (59.91, 10.75)


def make_host(fresh: bool) -> Amsflow:
    import yaml

    cfg = yaml.safe_load((ROOT / "config" / "demo.yaml").read_text(encoding="utf-8"))
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if fresh:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"'))
    admin.dispose()
    sep = "&" if "?" in PG_URL else "?"
    data_dir = Path(tempfile.gettempdir()) / "amsflow-bench-bookit"
    data_dir.mkdir(parents=True, exist_ok=True)
    cfg.update(database_url=f"{PG_URL}{sep}options=-csearch_path%3D{SCHEMA}",
               data_dir=str(data_dir), workflows={"ams": str(ROOT / "workflows" / "ams.yaml")})
    for p in cfg["projects"]:
        p["plugins"].setdefault("bookit", {})["overlap"] = "warn"
    host = create_host(parse_config(cfg))
    host.create_schema()
    return host


def users(host: Amsflow) -> list[str]:
    from core.auth import hash_password
    from core.models import User
    from core.services.users import create_user, grant_role
    from plugins.bookit import availability as av

    names = [f"montor{n:02d}" for n in range(1, INSTALLERS + 1)]
    with host.db.new_session() as s:
        if s.scalar(select(User).where(User.username == "planner")) is None:
            hashed = hash_password(PASSWORD)
            planner = create_user(s, "planner", "Per Planlegger", "")
            planner.password_hash = hashed
            grant_role(s, "ELV", "Planlegger", user=planner)
            rnd = random.Random(7)
            for n, name in enumerate(names):
                u = create_user(s, name, f"Montør {n + 1:02d}", "")
                grant_role(s, "ELV", "Montør", user=u)
                s.flush()
                av.set_profile(host, s, planner, u.id, team=f"Team {n // 10 + 1}",
                               home=(TOWN[0] + rnd.uniform(-0.2, 0.2),
                                     TOWN[1] + rnd.uniform(-0.4, 0.4)))
            s.commit()
    return names


def orders(total: int, names: list[str]) -> Any:
    """The week's 7,500 (30 a day per installer, 15 minutes each, 07:30 on), then the
    rest: half planned on other weeks over two years, half waiting."""
    rnd = random.Random(1)
    n = 0
    for day in range(5):
        for who in names:
            for slot in range(PER_DAY):
                n += 1
                yield _order(n, rnd, "planning", who, datetime.combine(
                    WEEK + timedelta(days=day), datetime.min.time(), OSLO)
                    + timedelta(hours=7, minutes=30 + 15 * slot), 900)
    while n < total:
        n += 1
        if n % 2:
            when = datetime.combine(WEEK + timedelta(days=rnd.choice(
                [d for d in range(-365, 365) if not 0 <= d < 7])), datetime.min.time(), OSLO) \
                + timedelta(hours=rnd.randint(8, 14))
            yield _order(n, rnd, "ready", rnd.choice(names), when, 3600)
        else:
            yield _order(n, rnd, "planning", None, None, None)


def _order(n: int, rnd: random.Random, status: str, who: str | None, when: Any,
           secs: Any) -> dict[str, Any]:
    return {"summary": f"Målerbytte {n}", "status": status, "assignee": who,
            "planned_start": when, "estimate": secs, "customer_name": f"Kunde {n}",
            "address": f"Gate {n % 300}", "postcode": "0150", "post_town": "Oslo",
            "important_info": n % 17 == 0,
            "position": (TOWN[0] + rnd.uniform(-0.3, 0.3), TOWN[1] + rnd.uniform(-0.6, 0.6))}


def load(host: Amsflow, total: int, names: list[str]) -> None:
    from core.demo.bulk import bulk_insert_orders

    with host.db.engine.connect() as conn:
        have = conn.scalar(select(func.count()).select_from(Issue))
    if have == total:
        print(f"  {have:,} orders already loaded")
        return
    if have:
        raise SystemExit(f"schema {SCHEMA} holds {have:,} orders; run with --fresh")
    started = time.perf_counter()
    stats = bulk_insert_orders(host, "ELV", orders(total, names), expected=total)
    print(f"  loaded {stats.orders:,} orders in {time.perf_counter() - started:.0f} s")
    with host.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for name in ("issues", "field_values", "change_groups", "users",
                     "project_role_members", "bookit_installers"):
            conn.execute(text(f"VACUUM (ANALYZE) {name}"))


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def report(name: str, ms: list[float]) -> bool:
    p50, p95 = statistics.median(ms), pct(ms, 95)
    ok = p95 < TARGETS[name]
    print(f"{name:>9}: p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  (n={len(ms)}, target p95 < "
          f"{TARGETS[name]:.0f} ms: {'met' if ok else 'MISSED'})")
    return ok


def bearer(host: Amsflow) -> dict[str, str]:
    """An API token for the planner: what a client (or the browser's session) sends on
    every request, without Basic auth's deliberately slow password hash."""
    from core.auth import create_token
    from core.models import User

    with host.db.new_session() as s:
        token = create_token(s, s.scalar(select(User).where(User.username == "planner")),
                             f"bench-{time.time()}")
        s.commit()
    return {"Authorization": f"Bearer {token}"}


def bench_calendar(app: Any, auth: dict[str, str], runs: int) -> tuple[list[float], int]:
    client = app.test_client()
    url = f"/rest/bookit/1/calendar?start={WEEK}&end={WEEK + timedelta(days=7)}"
    ms, events = [], 0
    for n in range(runs + 2):
        t = time.perf_counter()
        r = client.get(url, headers=auth)
        took = (time.perf_counter() - t) * 1000
        assert r.status_code == 200, r.json
        events = sum(1 for e in r.json["events"] if e.get("display") != "background")
        if n >= 2:  # the first two warm the caches, as an open calendar has them
            ms.append(took)
    return ms, events


def bench_drop(app: Any, auth: dict[str, str], runs: int) -> list[float]:
    """Move orders of the week by 15 minutes within their day (an overlap warning
    each: the day is full), one PUT each with its version."""
    client = app.test_client()
    r = client.get(f"/rest/bookit/1/calendar?start={WEEK}&end={WEEK + timedelta(days=1)}",
                   headers=auth).json
    events = [e for e in r["events"] if e.get("display") != "background"][:runs + 2]
    people = {c["id"]: c["extendedProps"]["username"] for t in r["resources"]
              for c in t["children"]}
    ms = []
    for n, e in enumerate(events):
        start = datetime.fromisoformat(e["start"])
        target = start + timedelta(minutes=15 if start.hour < 14 else -15)
        body = {"assignee": people[e["resourceIds"][0]], "start": target.isoformat(),
                "version": e["extendedProps"]["version"]}
        t = time.perf_counter()
        answer = client.put(f"/rest/bookit/1/schedule/{e['id']}", json=body, headers=auth)
        took = (time.perf_counter() - t) * 1000
        assert answer.status_code == 200, answer.json
        if n >= 2:
            ms.append(took)
    return ms


def bench_render(app: Any, runs: int) -> list[float]:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    ms = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(f"{base}/login")
        page.fill("#username", "planner")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        for n in range(runs + 1):
            page.goto(f"{base}/bookit/?date={WEEK}&view=week")
            page.wait_for_selector("#bookit-calendar[data-ready=true]", timeout=60000)
            page.wait_for_function("document.querySelectorAll('.ec-event').length > 7000",
                                   timeout=60000)
            took = page.evaluate("performance.now()")
            if n >= 1:
                ms.append(took)
        browser.close()
    server.shutdown()
    return ms


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--fresh", action="store_true", help="drop and reload the data")
    ap.add_argument("--no-browser", action="store_true", help="skip the Chromium render")
    args = ap.parse_args()
    os.environ.setdefault("AMSFLOW_SECRET_KEY", "bench")
    host = make_host(args.fresh)
    names = users(host)
    print(f"Bookit benchmark on PostgreSQL, {args.orders:,} orders, {INSTALLERS} installers"
          f" × {PER_DAY}/day in the week of {WEEK}")
    load(host, args.orders, names)
    from core.app import create_app

    host.db.dispose()
    app = create_app(host.config, overrides={"TESTING": True})
    auth = bearer(app.extensions["amsflow"])
    cal_ms, events = bench_calendar(app, auth, args.runs)
    print(f"  the week holds {events:,} planned orders")
    ok = report("calendar", cal_ms)
    ok &= report("drop", bench_drop(app, auth, args.runs))
    if not args.no_browser:
        ok &= report("render", bench_render(app, max(3, args.runs // 6)))
    app.extensions["amsflow"].db.dispose()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
