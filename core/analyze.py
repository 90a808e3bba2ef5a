"""Fresh planner statistics after a big load.

After 9,000 orders were bulk-inserted on PostgreSQL, two history counts took 76 s
and 34 s until the tables were analysed (0.1 s after): autovacuum analyses a table
only once a share of it changed and only on its own schedule. ``demo bulk``, Quant's
batch intake and large bulk tasks therefore end by analysing what they wrote.
``analyze`` does it now; ``after_load`` (for a writer that comes in many calls, such
as Quant's batches of 1,000) only once enough rows changed since the last analyze.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger("amsflow.db")

# The tables that loading or changing orders writes: orders, their values, history,
# comments, watchers and the search projections.
ORDER_TABLES = ("issues", "field_values", "change_groups", "change_items", "comments",
                "watchers", "issue_search", "search_history_values",
                "search_history_changes")
LARGE_TASK = 1_000  # orders a bulk task must change before it analyses


def analyze(engine: Engine, tables: Iterable[str] = ORDER_TABLES) -> float:
    """``ANALYZE`` the tables that exist of ``tables``; the seconds it took."""
    started = time.perf_counter()
    from sqlalchemy import inspect

    present = set(inspect(engine).get_table_names())
    wanted = [t for t in tables if t in present]
    if not wanted:
        return 0.0
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE " + ", ".join(f'"{t}"' for t in wanted)))
        else:
            for table in wanted:
                conn.execute(text(f'ANALYZE "{table}"'))
    seconds = time.perf_counter() - started
    log.info("analysed %s in %.2f s", ", ".join(wanted), seconds)
    return seconds


def after_load(engine: Engine, tables: Iterable[str], threshold: int, written: int = 0
               ) -> list[str]:
    """Analyse those ``tables`` with at least ``threshold`` rows changed since their
    last analyse (PostgreSQL's ``n_mod_since_analyze``; on SQLite the row count
    against the one ``sqlite_stat1`` holds); returns them. ``written`` is what the
    caller just committed: PostgreSQL's counters may not show it yet."""
    names = sorted(set(tables))
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            stale = list(conn.execute(text(
                "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema() "
                "AND relname = ANY(:names) AND n_mod_since_analyze + :w >= :n"),
                {"names": names, "n": threshold, "w": written}).scalars())
        else:
            stale = _sqlite_stale(conn, names, threshold)
        conn.commit()
    if stale:
        analyze(engine, sorted(stale))
    return sorted(stale)


def _sqlite_stale(conn: Connection, names: list[str], threshold: int) -> list[str]:
    present = set(conn.execute(text(
        "SELECT name FROM sqlite_master WHERE type = 'table'")).scalars())
    recorded: dict[str, int] = {}
    if "sqlite_stat1" in present:
        for table, stat in conn.execute(text("SELECT tbl, stat FROM sqlite_stat1")):
            first = str(stat).split(" ", 1)[0]
            if first.isdigit():
                recorded[table] = max(recorded.get(table, 0), int(first))
    return [table for table in names if table in present and abs(conn.execute(text(
        f'SELECT count(*) FROM "{table}"')).scalar_one() - recorded.get(table, 0)) >= threshold]
