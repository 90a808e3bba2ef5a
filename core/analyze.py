"""Fresh planner statistics after a big load (``ANALYZE``).

Right after thousands of rows arrive, PostgreSQL still plans with the statistics of
the small table it had (autovacuum's analyze comes later), and a count that takes
0.1 s with fresh statistics took over a minute. A big writer calls ``after_load``:
it analyzes the tables once enough rows changed since their last analyze
(PostgreSQL's ``n_mod_since_analyze``; on SQLite, the row count against the one
``sqlite_stat1`` recorded).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import text

log = logging.getLogger("amsflow.db")


def after_load(engine: Any, tables: Iterable[str], threshold: int, written: int = 0
               ) -> list[str]:
    """Analyze those ``tables`` with at least ``threshold`` rows changed since their
    last analyze; returns the tables analyzed. ``written`` is what the caller just
    committed: PostgreSQL's counters may not show it yet (they are flushed lazily)."""
    names = sorted(set(tables))
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            stale = _sqlite_stale(conn, names, threshold)
        elif conn.dialect.name == "postgresql":
            stale = list(conn.execute(text(
                "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema() "
                "AND relname = ANY(:names) AND n_mod_since_analyze + :w >= :n"),
                {"names": names, "n": threshold, "w": written}).scalars())
        else:
            stale = []
        conn.commit()
    if stale:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA analysis_limit = 1000")
                for table in sorted(stale):
                    conn.exec_driver_sql(f'ANALYZE "{table}"')
            else:
                conn.exec_driver_sql("ANALYZE " + ", ".join(f'"{t}"' for t in sorted(stale)))
        log.info("analyzed %s after a load", ", ".join(sorted(stale)))
    return sorted(stale)


def _sqlite_stale(conn: Any, names: list[str], threshold: int) -> list[str]:
    present = set(conn.execute(text(
        "SELECT name FROM sqlite_master WHERE type = 'table'")).scalars())
    recorded: dict[str, int] = {}
    if "sqlite_stat1" in present:
        for table, stat in conn.execute(text("SELECT tbl, stat FROM sqlite_stat1")):
            first = str(stat).split(" ", 1)[0]
            if first.isdigit():
                recorded[table] = max(recorded.get(table, 0), int(first))
    stale = []
    for table in names:
        if table not in present:
            continue
        rows = conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
        if abs(rows - recorded.get(table, 0)) >= threshold:
            stale.append(table)
    return stale
