"""Benchmark: 1,000 orders through *Klar til utskrift* in one bulk run.

Builds a throw-away instance (SQLite in a temporary folder, the demo config),
creates N assigned and timed orders in Under planlegging for the letter project
(FJN), then runs the letters plugin's bulk run and prints letters per second for
the whole run (render, move each order in its own transaction, write, attach,
print file) and for rendering alone.

    python benchmarks/letters/run.py [--orders 1000] [--chunk-size 50] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from core.app import create_app  # noqa: E402
from core.config import parse_config  # noqa: E402
from core.services import uow  # noqa: E402
from core.services.issues import create_issue  # noqa: E402
from core.services.users import create_user, get_or_create_group, grant_role  # noqa: E402
from core.workflow.engine import transition_issue  # noqa: E402
from plugins.letters.bulk import ready_to_print  # noqa: E402
from plugins.letters.orders import letter_data, render_settings, sender_for  # noqa: E402
from plugins.letters.render import render_run  # noqa: E402
from plugins.letters.templating import default_template  # noqa: E402

STREETS = ("Blåbærstien", "Fjordveien", "Ørnevegen", "Kjærlighetsstien", "Åsgata")


def build(folder: Path, chunk_size: int, workers: int):  # noqa: ANN201 - Flask app
    cfg = yaml.safe_load((ROOT / "config" / "demo.yaml").read_text(encoding="utf-8"))
    cfg["database_url"] = f"sqlite:///{folder / 'bench.sqlite'}"
    cfg["data_dir"] = str(folder / "data")
    cfg["workflows"] = {"ams": str(ROOT / "workflows" / "ams.yaml")}
    for project in cfg["projects"]:
        if project["key"] == "FJN":
            project["plugins"]["letters"].update(chunk_size=chunk_size, workers=workers)
    os.environ.setdefault("AMSFLOW_SECRET_KEY", "benchmark")
    return create_app(parse_config(cfg), create_schema=True)


def make_orders(host, count: int) -> tuple[object, list[int]]:  # noqa: ANN001
    session = host.db.session()

    def people():  # noqa: ANN202
        planner = create_user(session, "planner", "Per Planlegger", "Passord-123")
        installer = create_user(session, "montor", "Øystein Måløy", "Passord-123")
        group = get_or_create_group(session, "planleggere")
        planner.groups.append(group)
        grant_role(session, "FJN", "Planlegger", group=group)
        grant_role(session, "FJN", "Montør", user=installer)
        return planner, installer

    planner, installer = uow.run(host, session, people)
    session.info["amsflow_silent"] = True  # setting up: no watcher mail
    start = datetime(2025, 4, 22, 8, 0)

    def orders() -> list[int]:
        ids = []
        for n in range(count):
            when = start + timedelta(days=n // 16, minutes=30 * (n % 16))
            issue = create_issue(
                host,
                session,
                planner,
                "FJN",
                "Målerbytte",
                f"Målerbytte {n}",
                {
                    "customer_name": f"Åse Ødegård Ærlig {n}",
                    "address": f"{STREETS[n % len(STREETS)]} {n % 97 + 1}",
                    "postcode": f"{5000 + n % 900:04d}",
                    "planned_start": when.strftime("%d.%m.%Y %H:%M"),
                    "estimate": "1h",
                    "assignee": installer.username,
                },
            )
            transition_issue(host, session, planner, issue, "START_PLANNING")
            ids.append(issue.id)
        return ids

    ids = uow.run(host, session, orders)
    session.info.pop("amsflow_silent", None)
    return planner, ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--chunk-size", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--notify", action="store_true", help="mail watchers (off in bulk)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="amsflow-letters-bench-") as tmp:
        app = build(Path(tmp), args.chunk_size, args.workers)
        host = app.extensions["amsflow"]
        with app.app_context():
            t0 = time.perf_counter()
            planner, ids = make_orders(host, args.orders)
            session = host.db.session()
            from core.models import Issue

            issues = [session.get(Issue, i) for i in ids]
            print(f"{len(issues)} orders in Under planlegging ({time.perf_counter() - t0:.1f} s)")

            settings = host.plugins.plugin_settings("FJN", "letters")
            sample = [letter_data(host, issue, "ABCD") for issue in issues]
            t1 = time.perf_counter()
            render_run(
                sample, sender_for(host, "FJN"), default_template(), render_settings(settings)
            )
            render_s = time.perf_counter() - t1
            print(f"render only: {len(sample) / render_s:.1f} letters/s ({render_s:.1f} s)")

            result = ready_to_print(host, session, planner, issues, notify=args.notify)
            rate = len(result.moved) / result.seconds
            print(
                f"bulk Klar til utskrift: {len(result.moved)} moved, {len(result.failed)} "
                f"refused in {result.seconds:.1f} s = {rate:.1f} letters/s "
                f"(chunk {args.chunk_size}, {args.workers} workers, {os.cpu_count()} cores)"
            )
            for project, path in result.print_files.items():
                print(f"print file {project}: {path.name} ({path.stat().st_size // 1024} KiB)")
        host.db.dispose()


if __name__ == "__main__":
    main()
