"""SMS soak: 1,000 bookings through the Link stand-in written from Link's documentation,
under faults, on each backend; prints SMS per customer, lost reports, lost replies.

Faults (``plugins/sms/tests/soak.py``): 10 % of the gateway's answers come after the
client's timeout although Link took the message, 5 % are 500s; half the orders are
booked in one bulk task (chunks of 50: a batch per chunk), half one by one; the gate
posts each report (one per part) 0–500 ms after Link took the message, often before
the booking committed, repeats 10 % and so reorders them, and sends again until it
gets 200; 3 % of messages finally fail; customers reply (10 % twice, shuffled) over
HTTP, and a stranger sends five real codes from another number.

    python benchmarks/sms/soak.py [--backend postgresql sqlite] [--orders 1000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from benchmarks.core.run import database  # noqa: E402
from conftest import make_test_users  # noqa: E402
from core.app import create_app  # noqa: E402
from core.config import parse_config  # noqa: E402
from core.models import User  # noqa: E402
from plugins.sms.tests.linkstub import LinkStub  # noqa: E402
from plugins.sms.tests.soak import run_soak  # noqa: E402

TOKEN = "soak-hook-token"
TIMEOUT = 0.5


def soak(backend: str, orders: int) -> list[str]:
    os.environ.update({"LINK_SMS_USERNAME": "soak", "LINK_SMS_PASSWORD": "pw",
                       "LINK_SMS_WEBHOOK_TOKEN": TOKEN,
                       "AMSFLOW_SECRET_KEY": os.environ.get("AMSFLOW_SECRET_KEY", "soak")})
    with tempfile.TemporaryDirectory() as tmp, database(backend, Path(tmp)) as url, \
            LinkStub(username="soak", password="pw") as stub:
        cfg = yaml.safe_load((ROOT / "config" / "demo.yaml").read_text(encoding="utf-8"))
        cfg.update(database_url=url, data_dir=str(Path(tmp) / "data"),
                   workflows={"ams": str(ROOT / "workflows" / "ams.yaml")})
        cfg["jobs"] = {"bulk_chunk": 50, "bulk_pause_ratio": 0.0}
        cfg["projects"][0]["plugins"]["sms"] = {
            "provider": "link", "reply_number": "2222", "sender": "Elvnett",
            "link": {"base_url": stub.base_url, "platform_id": "P",
                     "platform_partner_id": "PP", "gate_id": "G1", "timeout": TIMEOUT,
                     "attempts": 3, "backoff": 0.05, "deadline": 2.0}}
        app = create_app(parse_config(cfg), create_schema=True)
        host = app.extensions["amsflow"]
        ids = make_test_users(host)
        session = host.db.session()
        planner = session.get(User, ids["planner"])
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        started = time.perf_counter()
        try:
            result = run_soak(host, session, planner, stub,
                              f"http://127.0.0.1:{server.server_port}", TOKEN, orders,
                              timeout=TIMEOUT)
        finally:
            server.shutdown()
            host.db.dispose()
        took = time.perf_counter() - started
    ok = (result.sms_per_customer <= 1 and result.lost_reports == 0
          and result.lost_replies == 0 and result.forged_accepted == 0)
    return [f"## {backend} ({took:.0f} s) {'OK' if ok else 'FAILED'}", *result.lines()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", nargs="+", choices=("postgresql", "sqlite"),
                        default=["postgresql", "sqlite"])
    parser.add_argument("--orders", type=int, default=1000)
    args = parser.parse_args()
    failed = False
    for backend in args.backend:
        lines = soak(backend, args.orders)
        failed |= "FAILED" in lines[0]
        print("\n".join(lines), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
