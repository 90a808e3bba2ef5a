"""Fresh planner statistics after a big load.

After 9,000 orders were bulk-inserted on PostgreSQL, two history counts took 76 s
and 34 s until the tables were analysed (0.1 s after): autovacuum analyses a table
only once a share of it changed and only on its own schedule. ``demo bulk``, Quant's
batch intake and large bulk tasks therefore end by analysing what they wrote.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.engine import Engine

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
