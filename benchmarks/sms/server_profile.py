"""Where a booking SMS and a customer reply spend their time (in process, cProfile).

    python benchmarks/sms/server_profile.py [--backend postgresql] [--orders 400] [--sql]

The same database and Link stand-in as ``run.py``; the requests go through Flask's
test client (no sockets on the app's side), so the figures are the app's own work:
SQL statements per request, CPU per request (the stand-in's thread included), and the
top functions under cProfile. ``--sql`` prints the statements of one booking and one
reply; ``AMSFLOW_PROFILE_DUMP=path`` also writes each phase's stats to ``path.booking``
and ``path.reply`` (for pstats or snakeviz).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from benchmarks.core.run import database  # noqa: E402
from benchmarks.sms.run import BOOK, HOOK_TOKEN, LINK_ENV, check, prepare, write_config  # noqa: E402
from core.app import create_app  # noqa: E402
from plugins.sms.tests.linkstub import LinkStub  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    ap.add_argument("--orders", type=int, default=400)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--sql", action="store_true")
    ap.add_argument("--sort", default="cumulative", help="cProfile sort key (tottime, ...)")
    args = ap.parse_args()
    os.environ.update(LINK_ENV)
    folder = Path(tempfile.mkdtemp(prefix="amsflow-profile-sms-"))
    with database(args.backend, folder) as url, LinkStub("bench", "pw") as stub:
        config = write_config(url, folder, stub)
        token, keys = prepare(config, args.orders)
        app = create_app(str(config))
        host = app.extensions["amsflow"]
        client = app.test_client()
        auth = {"Authorization": "Bearer " + token}
        hook = {"X-Webhook-Token": HOOK_TOKEN}
        statements: list[str] = []
        event.listen(host.db.engine, "before_cursor_execute",
                     lambda _c, _cur, sql, *_a: statements.append(" ".join(sql.split())))

        def book(key: str) -> None:
            r = client.post(f"/rest/api/2/issue/{key}/transitions", headers=auth, json=BOOK)
            assert r.status_code == 204, r.get_data(as_text=True)

        def reply(body: bytes) -> None:
            r = client.post("/sms/hooks/ELV/inbound", headers=hook, data=body,
                            content_type="application/json")
            assert r.status_code == 200, r.get_data(as_text=True)

        warm = max(10, len(keys) // 10)
        half = (len(keys) - warm) // 2
        for key in keys[:warm]:
            book(key)
        phases = [("booking", book, keys[warm:]), ("reply", reply, [])]
        for name, fn, items in phases:
            if name == "reply":  # every order is booked now: each has its reply code
                _, bodies = check(config, keys, stub, [204] * len(keys))
                for body in bodies[:warm]:
                    reply(body)
                items = bodies[warm:]
            if args.sql:
                statements.clear()
                fn(items[0])
                print(f"\nSQL of one {name}:")
                for sql in statements:
                    print("  ", sql[:160])
                items = items[1:]
            plain, profiled = items[:half], items[half:]
            statements.clear()
            wall, cpu = time.perf_counter(), time.process_time()
            for item in plain:
                fn(item)
            n = len(plain)
            print(f"\n{name}: {(time.perf_counter() - wall) * 1000 / n:.2f} ms wall, "
                  f"{(time.process_time() - cpu) * 1000 / n:.2f} ms CPU, "
                  f"{len(statements) / n:.1f} SQL statements per request")
            prof = cProfile.Profile()
            prof.enable()
            for item in profiled:
                fn(item)
            prof.disable()
            if os.environ.get("AMSFLOW_PROFILE_DUMP"):
                prof.dump_stats(f"{os.environ['AMSFLOW_PROFILE_DUMP']}.{name}")
            stats = pstats.Stats(prof).strip_dirs()
            print(f"{name}: {stats.total_calls / len(profiled):.0f} Python calls per request")
            stats.sort_stats(args.sort).print_stats(args.top)
        host.db.dispose()


if __name__ == "__main__":
    main()
