"""Benchmark: booking SMS out to a loopback Link Mobility stand-in, and customer
replies in over HTTP, against the app served the production way.

For each backend (PostgreSQL in a throw-away schema, SQLite in a temporary
folder) it writes the demo config with ELV sending through the Link stand-in
(``plugins/sms/tests/linkstub.py``, a real HTTP server on loopback), creates N
orders in Under planlegging, serves the app (gunicorn with several workers, or
werkzeug) and then

1. books every order over the REST API (``PC_TRANSITION_BOOKING_SENT``, one
   transaction and one gateway call each) from several client threads: SMS/s;
2. posts every customer's ``<code> OK`` to ``/sms/hooks/ELV/inbound`` from several
   client threads, plus a share of repeated deliveries: replies/s;
3. checks that the gateway got exactly one SMS per order, that every reply was
   logged and acted on exactly once, and that every order reached Klar til utførelse.

    python benchmarks/sms/run.py [--backend postgresql sqlite] [--orders 1000]
        [--server gunicorn] [--workers 4] [--threads 2] [--clients 8] [--duplicates 0.1]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import queue
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from benchmarks.core.run import database, serve  # noqa: E402
from core.auth import create_token  # noqa: E402
from core.config import load_config  # noqa: E402
from core.host import create_host  # noqa: E402
from core.models import Comment, FieldValue, Issue, Status, User, utcnow  # noqa: E402
from core.services.issues import create_issue  # noqa: E402
from core.services.users import create_user, get_or_create_group, grant_role  # noqa: E402
from core.workflow.engine import transition_issue  # noqa: E402
from plugins.sms.models import SmsMessage  # noqa: E402
from plugins.sms.tests.linkstub import LinkStub, inbound_message  # noqa: E402

HOOK_TOKEN = "bench-hook-token"
LINK_ENV = {"LINK_SMS_USERNAME": "bench", "LINK_SMS_PASSWORD": "pw",
            "LINK_SMS_WEBHOOK_TOKEN": HOOK_TOKEN}
BOOK = {"transition": {"id": "41"}}  # PC_TRANSITION_BOOKING_SENT
CHUNK = 200


def write_config(url: str, folder: Path, stub: LinkStub) -> Path:
    """The demo config on ``url`` with ELV booking through the stand-in, no quiet hours."""
    cfg = yaml.safe_load((ROOT / "config" / "demo.yaml").read_text(encoding="utf-8"))
    cfg.update(database_url=url, data_dir=str(folder / "data"),
               workflows={"ams": str(ROOT / "workflows" / "ams.yaml")})
    cfg["projects"][0]["plugins"]["sms"] = {
        "provider": "link", "reply_number": "2222", "sender": "Elvnett",
        "quiet_start": "00:00", "quiet_end": "00:00",  # equal: never quiet
        "link": {"base_url": stub.base_url, "platform_id": "P", "platform_partner_id": "PP",
                 "gate_id": "G1", "timeout": 10, "attempts": 3, "backoff": 0.05},
    }
    path = folder / "bench.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


def prepare(config: Path, count: int) -> tuple[str, list[str]]:
    """Schema, a planner with an API token, and ``count`` ELV orders in Under planlegging."""
    host = create_host(load_config(config))
    host.create_schema()
    with host.db.new_session() as s:
        planner = create_user(s, "planner", "Per Planlegger", "Passord-123")
        installer = create_user(s, "montor", "Øystein Måløy", "Passord-123")
        group = get_or_create_group(s, "planleggere")
        planner.groups.append(group)
        grant_role(s, "ELV", "Planlegger", group=group)
        grant_role(s, "ELV", "Montør", user=installer)
        s.flush()
        token = create_token(s, planner, "sms-benchmark")
    keys: list[str] = []
    start = utcnow().replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(days=2)
    for first in range(0, count, CHUNK):
        with host.db.new_session() as s:
            planner = s.scalars(select(User).where(User.username == "planner")).one()
            for n in range(first, min(count, first + CHUNK)):
                issue = create_issue(host, s, planner, "ELV", "Målerbytte", f"Målerbytte {n}", {
                    "customer_name": f"Åse Ødegård {n}", "address": f"Fjordveien {n}",
                    "postcode": "6002", "mobile": f"+479{n:07d}", "assignee": "montor",
                    "planned_start": (start + timedelta(days=n // 16, minutes=30 * (n % 16)))
                    .isoformat()})
                s.flush()
                transition_issue(host, s, planner, issue, "START_PLANNING")
                keys.append(issue.key)
    with host.db.engine.begin() as conn:
        if host.db.dialect == "postgresql":
            conn.execute(text("ANALYZE"))
    host.db.dispose()
    return token, keys


def server_cpu(base: str) -> float:
    """CPU seconds used so far by the server's processes (Linux /proc; 0 elsewhere):
    per-request CPU does not depend on what else the machine is doing."""
    port = base.rsplit(":", 1)[1].encode()
    total = 0.0
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if port not in (proc / "cmdline").read_bytes():
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def hammer(base: str, requests: list[tuple[str, bytes, dict[str, str]]],
           clients: int) -> tuple[float, list[int]]:
    """POST every (path, body, headers) from ``clients`` kept-alive connections in a
    process of their own; (seconds, statuses). On threads of this process the clients
    would hold the GIL while the Link stand-in (a thread here) tries to answer the
    app's SMS, which no real gateway has to wait for."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_hammer_here, base, requests, clients).result()


def _hammer_here(base: str, requests: list[tuple[str, bytes, dict[str, str]]],
                 clients: int) -> tuple[float, list[int]]:
    host, port = base.removeprefix("http://").split(":")
    work: queue.Queue[tuple[str, bytes, dict[str, str]]] = queue.Queue()
    for item in requests:
        work.put(item)
    statuses: list[int] = []
    lock = threading.Lock()

    def client() -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        while True:
            try:
                path, body, headers = work.get_nowait()
            except queue.Empty:
                break
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            with lock:
                statuses.append(response.status)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, statuses


def check(config: Path, keys: list[str], stub: LinkStub,
          booked: list[int]) -> tuple[list[str], list[bytes]]:
    """What went wrong after booking (problems), and the reply bodies for step 2."""
    problems: list[str] = []
    if set(booked) != {204}:
        problems.append(f"booking answers: {sorted(set(booked))}")
    sent = stub.sent()
    refs = {m["refId"] for m in sent}
    phones = {m["destination"] for m in sent}
    if len(sent) != len(keys) or len(refs) != len(keys) or len(phones) != len(keys):
        problems.append(f"gateway got {len(sent)} SMS ({len(phones)} numbers) for "
                        f"{len(keys)} orders")
    host = create_host(load_config(config))
    with host.db.new_session() as s:
        code_field = host.fields["reply_code"].id
        codes = dict(s.execute(select(Issue.key, FieldValue.value_str)
                               .join(FieldValue, FieldValue.issue_id == Issue.id)
                               .where(FieldValue.field_id == code_field)).all())
    host.db.dispose()
    bodies = []
    for n, key in enumerate(keys):
        text_ = f"{codes.get(key, 'ZZZZ')} OK"
        bodies.append(json.dumps(inbound_message(f"mo-{n}", f"+479{n:07d}", text_)).encode())
    return problems, bodies


def verify_replies(config: Path, keys: list[str], statuses: list[int]) -> list[str]:
    """Every reply logged once, one reply comment per order, every order ready."""
    problems = []
    if set(statuses) != {200}:
        problems.append(f"webhook answers: {sorted(set(statuses))}")
    host = create_host(load_config(config))
    with host.db.new_session() as s:
        inbound = s.scalar(select(func.count()).select_from(SmsMessage).where(
            SmsMessage.direction == "in"))
        per_order = s.scalar(select(func.count(func.distinct(SmsMessage.issue_id))).where(
            SmsMessage.direction == "in"))
        comments = s.scalar(select(func.count()).select_from(Comment).where(
            Comment.body.like("SMS-svar fra%")))
        ready = s.scalar(select(func.count()).select_from(Issue).join(Status).where(
            Status.key == "ready"))
    host.db.dispose()
    if inbound != len(keys) or per_order != len(keys) or comments != len(keys):
        problems.append(f"{inbound} replies logged for {per_order} orders and {comments} "
                        f"reply comments, for {len(keys)} orders (lost or doubled)")
    if ready != len(keys):
        problems.append(f"{ready} of {len(keys)} orders reached Klar til utførelse")
    return problems


def run(backend: str, args: argparse.Namespace, say: Callable[[str], None]) -> dict[str, Any]:
    """One backend: prepare, book over HTTP, reply over HTTP, check. Returns a table row."""
    os.environ.update(LINK_ENV)  # the served app's Link credentials and webhook token
    folder = Path(tempfile.mkdtemp(prefix="amsflow-bench-sms-"))
    with database(backend, folder) as url, LinkStub("bench", "pw") as stub:
        config = write_config(url, folder, stub)
        say(f"{backend}: creating {args.orders} orders in Under planlegging ...")
        token, keys = prepare(config, args.orders)
        auth = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
        with serve(config, args.server, args.workers, args.threads) as base:
            booking = [(f"/rest/api/2/issue/{k}/transitions", json.dumps(BOOK).encode(), auth)
                       for k in keys]
            cpu = server_cpu(base)
            book_s, booked = hammer(base, booking, args.clients)
            book_cpu, cpu = (server_cpu(base) - cpu) * 1000 / len(keys), server_cpu(base)
            say(f"{backend}: booking SMS {len(keys)} in {book_s:.2f} s = "
                f"{len(keys) / book_s:.0f} SMS/s ({book_cpu:.1f} ms server CPU each)")
            problems, bodies = check(config, keys, stub, booked)
            hook = {"Content-Type": "application/json", "X-Webhook-Token": HOOK_TOKEN}
            repeats = bodies[: int(len(bodies) * args.duplicates)]
            replies = [("/sms/hooks/ELV/inbound", b, hook) for b in bodies + repeats]
            reply_s, statuses = hammer(base, replies, args.clients)
            reply_cpu = (server_cpu(base) - cpu) * 1000 / len(replies)
        problems += verify_replies(config, keys, statuses)
    row = {"backend": backend, "orders": len(keys), "sms_rate": len(keys) / book_s,
           "replies": len(replies), "reply_rate": len(replies) / reply_s, "problems": problems,
           "book_cpu": book_cpu, "reply_cpu": reply_cpu}
    say(f"{backend}: replies {len(replies)} ({len(repeats)} repeated) in {reply_s:.2f} s = "
        f"{row['reply_rate']:.0f} replies/s ({reply_cpu:.1f} ms server CPU each)")
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", nargs="+", choices=("postgresql", "sqlite"),
                        default=["postgresql", "sqlite"])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--server", choices=("gunicorn", "werkzeug"), default="gunicorn")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--clients", type=int, default=8, help="client connections")
    parser.add_argument("--duplicates", type=float, default=0.1,
                        help="share of replies delivered a second time")
    args = parser.parse_args()
    load = os.getloadavg()[0]  # other work on the machine slows the wall-clock rates
    rows = [run(backend, args, print) for backend in args.backend]
    server = (f"gunicorn -w {args.workers} --threads {args.threads}"
              if args.server == "gunicorn" else "werkzeug (threaded)")
    print(f"\nLoad average at start: {load:.1f} on {os.cpu_count()} CPUs.")
    print("\n| backend | server | orders | booking SMS/s (target 100) | server CPU ms/SMS | "
          "replies/s (target 200) | server CPU ms/reply | lost or doubled |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    failed = False
    for row in rows:
        ok = not row["problems"]
        failed |= not ok
        print(f"| {row['backend']} | {server} | {row['orders']} | {row['sms_rate']:.0f} | "
              f"{row['book_cpu']:.1f} | {row['reply_rate']:.0f} | {row['reply_cpu']:.1f} | "
              f"{'none' if ok else 'YES'} |")
        for problem in row["problems"]:
            print(f"PROBLEM ({row['backend']}):", problem)
    print("No SMS or reply lost or processed twice." if not failed else "FAILED")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
