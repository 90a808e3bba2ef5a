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

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.engine import Connection

Row = Sequence[Any]


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
