"""Fast row writing for the bulk loader, one way per database.

Ids are reserved up front so rows of several tables can be written without
``RETURNING`` round trips: PostgreSQL hands them out from the table's sequence
(safe next to other writers), SQLite from ``max(id)``, which is safe because the
loader's first statement in each transaction is a write that holds SQLite's single
write lock. PostgreSQL then streams rows with ``COPY``; SQLite gets a plain DB-API
``executemany``. Callers pass time values through ``processor`` so they are stored
exactly as the ORM stores them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.engine import Connection, Engine

Row = Sequence[Any]
# SQLite's full-text insert triggers (core.jql.fulltext): one FTS5 insert per row
# costs more than the row itself.
FTS_INSERT_TRIGGERS = ("issues_fts_ai", "field_values_fts_ai", "comments_fts_ai")


@contextmanager
def bulk_mode(engine: Engine, incoming: int | None) -> Iterator[None]:
    """Around a big SQLite load: pause the full-text insert triggers and drop the
    secondary indexes of ``field_values``, then rebuild both in one pass each.

    Filling an index by sorting once is several times faster than 14 random B-tree
    inserts per order (100,000 orders: 67 s -> 27 s). Worth it only when the load is
    big next to what is there (``incoming`` orders at least half the existing ones):
    the rebuild reads the whole table. Other connections stay correct meanwhile, just
    slower; ``fulltext.install`` puts the triggers back and indexes every row the FTS
    tables miss, also rows others inserted. PostgreSQL (COPY, GIN indexes without
    triggers) is left as it is.
    """
    if engine.dialect.name != "sqlite" or not incoming:
        yield
        return
    with engine.begin() as conn:
        existing = conn.execute(text("SELECT coalesce(max(id), 0) FROM issues")).scalar_one()
        if incoming * 2 < existing:
            paused, indexes = [], []
        else:
            names = set(conn.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
            paused = [t for t in FTS_INSERT_TRIGGERS if t in names]
            indexes = conn.execute(text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                "AND tbl_name = 'field_values'")).all()
            for trigger in paused:
                conn.execute(text(f"DROP TRIGGER {trigger}"))
            for name, _ in indexes:
                conn.execute(text(f"DROP INDEX {name}"))
    try:
        yield
    finally:
        if indexes:
            with engine.begin() as conn:
                for _, sql in indexes:
                    conn.execute(text(sql))
        if paused:
            from core.jql.fulltext import install

            install(engine)


def _identity(value: Any) -> Any:
    return value


class RowWriter:
    """Reserve ids and insert tuples into core tables on one connection's dialect."""

    def __init__(self, conn: Connection, trust_rows: bool = True) -> None:
        self.conn = conn
        self.dialect = conn.dialect
        self.trusted = trust_rows and self._trust_rows()

    def _trust_rows(self) -> bool:
        """Tune the transaction for a bulk write; True if FK triggers are skipped.

        SQLite gets a page cache big enough for the field-value indexes. PostgreSQL
        skips its per-row foreign-key triggers, which nearly double a COPY: the rows
        are consistent by construction (ids reserved in this transaction). That takes
        superuser rights; without them checks stay on.
        """
        if self.dialect.name == "sqlite":
            self.conn.exec_driver_sql("PRAGMA cache_size = -262144")
            return False
        if self.dialect.name != "postgresql":
            return False
        superuser = self.conn.execute(
            text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar()
        if superuser:
            self.conn.execute(text("SET LOCAL session_replication_role = replica"))
        return bool(superuser)

    def processor(self, table: Table, column: str) -> Callable[[Any], Any]:
        """The column's bind conversion (identity when it has none); skip it for None."""
        proc = table.c[column].type._cached_bind_processor(self.dialect)
        return proc or _identity

    def reserve_ids(self, table: Table, count: int) -> list[int]:
        """``count`` unused primary keys for ``table``."""
        if self.dialect.name == "postgresql":
            return list(self.conn.execute(
                text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) "
                     "FROM generate_series(1, :n)"), {"t": table.name, "n": count}).scalars())
        top = self.conn.execute(text(f"SELECT coalesce(max(id), 0) FROM {table.name}"))
        first = top.scalar_one() + 1
        return list(range(first, first + count))

    def write(self, table: Table, columns: tuple[str, ...], rows: list[Row]) -> None:
        """Insert ``rows`` (tuples in ``columns`` order, already converted) into ``table``."""
        if not rows:
            return
        names = ", ".join(columns)
        if self.dialect.name == "postgresql":
            raw = self.conn.connection.dbapi_connection
            with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({names}) FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(row)
            return
        marks = ", ".join("?" if self.dialect.paramstyle == "qmark" else "%s" for _ in columns)
        self.conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)
