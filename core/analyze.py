"""Fresh planner statistics after a big load (PostgreSQL ``ANALYZE``).

Right after thousands of rows arrive, PostgreSQL still plans with the statistics of
the small table it had (autovacuum's analyze comes later), and a count that takes
0.1 s with fresh statistics took over a minute. A big writer calls ``after_load``:
it analyzes the tables once enough rows changed since their last analyze. SQLite
gets ``PRAGMA optimize``, which analyzes what its own rule says is out of date.
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
    names = list(tables)
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA optimize")
            conn.commit()
            return []
        if conn.dialect.name != "postgresql":
            return []
        stale = list(conn.execute(text(
            "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema() "
            "AND relname = ANY(:names) AND n_mod_since_analyze + :w >= :n"),
            {"names": names, "n": threshold, "w": written}).scalars())
        conn.commit()
    if stale:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE " + ", ".join(f'"{t}"' for t in sorted(stale)))
        log.info("analyzed %s after a load", ", ".join(sorted(stale)))
    return sorted(stale)
