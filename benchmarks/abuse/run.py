"""Abuse benchmark: what hostile or careless JQL costs the others.

1. Compile time over a fuzz corpus: queries at and under every limit (long OR chains of
   text searches, key lists, deep nesting, many words), parsed and compiled on the
   chosen database; prints the worst. Target: any query the parser accepts compiles
   in < 50 ms.
2. The audit's attack against gunicorn on loopback: the 10,000-term query (188 KB)
   sent by three clients in parallel, over and over, while a reader in its own process
   fetches orders (``GET /rest/api/2/issue``). Prints the reader's p95 idle and under
   attack and the slowest attack answer. Targets: p95 under attack <= 2x idle, no
   request holds a worker > 5 s.

    python benchmarks/abuse/run.py --backend postgresql --orders 5000 --seconds 20

Exits non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.bulk.reader import Reader, serve  # noqa: E402
from benchmarks.core.run import database, prepare, write_config  # noqa: E402
from core.jql.limits import DEFAULT_LIMITS as L  # noqa: E402

ATTACK = " OR ".join(f"summary ~ w{i}" for i in range(10_000))


def corpus() -> list[str]:
    """Queries the parser accepts, as large as the limits allow, of every shape."""
    words = ["måler", "Storgata", "Ødegård", "bytte", "Åse", "kunde"]
    out = [
        " OR ".join(f"summary ~ {words[i % 6]}{i}" for i in range(L.jql_max_terms)),
        " OR ".join(f"text ~ {words[i % 6]}" for i in range(L.jql_max_terms)),
        " AND ".join(f"comment ~ {words[i % 6]}" for i in range(L.jql_max_terms)),
        "key in (" + ", ".join(f"ELV-{i}" for i in range(1, L.jql_max_list + 1)) + ")",
        "key in (" + ", ".join(str(i) for i in range(1, L.jql_max_list + 1)) + ")",
        "status in (" + ", ".join(["Åpen", "Under planlegging"] * 400) + ")",
        "NOT " * (L.jql_max_depth - 1) + "status = Åpen",
        'text ~ "' + " ".join(words[i % 6] for i in range(L.jql_max_words)) + '"',
        " OR ".join(f'"Kundenavn" ~ {words[i % 6]}' for i in range(L.jql_max_terms)),
        " OR ".join(f"cf[10011] > {i}h" for i in range(L.jql_max_terms)),
        " OR ".join(f"created > -{i}d" for i in range(L.jql_max_terms)),
        " OR ".join(f"status WAS Åpen BEFORE -{i}d" for i in range(L.jql_max_terms)),
        " OR ".join(f"assignee = montor{i % 12 + 1}" for i in range(L.jql_max_terms)),
    ]
    nested = "status = Åpen"
    for i in range(L.jql_max_depth - 1):
        nested = f"key = ELV-{i + 1} {'AND' if i % 2 else 'OR'} ({nested})"
    out.append(nested)
    return [q for q in out if len(q) <= L.jql_max_length]


def compile_times(config: Path) -> list[tuple[float, float, str]]:
    """(compile ms, parse ms, query) of each query of the corpus, best of three."""
    from core.config import load_config
    from core.host import create_host
    from core.jql import parse
    from core.jql.compiler import compile_search
    from core.models import User

    host = create_host(load_config(config))
    host.load_catalog()
    out = []
    with host.db.new_session() as s:
        planner = s.query(User).filter_by(username="planlegger1").one()
        for query in corpus():
            best = parsing = float("inf")
            for _ in range(3):
                started = time.perf_counter()
                tree = parse(query)
                parsed = time.perf_counter()
                compile_search(host, tree, planner, s).ids()
                best = min(best, time.perf_counter() - parsed)
                parsing = min(parsing, parsed - started)
            out.append((best * 1000, parsing * 1000, query))
    host.db.dispose()
    return out


def attacker(url: str, token: str, stop: threading.Event, answers: list[tuple[int, float]]
             ) -> None:
    host, port = url.split("//", 1)[1].split(":")
    body = json.dumps({"jql": ATTACK})
    while not stop.is_set():
        started = time.perf_counter()
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        conn.request("POST", "/rest/api/2/search", body=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        conn.close()
        answers.append((response.status, time.perf_counter() - started))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    ap.add_argument("--orders", type=int, default=5000)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp, database(args.backend, Path(tmp)) as url:
        folder = Path(tmp)
        config = write_config(url, folder)
        _load_s, token = prepare(config, args.orders, print)
        times = compile_times(config)
        worst_ms, _parse, worst = max(times)
        median = sorted(t for t, _p, _q in times)[len(times) // 2]
        print(f"compile, {len(times)} queries at the limits: worst {worst_ms:.1f} ms "
              f"({worst[:50]}...), median {median:.1f} ms; parse worst "
              f"{max(p for _t, p, _q in times):.1f} ms")
        for ms, parse_ms, query in sorted(times, reverse=True):
            print(f"  {ms:7.1f} ms compile {parse_ms:7.1f} ms parse  {query[:60]}")
        ok &= worst_ms < 50
        server = serve(config, folder, workers=args.workers)
        try:
            last = args.orders // 2
            with Reader(server.url, token, ["ELV-1", f"ELV-{last}"]) as reader:
                time.sleep(args.seconds / 2)
                reader.mark("run")
                stop, answers = threading.Event(), []
                threads = [threading.Thread(target=attacker, args=(server.url, token, stop,
                                                                   answers)) for _ in range(3)]
                for t in threads:
                    t.start()
                time.sleep(args.seconds)
                stop.set()
                for t in threads:
                    t.join(60)
                reader.mark("done")
            idle, run = reader.p95("idle") * 1000, reader.p95("run") * 1000
            statuses = sorted({s for s, _ in answers})
            slowest = max((d for _, d in answers), default=0.0)
            print(f"attack: {len(answers)} x 10,000-term query ({len(ATTACK):,} chars) from 3 "
                  f"clients, answers {statuses}, slowest {slowest * 1000:.0f} ms")
            print(f"reader GET issue p95: idle {idle:.1f} ms ({reader.count('idle')} requests),"
                  f" under attack {run:.1f} ms ({reader.count('run')}), {run / idle:.2f}x, "
                  f"errors {reader.errors}")
            ok &= run <= 2 * idle and slowest < 5 and statuses == [400]
        finally:
            server.stop()
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
