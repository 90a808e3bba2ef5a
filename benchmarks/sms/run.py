"""Benchmark: booking SMS out to a loopback Link Mobility stand-in, and customer
replies in over HTTP to the running app.

Builds a throw-away instance (SQLite in a temporary folder, the demo config with
ELV sending through the Link stand-in), creates N planned orders, then

1. runs PC_TRANSITION_BOOKING_SENT on each (own transaction, real HTTP to the
   gateway) and prints SMS per second;
2. serves the app on a loopback port and posts every customer's "<code> OK"
   to the inbound webhook from several client threads, plus a share of repeated
   deliveries, and prints replies per second.

It then checks that no SMS or reply was lost or processed twice.

    python benchmarks/sms/run.py [--orders 1000] [--threads 8] [--duplicates 0.1]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from core.app import create_app  # noqa: E402
from core.config import parse_config  # noqa: E402
from core.models import Comment, Issue  # noqa: E402
from core.services import uow  # noqa: E402
from core.services.issues import create_issue, values_of  # noqa: E402
from core.services.users import create_user, get_or_create_group, grant_role  # noqa: E402
from core.workflow.engine import transition_issue  # noqa: E402
from plugins.sms.models import SmsMessage  # noqa: E402
from plugins.sms.tests.linkstub import LinkStub, inbound_message  # noqa: E402

TOKEN = "bench-token"
DAYTIME = datetime(2025, 4, 22, 8, 0, tzinfo=UTC)  # 10:00 in Oslo: no quiet hours


def build(folder: Path, stub: LinkStub) -> Any:
    os.environ.update(LINK_SMS_USERNAME="bench", LINK_SMS_PASSWORD="pw",
                      LINK_SMS_WEBHOOK_TOKEN=TOKEN)
    os.environ.setdefault("AMSFLOW_SECRET_KEY", "benchmark")
    cfg = yaml.safe_load((ROOT / "config" / "demo.yaml").read_text(encoding="utf-8"))
    cfg["database_url"] = f"sqlite:///{folder / 'bench.sqlite'}"
    cfg["data_dir"] = str(folder / "data")
    cfg["workflows"] = {"ams": str(ROOT / "workflows" / "ams.yaml")}
    cfg["projects"][0]["plugins"]["sms"] = {
        "provider": "link", "reply_number": "2222", "sender": "Elvnett",
        "link": {"base_url": stub.base_url, "platform_id": "P", "platform_partner_id": "PP",
                 "gate_id": "G1", "timeout": 5, "attempts": 3, "backoff": 0.05},
    }
    app = create_app(parse_config(cfg), create_schema=True)
    app.extensions["amsflow"].clock = lambda: DAYTIME
    return app


def make_orders(host: Any, count: int) -> tuple[Any, list[int]]:
    session = host.db.session()

    def people() -> Any:
        planner = create_user(session, "planner", "Per Planlegger", "Passord-123")
        installer = create_user(session, "montor", "Øystein Måløy", "Passord-123")
        group = get_or_create_group(session, "planleggere")
        planner.groups.append(group)
        grant_role(session, "ELV", "Planlegger", group=group)
        grant_role(session, "ELV", "Montør", user=installer)
        return planner

    planner = uow.run(host, session, people)

    def orders() -> list[Issue]:
        made = []
        for n in range(count):
            start = DAYTIME + timedelta(days=2 + n // 16, minutes=30 * (n % 16))
            made.append(create_issue(host, session, planner, "ELV", "Målerbytte",
                                     f"Målerbytte {n}", {
                                         "customer_name": f"Åse Ødegård {n}",
                                         "address": f"Fjordveien {n}", "postcode": "6002",
                                         "mobile": f"+479{n:07d}", "assignee": "montor",
                                         "planned_start": start.isoformat()}))
        return made

    issues = uow.run(host, session, orders)
    for issue in issues:
        uow.run(host, session, lambda i=issue: transition_issue(host, session, planner, i,
                                                                "START_PLANNING"))
    return planner, [i.id for i in issues]


def book_all(host: Any, planner: Any, ids: list[int]) -> float:
    session = host.db.session()
    started = time.perf_counter()
    for issue_id in ids:
        issue = session.get(Issue, issue_id)
        uow.run(host, session, lambda i=issue: transition_issue(
            host, session, planner, i, "PC_TRANSITION_BOOKING_SENT"))
    return time.perf_counter() - started


def post_replies(port: int, bodies: list[bytes], threads: int) -> tuple[float, list[int]]:
    work: queue.Queue[bytes | None] = queue.Queue()
    for body in bodies:
        work.put(body)
    statuses: list[int] = []
    lock = threading.Lock()

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while (body := work.get_nowait() if not work.empty() else None) is not None:
            conn.request("POST", "/sms/hooks/ELV/inbound", body=body, headers={
                "Content-Type": "application/json", "X-Webhook-Token": TOKEN})
            response = conn.getresponse()
            response.read()
            with lock:
                statuses.append(response.status)
        conn.close()

    workers = [threading.Thread(target=client) for _ in range(threads)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - started, statuses


def main() -> int:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--duplicates", type=float, default=0.1,
                        help="share of replies delivered a second time")
    args = parser.parse_args()
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp, LinkStub("bench", "pw") as stub:
        app = build(Path(tmp), stub)
        host = app.extensions["amsflow"]
        print(f"Creating {args.orders} planned orders ...", flush=True)
        planner, ids = make_orders(host, args.orders)

        seconds = book_all(host, planner, ids)
        sent = stub.sent()
        sms_rate = len(ids) / seconds
        print(f"Booking SMS: {len(ids)} in {seconds:.2f} s = {sms_rate:.0f} SMS/s")
        refs = [m["refId"] for m in sent]
        if len(sent) != len(ids) or len(set(refs)) != len(refs):
            problems.append(f"gateway got {len(sent)} SMS for {len(ids)} orders")

        session = host.db.session()
        codes = [values_of(host, session.get(Issue, i))["reply_code"] for i in ids]
        bodies = [json.dumps(inbound_message(f"mo-{n}", f"+479{n:07d}", f"{code} OK")).encode()
                  for n, code in enumerate(codes)]
        repeats = bodies[: int(len(bodies) * args.duplicates)]
        session.close()

        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        seconds, statuses = post_replies(server.server_port, bodies + repeats, args.threads)
        server.shutdown()
        reply_rate = len(statuses) / seconds
        print(f"Replies: {len(statuses)} deliveries ({len(repeats)} repeated) over HTTP with "
              f"{args.threads} clients in {seconds:.2f} s = {reply_rate:.0f} replies/s")

        session = host.db.session()
        inbound = session.scalar(select(func.count()).select_from(SmsMessage).where(
            SmsMessage.direction == "in"))
        reply_comments = session.scalar(select(func.count()).select_from(Comment).where(
            Comment.body.like("SMS-svar fra%")))
        ready = session.scalar(select(func.count()).select_from(Issue).where(
            Issue.status_id == host.catalog.status_ids["ready"]))
        if any(s != 200 for s in statuses):
            problems.append(f"non-200 answers: {sorted(set(statuses))}")
        if inbound != len(ids) or reply_comments != len(ids):
            problems.append(f"{inbound} replies logged and {reply_comments} reply comments "
                            f"for {len(ids)} orders (lost or doubled)")
        if ready != len(ids):
            problems.append(f"{ready} of {len(ids)} orders reached Klar til utførelse")
        host.db.dispose()
    print(f"Targets: 100 SMS/s ({'met' if sms_rate >= 100 else 'MISSED'}), "
          f"200 replies/s ({'met' if reply_rate >= 200 else 'MISSED'})")
    for problem in problems:
        print("PROBLEM:", problem)
    print("No SMS or reply lost or processed twice." if not problems else "FAILED")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
