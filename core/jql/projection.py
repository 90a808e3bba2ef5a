"""Keeping the history search projections (``core.models.search``) in step.

A trigger on ``change_items`` adds the item's values and its time in the same
statement that writes the item, so whoever writes history (services, bulk, Quant,
plugins, raw SQL) keeps the projection right, and a rollback takes both back. The
only writer that bypasses triggers is the bulk loader on PostgreSQL (``COPY`` with
``session_replication_role = replica``): it calls :func:`fill` for its issues.

:func:`install` (from ``core.jql.fulltext.install``, so after ``create_schema`` and
after migrations) creates the trigger and fills the tables once when they are empty
but history is not (a database from before the projection, or a bulk load).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION search_history_item() RETURNS trigger AS $$
BEGIN
    INSERT INTO search_history_changes (issue_id, field, last_changed)
    SELECT g.issue_id, n.field, max(g.created)
    FROM new_items n JOIN change_groups g ON g.id = n.group_id
    GROUP BY g.issue_id, n.field
    ON CONFLICT (issue_id, field) DO UPDATE SET last_changed = excluded.last_changed
    WHERE search_history_changes.last_changed < excluded.last_changed;
    INSERT INTO search_history_values (field, value, issue_id)
    SELECT DISTINCT n.field, v.value, g.issue_id
    FROM new_items n JOIN change_groups g ON g.id = n.group_id
    CROSS JOIN LATERAL (VALUES (n.from_value), (n.to_value)) AS v(value)
    WHERE v.value IS NOT NULL
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""
# One statement-level trigger: a group's items (or a bulk chunk's) are one set insert.
_PG_TRIGGER = """
CREATE TRIGGER change_items_search AFTER INSERT ON change_items
REFERENCING NEW TABLE AS new_items FOR EACH STATEMENT EXECUTE FUNCTION search_history_item()
"""
_SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS change_items_search AFTER INSERT ON change_items BEGIN
    INSERT INTO search_history_changes (issue_id, field, last_changed)
    SELECT issue_id, new.field, created FROM change_groups WHERE id = new.group_id
    ON CONFLICT (issue_id, field) DO UPDATE SET last_changed = excluded.last_changed
    WHERE search_history_changes.last_changed < excluded.last_changed;
    INSERT OR IGNORE INTO search_history_values (field, value, issue_id)
    SELECT new.field, new.from_value, issue_id FROM change_groups
    WHERE id = new.group_id AND new.from_value IS NOT NULL;
    INSERT OR IGNORE INTO search_history_values (field, value, issue_id)
    SELECT new.field, new.to_value, issue_id FROM change_groups
    WHERE id = new.group_id AND new.to_value IS NOT NULL;
END
"""


def install(conn: Connection) -> None:
    """Create the trigger (idempotent) and fill the projection if it was never filled."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(_PG_FUNCTION))
        exists = conn.execute(text(
            "SELECT 1 FROM pg_trigger WHERE tgname = 'change_items_search' "
            "AND tgrelid = 'change_items'::regclass")).first()
        if exists is None:
            conn.execute(text(_PG_TRIGGER))
    elif conn.dialect.name == "sqlite":
        conn.execute(text(_SQLITE_TRIGGER))
    else:
        return
    empty = conn.execute(text("SELECT 1 FROM search_history_changes LIMIT 1")).first() is None
    if empty and conn.execute(text("SELECT 1 FROM change_items LIMIT 1")).first() is not None:
        fill(conn)


def drop(conn: Connection) -> None:
    """Remove the trigger (the migration's downgrade)."""
    conn.execute(text("DROP TRIGGER IF EXISTS change_items_search"
                      + (" ON change_items" if conn.dialect.name == "postgresql" else "")))
    if conn.dialect.name == "postgresql":
        conn.execute(text("DROP FUNCTION IF EXISTS search_history_item()"))


def fill(conn: Connection, first_issue: int | None = None, last_issue: int | None = None
         ) -> None:
    """Add the history of issues ``first_issue..last_issue`` (all by default) to the
    projection; rows already there are kept, so it may run more than once."""
    where, params = "", {}
    if first_issue is not None and last_issue is not None:
        where = "WHERE g.issue_id BETWEEN :lo AND :hi"
        params = {"lo": first_issue, "hi": last_issue}
    later = "greatest" if conn.dialect.name == "postgresql" else "max"
    conn.execute(text(f"""
        INSERT INTO search_history_changes (issue_id, field, last_changed)
        SELECT g.issue_id, i.field, max(g.created)
        FROM change_groups g JOIN change_items i ON i.group_id = g.id {where or 'WHERE 1 = 1'}
        GROUP BY g.issue_id, i.field
        ON CONFLICT (issue_id, field) DO UPDATE
        SET last_changed = {later}(search_history_changes.last_changed, excluded.last_changed)
        """), params)
    for side in ("from_value", "to_value"):
        conn.execute(text(f"""
            INSERT INTO search_history_values (field, value, issue_id)
            SELECT DISTINCT i.field, i.{side}, g.issue_id
            FROM change_groups g JOIN change_items i ON i.group_id = g.id
            {where or 'WHERE 1 = 1'} AND i.{side} IS NOT NULL
            ON CONFLICT DO NOTHING
            """), params)
