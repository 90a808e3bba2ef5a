"""Benchmark: Quant's batch intake and outbox delivery on PostgreSQL.

Builds a throw-away instance (a fresh PostgreSQL schema, the demo config with ELV
signing with a Standard Webhooks secret and sending to the loopback Quant stand-in,
Redis jobs on a queue of its own), then

1. **intake**: ``--orders`` (100,000) demo orders as signed ``POST /orders/bulk``
   calls of ``--batch`` (1,000) from ``--clients`` (2) client threads to gunicorn
   (``--gunicorn`` workers, 2); prints orders/s and checks every order and its Quant
   reference arrived once;
2. **delivery**: ``--deliveries`` (10,000) validation requests in the outbox (rows
   written as the close would, for as many loaded orders), then ``--workers`` (1)
   ``amsflow worker`` processes deliver them to the stand-in, which checks every
   signature; prints requests/s from the first job to the last row delivered, and
   checks the stand-in processed each exactly once.

    python benchmarks/quant/run.py [--orders 100000] [--batch 1000] [--clients 2]
                                   [--gunicorn 2] [--deliveries 10000] [--workers 1]
                                   [--skip-intake] [--skip-delivery]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402
from standardwebhooks.webhooks import Webhook  # noqa: E402

from benchmarks.bulk.reader import serve  # noqa: E402
from core.config import parse_config  # noqa: E402
from core.demo.bulk import bulk_load  # noqa: E402
from core.demo.data import generate_orders  # noqa: E402
from core.host import create_host  # noqa: E402
from core.models import Issue  # noqa: E402
from plugins.quant import outbox  # noqa: E402
from plugins.quant.contract import ContractV1  # noqa: E402
from plugins.quant.models import QuantMessage, QuantOrderRef  # noqa: E402
from plugins.quant.signing import new_secret  # noqa: E402
from plugins.quant.tests.standin import QuantStandIn  # noqa: E402

PG_URL = os.environ.get("AMSFLOW_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("AMSFLOW_BENCH_REDIS", "redis://127.0.0.1:6379/0")
SECRET = new_secret(b"benchmark-signing-key-0123456789")
ENV = "AMSFLOW_BENCH_QUANT_SECRET"
FIELDS = ("customer_name", "address", "postcode", "post_town", "municipality", "mobile",
          "meter_number", "metering_point_id", "kis_customer_id", "stage")


def config(folder: Path, url: str, quant: QuantStandIn) -> Path:
    cfg = yaml.safe_load((ROOT / "config" / "demo.yaml").read_text(encoding="utf-8"))
    cfg.update(database_url=url, data_dir=str(folder / "data"), redis_url=REDIS,
               jobs={"queue": f"bench-quant-{uuid.uuid4().hex[:8]}"},
               workflows={"ams": str(ROOT / "workflows" / "ams.yaml")})
    cfg["projects"][0]["plugins"]["quant"] = {
        "signing_secret_env": ENV, "webhook_url": quant.url, "timeout_seconds": 10}
    path = folder / "instance.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


def messages(n: int, prefix: str) -> list[dict[str, Any]]:
    out = []
    for i, order in enumerate(generate_orders("ELV", n, seed=7)):
        fields = {k: order[k] for k in FIELDS if order.get(k) is not None}
        if order.get("position"):
            fields["position"] = list(order["position"])
        out.append({"externalId": f"{prefix}-{i}", "summary": order["summary"],
                    "description": order.get("description") or "", "fields": fields})
    return out


def intake(base: str, orders: list[dict[str, Any]], batch: int, clients: int) -> float:
    """Post the orders in signed batches from ``clients`` threads; the seconds taken."""
    hook = Webhook(SECRET)
    port = int(base.rsplit(":", 1)[1])
    chunks = [orders[i:i + batch] for i in range(0, len(orders), batch)]
    bodies = [json.dumps({"orders": c}, ensure_ascii=False) for c in chunks]
    lock, failures = threading.Lock(), []

    def work() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        while True:
            with lock:
                if not bodies:
                    break
                body = bodies.pop()
            mid = f"msg_{uuid.uuid4().hex}"
            now = __import__("datetime").datetime.now(__import__("datetime").UTC)
            headers = {"Content-Type": "application/json", "webhook-id": mid,
                       "webhook-timestamp": str(int(now.timestamp())),
                       "webhook-signature": hook.sign(mid, now, body)}
            conn.request("POST", "/rest/quant/1/orders/bulk", body=body.encode(),
                         headers=headers)
            response = conn.getresponse()
            data = json.loads(response.read())
            if response.status != 201 or data["errors"]:
                with lock:
                    failures.append((response.status, str(data)[:500]))

    threads = [threading.Thread(target=work) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    if failures:
        raise SystemExit(f"intake failures: {failures[:3]}")
    return seconds


def fill_outbox(host: Any, count: int) -> None:
    """``count`` validation requests, written as ``quant.send_for_validation`` writes
    them (the payload from each order's values), for loaded orders."""
    contract = ContractV1()
    now = host.now()
    done = 0
    with host.db.new_session() as s:
        ids = list(s.scalars(select(Issue.id).order_by(Issue.id).limit(count)))
    for start in range(0, len(ids), 1000):
        with host.db.new_session() as s:
            issues = s.scalars(select(Issue).where(Issue.id.in_(ids[start:start + 1000]))).all()
            rows = []
            for issue in issues:
                data = contract.validation_request(host, issue, None)
                rows.append({"direction": "out", "message_id": f"msg_{uuid.uuid4().hex}",
                             "kind": outbox.VALIDATION_REQUEST, "project_key": "ELV",
                             "issue_id": issue.id, "status": "pending", "attempts": 0,
                             "last_error": "", "created": now, "updated": now, "due_at": now,
                             "payload": json.dumps(contract.event(
                                 outbox.VALIDATION_REQUEST, now, data), separators=(",", ":"))})
            s.execute(insert(QuantMessage), rows)
            done += len(rows)
    assert done == count, (done, count)


def workers(cfg: Path, n: int) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "AMSFLOW_SECRET_KEY": "bench", "PYTHONPATH": str(ROOT)}
    return [subprocess.Popen([sys.executable, "-m", "core.cli", "--config", str(cfg),
                              "worker"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL) for _ in range(n)]


def delivered(host: Any) -> int:
    with host.db.new_session() as s:
        return s.scalar(select(func.count()).select_from(QuantMessage).where(
            QuantMessage.direction == "out", QuantMessage.status == "delivered")) or 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--gunicorn", type=int, default=2)
    parser.add_argument("--deliveries", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--skip-intake", action="store_true")
    parser.add_argument("--skip-delivery", action="store_true")
    args = parser.parse_args()
    os.environ[ENV] = SECRET
    schema = f"bench_quant_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}&application_name={schema}"
    problems: list[str] = []
    procs: list[subprocess.Popen[bytes]] = []
    quant = QuantStandIn(SECRET)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            cfg = config(Path(tmp), url, quant)
            host = create_host(parse_config(yaml.safe_load(cfg.read_text(encoding="utf-8")),
                                            cfg))
            host.create_schema()
            if not args.skip_intake:
                orders = messages(args.orders, "Q")
                server = serve(cfg, Path(tmp), workers=args.gunicorn)
                procs.append(server.proc)
                seconds = intake(server.url, orders, args.batch, args.clients)
                rate = args.orders / seconds
                with host.db.new_session() as s:
                    refs = s.scalar(select(func.count(QuantOrderRef.id)))
                    issues = s.scalar(select(func.count(Issue.id)))
                print(f"intake: {args.orders} orders in {seconds:.1f} s = {rate:.0f} orders/s "
                      f"({args.clients} clients, batches of {args.batch}, gunicorn "
                      f"{args.gunicorn}); {issues} orders, {refs} references", flush=True)
                if (refs, issues) != (args.orders, args.orders):
                    problems.append(f"intake stored {issues} orders, {refs} references")
                if rate < 1000:
                    problems.append(f"intake {rate:.0f} orders/s < 1000")
            if not args.skip_delivery:
                with host.db.new_session() as s:
                    have = s.scalar(select(func.count(Issue.id)))
                if have < args.deliveries:
                    bulk_load(host, "ELV", args.deliveries - have)
                fill_outbox(host, args.deliveries)
                procs += workers(cfg, args.workers)
                time.sleep(3)  # the workers connect and listen
                started = time.perf_counter()
                for _ in range(args.workers):
                    host.jobs.enqueue(outbox.DRAIN_JOB,
                                      job_id=f"quant-deliver-{uuid.uuid4().hex[:20]}")
                while delivered(host) < args.deliveries and \
                        time.perf_counter() - started < 600:
                    time.sleep(0.2)
                seconds = time.perf_counter() - started
                count = delivered(host)
                rate = count / seconds
                print(f"delivery: {count} validation requests in {seconds:.1f} s = "
                      f"{rate:.0f}/s ({args.workers} worker(s)); Quant processed "
                      f"{len(quant.processed)}, dropped {len(quant.duplicates)} repeats, "
                      f"refused {quant.refused_signatures} signatures", flush=True)
                if count != args.deliveries or len(quant.processed) != args.deliveries:
                    problems.append("not every request was delivered exactly once")
                if rate < 500:
                    problems.append(f"delivery {rate:.0f}/s < 500")
            host.db.dispose()
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
        quant.down()
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE application_name = :s"), {"s": schema})
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    for problem in problems:
        print("MISSED:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
