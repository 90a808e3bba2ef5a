"""Server-side profile of the core benchmark's requests (cProfile, in process).

    python benchmarks/core/server_profile.py --backend postgresql --orders 20000 --op get

Builds the same throw-away database as ``run.py``, then sends the requests through
Flask's test client (no sockets, so only server work is measured) under cProfile and
prints the top functions by cumulative and by own time, plus SQL statements per request.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import shutil
import sys
import tempfile
import time
from base64 import b64encode
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1].parent))

from run import USER, database, prepare, write_config  # noqa: E402
from sqlalchemy import event, select  # noqa: E402

from core.app import create_app  # noqa: E402
from core.models import Issue  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    ap.add_argument("--orders", type=int, default=20_000)
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--op", choices=("get", "transition", "create"), default="get")
    ap.add_argument("--top", type=int, default=35)
    ap.add_argument("--sql", action="store_true", help="print the SQL of one request")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="amsflow-profile-core-"))
    try:
        with database(args.backend, folder) as url:
            config = write_config(url, folder)
            _, token = prepare(config, args.orders, print)
            app = create_app(str(config))
            h = app.extensions["amsflow"]
            with h.db.new_session() as s:
                keys = list(s.scalars(select(Issue.key).where(
                    Issue.status_id == h.catalog.status_ids["open"])))
            statements = [0]
            event.listen(h.db.engine, "before_cursor_execute",
                         lambda *a: statements.__setitem__(0, statements[0] + 1))
            client = app.test_client()
            auth = {"Authorization": "Basic " + b64encode(f"{USER}:{token}".encode()).decode()}
            picks = random.Random(3).sample(keys, 2 * args.requests + 40)
            payload = {"fields": {"project": {"key": "ELV"}, "issuetype": {"name": "Målerbytte"},
                                  "summary": "Storgata 1, 0155 Oslo"}}

            def one(i: int) -> None:
                if args.op == "get":
                    r = client.get(f"/rest/api/2/issue/{picks[i]}", headers=auth)
                elif args.op == "transition":
                    r = client.post(f"/rest/api/2/issue/{picks[i]}/transitions", headers=auth,
                                    json={"transition": {"id": "11"}})
                else:
                    r = client.post("/rest/api/2/issue", headers=auth, json=payload)
                assert r.status_code < 300, r.get_data(as_text=True)

            for i in range(20):
                one(2 * args.requests + i)
            if args.sql:
                def show(_c: object, _cur: object, sql: str, *_a: object) -> None:
                    print("SQL:", " ".join(sql.split())[:300])
                event.listen(h.db.engine, "before_cursor_execute", show)
                one(2 * args.requests + 39)
                event.remove(h.db.engine, "before_cursor_execute", show)
            n = args.requests // 2
            wall, cpu = time.perf_counter(), time.process_time()
            for i in range(n):
                one(i)
            print(f"{args.op}: {(time.perf_counter() - wall) * 1000 / n:.2f} ms wall, "
                  f"{(time.process_time() - cpu) * 1000 / n:.2f} ms CPU per request "
                  "(client and server in this process, no profiler)")
            statements[0] = 0
            prof = cProfile.Profile()
            t0 = time.perf_counter()
            prof.enable()
            for i in range(n, n + args.requests):
                one(i)
            prof.disable()
            ms = (time.perf_counter() - t0) * 1000 / args.requests
            print(f"{args.op}: {ms:.2f} ms/request under the profiler, "
                  f"{statements[0] / args.requests:.1f} SQL statements/request")
            stats = pstats.Stats(prof).strip_dirs()
            stats.sort_stats("cumulative").print_stats(args.top)
            stats.sort_stats("tottime").print_stats(args.top)
            h.db.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
