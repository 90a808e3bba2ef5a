"""Benchmark: bulk change on PostgreSQL with real rq workers while another client reads.

Builds a throw-away instance (a fresh PostgreSQL schema, the demo config with ELV
sending through the loopback Link stand-in, Redis jobs on a queue of its own), loads
orders with the demo loader, serves the app over HTTP on loopback (gunicorn), then

1. ``--orders`` (10,000) orders Åpen → Under planlegging (START_PLANNING) as one
   bulk task worked by ``--workers`` (1) runners (``jobs.bulk_workers``);
2. ``--sms`` (1,000) of them through PC_TRANSITION_BOOKING_SENT, each a real HTTP
   call to the Link stand-in, worked by ``--booking-workers`` (1) runners;

while a reader keeps fetching ``GET /rest/api/2/issue/{key}``. Prints orders/s and
the reader's p95 idle and during each run, how many orders each runner did, and
checks no order changed twice and no SMS went out twice. As many ``amsflow
worker`` processes run as the larger of the two runner counts. ``--profile``
(or ``--profile booking``) runs a part of step 1 (or step 2) in this process under
cProfile instead and prints the top functions.

    python benchmarks/bulk/run.py [--orders 10000] [--sms 1000] [--workers 1]
                                  [--booking-workers 1] [--chunk N] [--pause R]
                                  [--nice N] [--gateway-latency MS]
                                  [--profile [plain|booking]]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from sqlalchemy import create_engine, event, func, select, text, update  # noqa: E402

from benchmarks.bulk.reader import Reader, serve  # noqa: E402
from core.auth import create_token  # noqa: E402
from core.bulk import service  # noqa: E402
from core.bulk.models import BulkTask  # noqa: E402
from core.bulk.runner import runner_count  # noqa: E402
from core.config import parse_config  # noqa: E402
from core.demo.bulk import bulk_load  # noqa: E402
from core.host import create_host  # noqa: E402
from core.models import ChangeGroup, ChangeItem, FieldValue, Issue  # noqa: E402
from core.services import uow  # noqa: E402
from core.services.users import create_user, get_or_create_group, grant_role  # noqa: E402
from plugins.sms.tests.linkstub import LinkStub  # noqa: E402

PG_URL = os.environ.get("AMSFLOW_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("AMSFLOW_BENCH_REDIS", "redis://127.0.0.1:6379/0")
FINAL = ("COMPLETE", "CANCELLED", "FAILED")


def config(folder: Path, url: str, stub: LinkStub, args: argparse.Namespace) -> Path:
    cfg = yaml.safe_load((ROOT / "config" / "demo.yaml").read_text(encoding="utf-8"))
    jobs = {"queue": f"bench-bulk-{uuid.uuid4().hex[:8]}"}
    if args.chunk:
        jobs["bulk_chunk"] = args.chunk
    if args.pause is not None:
        jobs["bulk_pause_ratio"] = args.pause
    if args.nice is not None:
        jobs["bulk_nice"] = args.nice
    cfg.update(database_url=url, data_dir=str(folder / "data"), redis_url=REDIS, jobs=jobs,
               workflows={"ams": str(ROOT / "workflows" / "ams.yaml")})
    cfg["projects"][0]["plugins"]["sms"] = {
        "provider": "link", "reply_number": "2222", "sender": "Elvnett",
        "quiet_start": "00:00", "quiet_end": "00:00",  # send at any hour
        "link": {"base_url": stub.base_url, "platform_id": "P", "platform_partner_id": "PP",
                 "gate_id": "G1", "timeout": 5, "attempts": 3, "backoff": 0.05}}
    path = folder / "instance.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


def people(host: Any) -> tuple[Any, str]:
    """The planner who runs the bulk change and a token for the reader."""
    session = host.db.session()

    def make() -> tuple[Any, str]:
        planner = create_user(session, "planner", "Per Planlegger", "Passord-123")
        create_user(session, "montor", "Øystein Måløy", "Passord-123")
        reader = create_user(session, "reader", "Rita Leser", "Passord-123")
        group = get_or_create_group(session, "planleggere")
        planner.groups.append(group)
        reader.groups.append(group)
        grant_role(session, "ELV", "Planlegger", group=group)
        return planner, create_token(session, reader, "bench")

    return uow.run(host, session, make)


def prepare_for_booking(host: Any, ids: list[int]) -> None:
    """Give orders what booking needs (valid mobile, planned start, assignee) in SQL."""
    f = host.fields
    session = host.db.session()
    montor = session.scalar(text("SELECT id FROM users WHERE username = 'montor'"))
    session.execute(update(Issue).where(Issue.id.in_(ids)).values(assignee_id=montor))
    wanted = {f["mobile"].id: "value_str", f["planned_start"].id: "value_date"}
    session.execute(FieldValue.__table__.delete().where(
        FieldValue.issue_id.in_(ids), FieldValue.field_id.in_(list(wanted))))
    start = host.now().replace(microsecond=0)
    from datetime import timedelta

    rows = []
    for n, issue_id in enumerate(ids):
        rows.append({"issue_id": issue_id, "field_id": f["mobile"].id,
                     "value_str": f"+479{n:07d}", "value_date": None})
        rows.append({"issue_id": issue_id, "field_id": f["planned_start"].id, "value_str": None,
                     "value_date": start + timedelta(days=3, minutes=30 * (n % 16))})
    session.execute(FieldValue.__table__.insert(), rows)
    host.db.commit(session)


def workers(cfg: Path, n: int) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "AMSFLOW_SECRET_KEY": "bench", "PYTHONPATH": str(ROOT),
           "LINK_SMS_USERNAME": "bench", "LINK_SMS_PASSWORD": "pw"}
    return [subprocess.Popen([sys.executable, "-m", "core.cli", "--config", str(cfg), "worker"],
                             env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
            for _ in range(n)]


def run_task(host: Any, planner: Any, selection: str | list[int], transition: str,
             reader: Reader, runners: int) -> tuple[BulkTask, float]:
    """Submit one bulk transition (a JQL query or order ids) to ``runners`` runners
    and wait for it; returns the task and the wall seconds from submit to its end."""
    host.config.data["jobs"]["bulk_workers"] = runners
    session = host.db.session()
    if isinstance(selection, str):
        issues = service.select_issues(host, session, planner, jql=selection)
    else:
        issues = service.select_issues(host, session, planner,
                                       keys=[str(i) for i in selection])
    task = uow.run(host, session, lambda: service.submit(
        host, session, planner, issues, "transition", {"transition": transition},
        notify=False))
    session.close()
    started = time.perf_counter()
    reader.mark("run")
    while True:
        with host.db.new_session() as s:
            current = s.get(BulkTask, task.id)
            if current.status in FINAL:
                break
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    reader.mark("idle")
    return current, seconds


def cpu_seconds(procs: list[subprocess.Popen[bytes]]) -> float:
    """CPU seconds (user + system) the worker processes used so far (Linux /proc), a
    figure the machine's other load does not change much."""
    total = 0
    for proc in procs:
        try:
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def runner_orders(host: Any, task_id: str) -> str:
    """How many orders each runner job of the task did (from the rq job results)."""
    from redis import Redis
    from rq.job import Job

    conn = Redis.from_url(REDIS)
    done: list[str] = []
    for k in range(runner_count(host)):
        job_id = f"bulk-{task_id}" + (f"-{k}" if k else "")
        for _ in range(100):  # the last runner's result lands just after the task ends
            result = Job.fetch(job_id, connection=conn).return_value()
            if result is not None:
                done.append(str(result["orders"]))
                break
            time.sleep(0.05)
        else:
            done.append("?")
    return f"{len(done)} runner(s), orders per runner: {' + '.join(done)}"


def profile(host: Any, planner: Any, n: int, booking: bool = False) -> None:
    """A part of step 1 (or with ``booking``, of step 2) in this process under cProfile."""
    import cProfile
    import pstats

    from core.bulk.runner import run_task as runner

    session = host.db.session()
    issues = service.select_issues(host, session, planner,
                                   jql="project = ELV AND status = Åpen")[:n]
    host.jobs.redis_url = None  # the submits' queued jobs are left for nobody
    host.config.data["jobs"]["bulk_pause_ratio"] = 0.0  # time the work, not the pauses
    host.config.data["jobs"]["bulk_nice"] = 0  # on this thread, where cProfile sees it

    def submit(transition: str) -> Any:
        return uow.run(host, session, lambda: service.submit(
            host, session, planner, issues, "transition", {"transition": transition},
            notify=False))

    task = submit("START_PLANNING")
    if booking:
        runner(host, task.id)
        prepare_for_booking(host, [i.id for i in issues])
        session.expire_all()
        task = submit("PC_TRANSITION_BOOKING_SENT")
    statements: dict[str, list[float]] = {}

    @event.listens_for(host.db.engine, "before_cursor_execute")
    def before(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        conn.info["bench_t0"] = time.perf_counter()

    @event.listens_for(host.db.engine, "after_cursor_execute")
    def after(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        word = " ".join(sql.split()[:3]).rstrip("_0123456789")
        spent = statements.setdefault(word, [0, 0.0])
        spent[0] += 1
        spent[1] += time.perf_counter() - conn.info.pop("bench_t0", time.perf_counter())

    prof = cProfile.Profile()
    started = time.perf_counter()
    prof.runcall(runner, host, task.id)
    seconds = time.perf_counter() - started
    print(f"profiled {n} orders in {seconds:.2f} s = {n / seconds:.0f} orders/s")
    for word, (times, spent) in sorted(statements.items(), key=lambda kv: -kv[1][1])[:12]:
        print(f"{times / n:6.2f} per order, {spent * 1000 / times:6.2f} ms each  {word}")
    stats = pstats.Stats(prof)
    stats.sort_stats("cumulative").print_stats(r"core|plugins", 30)
    stats.sort_stats("tottime").print_stats(15)


def main() -> int:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=10000)
    parser.add_argument("--sms", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1, help="runners for step 1")
    parser.add_argument("--booking-workers", type=int, default=1, help="runners for step 2")
    parser.add_argument("--chunk", type=int, default=None)
    parser.add_argument("--pause", type=float, default=None)
    parser.add_argument("--nice", type=int, default=None, help="jobs.bulk_nice")
    parser.add_argument("--gateway-latency", type=float, default=0.0, metavar="MS",
                        help="the Link stand-in answers each request after MS ms")
    parser.add_argument("--profile", choices=("plain", "booking"), nargs="?", const="plain",
                        help="profile the plain transition (default) or booking in process")
    args = parser.parse_args()
    os.environ.update(LINK_SMS_USERNAME="bench", LINK_SMS_PASSWORD="pw",
                      AMSFLOW_SECRET_KEY=os.environ.get("AMSFLOW_SECRET_KEY", "bench"))
    schema = f"bench_bulk_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}&application_name={schema}"
    problems: list[str] = []
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp, LinkStub("bench", "pw") as stub:
            stub.state.latency = args.gateway_latency / 1000
            cfg = config(Path(tmp), url, stub, args)
            host = create_host(parse_config(yaml.safe_load(cfg.read_text(encoding="utf-8")),
                                            cfg))
            host.create_schema()
            planner, token = people(host)
            stats = bulk_load(host, "ELV", args.orders)
            print(f"Loaded {stats.orders} orders in {stats.seconds:.1f} s", flush=True)
            jobs = host.config["jobs"]
            processes = max(args.workers, args.booking_workers)
            print(f"chunk {jobs['bulk_chunk']}, pause ratio {jobs['bulk_pause_ratio']}, "
                  f"nice {jobs['bulk_nice']}, {processes} worker process(es)", flush=True)
            if args.profile:
                profile(host, planner, min(args.orders, 2000), args.profile == "booking")
                return 0
            procs = workers(cfg, processes)
            server = serve(cfg, Path(tmp))
            try:
                with Reader(server.url, token, [stats.first_key, stats.last_key]) as reader:
                    time.sleep(8)  # idle readings while the workers start
                    cpu = cpu_seconds(procs)
                    task, secs = run_task(host, planner, "project = ELV AND status = Åpen",
                                          "START_PLANNING", reader, args.workers)
                    rate = task.done / secs
                    print(f"START_PLANNING: {task.done} done, {task.failed} failed, "
                          f"{task.skipped} skipped in {secs:.1f} s = {rate:.0f} orders/s")
                    print(f"  {runner_orders(host, task.id)}; workers' CPU "
                          f"{(cpu_seconds(procs) - cpu) * 1000 / task.done:.2f} ms per order")
                    idle, busy = reader.p95("idle"), reader.p95("run")
                    print(f"  reader p95 idle {idle * 1000:.1f} ms, during run "
                          f"{busy * 1000:.1f} ms ({reader.count('run')} reads)")
                    with host.db.new_session() as s:
                        twice = s.scalar(select(func.count()).select_from(
                            select(ChangeGroup.issue_id).join(ChangeItem).where(
                                ChangeItem.field == "status").group_by(ChangeGroup.issue_id)
                            .having(func.count() > 2).subquery()))
                        ids = list(s.scalars(select(Issue.id).where(
                            Issue.status_id == host.catalog.status_ids["planning"])
                            .order_by(Issue.id).limit(args.sms)))
                    if twice:
                        problems.append(f"{twice} orders changed status more than once")
                    prepare_for_booking(host, ids)
                    reader.reset()
                    time.sleep(4)
                    cpu = cpu_seconds(procs)
                    booked, secs = run_task(host, planner, ids, "PC_TRANSITION_BOOKING_SENT",
                                            reader, args.booking_workers)
                    sms_rate = booked.done / secs
                    sent = stub.sent()
                    print(f"PC_TRANSITION_BOOKING_SENT: {booked.done} done, {booked.failed} "
                          f"failed in {secs:.1f} s = {sms_rate:.0f} SMS/s "
                          f"({len(sent)} SMS at the gateway)")
                    print(f"  {runner_orders(host, booked.id)}; workers' CPU "
                          f"{(cpu_seconds(procs) - cpu) * 1000 / booked.done:.2f} ms per order")
                    idle2, busy2 = reader.p95("idle"), reader.p95("run")
                    print(f"  reader p95 idle {idle2 * 1000:.1f} ms, during run "
                          f"{busy2 * 1000:.1f} ms ({reader.count('run')} reads)")
                    refs = [m["refId"] for m in sent]
                    with host.db.new_session() as s:
                        waiting = s.scalar(select(func.count()).select_from(Issue).where(
                            Issue.id.in_(ids), Issue.status_id == host.catalog.status_ids[
                                "awaiting_response"]))
                    print(f"  {waiting} orders now wait for the customer's answer, "
                          f"{booked.done - waiting} went to manual follow-up (no SMS)")
                    if len(set(refs)) != len(refs) or len(sent) != waiting:
                        problems.append(f"{len(sent)} SMS for {waiting} booked orders")
            finally:
                server.stop()
            print(f"Targets: 500 orders/s ({'met' if rate >= 500 else 'MISSED'}), "
                  f"100 SMS/s ({'met' if sms_rate >= 100 else 'MISSED'}), reader p95 ≤ 2× "
                  f"idle ({'met' if busy <= 2 * idle and busy2 <= 2 * idle2 else 'MISSED'})")
            host.db.dispose()
    finally:
        for proc in procs:
            os.killpg(proc.pid, 9)
            proc.wait()
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE application_name = :s"), {"s": schema})
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
