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

import weakref
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ..models.search import DATE_SLOTS, NUMBER_SLOTS, TEXT_SLOTS

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


# Every status an issue is given (created in, or set, with or without a history row) is
# a value it held: with these, ``status WAS X`` needs no test of the current status.
COMPLETE_FIELDS = frozenset({"status"})
_STATUS_HELD = ("INSERT INTO search_history_values (field, value, issue_id) "
                "VALUES ('status', CAST(new.status_id AS TEXT), new.id) ON CONFLICT DO NOTHING")
_PG_STATUS = f"""
CREATE OR REPLACE FUNCTION search_history_status() RETURNS trigger AS $$
BEGIN
    {_STATUS_HELD};
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""
_SQLITE_STATUS = [
    f"""CREATE TRIGGER IF NOT EXISTS issues_status_held_ai AFTER INSERT ON issues BEGIN
        {_STATUS_HELD}; END""",
    f"""CREATE TRIGGER IF NOT EXISTS issues_status_held_au AFTER UPDATE OF status_id ON issues
        BEGIN {_STATUS_HELD}; END""",
]


def _pg_trigger(conn: Connection, name: str, table: str, ddl: str) -> None:
    found = conn.execute(text("SELECT 1 FROM pg_trigger WHERE tgname = :n AND "
                              "tgrelid = CAST(:t AS regclass)"), {"n": name, "t": table})
    if found.first() is None:
        conn.execute(text(ddl))


def install(conn: Connection) -> None:
    """Create the triggers (idempotent) and fill the projection if it was never filled."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(_PG_FUNCTION))
        conn.execute(text(_PG_STATUS))
        _pg_trigger(conn, "change_items_search", "change_items", _PG_TRIGGER)
        _pg_trigger(conn, "issues_status_held", "issues",
                    "CREATE TRIGGER issues_status_held AFTER INSERT OR UPDATE OF status_id "
                    "ON issues FOR EACH ROW EXECUTE FUNCTION search_history_status()")
    elif conn.dialect.name == "sqlite":
        conn.execute(text(_SQLITE_TRIGGER))
        for ddl in _SQLITE_STATUS:
            conn.execute(text(ddl))
    else:
        return
    empty = conn.execute(text("SELECT 1 FROM search_history_changes LIMIT 1")).first() is None
    if empty and conn.execute(text("SELECT 1 FROM change_items LIMIT 1")).first() is not None:
        fill(conn)


def drop(conn: Connection) -> None:
    """Remove the trigger (the migration's downgrade)."""
    pg = conn.dialect.name == "postgresql"
    conn.execute(text("DROP TRIGGER IF EXISTS change_items_search"
                      + (" ON change_items" if pg else "")))
    if pg:
        conn.execute(text("DROP TRIGGER IF EXISTS issues_status_held ON issues"))
        conn.execute(text("DROP FUNCTION IF EXISTS search_history_item()"))
        conn.execute(text("DROP FUNCTION IF EXISTS search_history_status()"))
    else:
        for name in ("issues_status_held_ai", "issues_status_held_au"):
            conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))


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
    conn.execute(text(f"""
        INSERT INTO search_history_values (field, value, issue_id)
        SELECT 'status', CAST(g.status_id AS TEXT), g.id FROM issues g
        {where.replace('g.issue_id', 'g.id') or 'WHERE 1 = 1'}
        ON CONFLICT DO NOTHING
        """), params)


# -- the per-issue search row (``issue_search``) -------------------------------------

SYSTEM_COLUMNS = ("project_id", "status_id", "issue_type_id", "resolution_id", "assignee_id",
                  "created")
_KIND_SLOTS = {"value_str": TEXT_SLOTS, "value_date": DATE_SLOTS, "value_num": NUMBER_SLOTS}
# Field types with one value in one column, and that column.
_TYPE_COLUMN = {"text": "value_str", "textarea": "value_str", "phone": "value_str",
                "select": "value_str", "user": "value_str", "datetime": "value_date",
                "date": "value_date", "number": "value_num", "duration": "value_num",
                "flag": "value_num"}
_slots_cache: weakref.WeakKeyDictionary[Engine, dict[str, str]] = weakref.WeakKeyDictionary()


def value_column(fdef: Any) -> str | None:
    """The ``field_values`` column a field's single value lives in (None: not slotted)."""
    return _TYPE_COLUMN.get(getattr(fdef, "type", ""))


def slots(session: Session) -> dict[str, str]:
    """field id -> ``issue_search`` column, as installed in this database (cached)."""
    engine = session.get_bind()
    engine = getattr(engine, "engine", engine)
    if engine not in _slots_cache:
        try:
            with engine.connect() as conn:
                _slots_cache[engine] = dict(conn.execute(text(
                    "SELECT field_id, slot FROM search_slots")).all())
        except DBAPIError:  # a database without the table: no projection
            _slots_cache[engine] = {}
    return _slots_cache[engine]


def _assign(conn: Connection, fields: list[Any]) -> tuple[dict[str, str], set[str]]:
    """Keep each field's slot, give new fields a free one of their kind, free the slots
    of fields gone or changed in kind. Returns the mapping and the slots to refill."""
    old = dict(conn.execute(text("SELECT field_id, slot FROM search_slots")).all())
    wanted = {f.id: value_column(f) for f in fields if value_column(f)}
    mapping = {f: s for f, s in old.items()
               if f in wanted and s in _KIND_SLOTS[wanted[f]]}
    refill = {s for f, s in old.items() if mapping.get(f) != s}
    for field_id, column in wanted.items():
        if field_id in mapping:
            continue
        free = [s for s in _KIND_SLOTS[column] if s not in mapping.values()]
        if free:  # else this field is searched through field_values only
            mapping[field_id] = free[0]
            refill.add(free[0])
    if mapping != old:
        conn.execute(text("DELETE FROM search_slots"))
        if mapping:
            conn.execute(text("INSERT INTO search_slots (field_id, slot) VALUES (:f, :s)"),
                         [{"f": f, "s": s} for f, s in sorted(mapping.items())])
    return mapping, refill


def _row_select(conn: Connection, mapping: dict[str, str], fields: dict[str, str],
                where: str) -> str:
    """SELECT of whole ``issue_search`` rows from issues and field values (``where`` on
    ``i``, the issues): one pass over each issue's values, a column per slot."""
    picks = []
    for field_id, slot in sorted(mapping.items(), key=lambda kv: kv[1]):
        picks.append(f"max(CASE WHEN field_id = '{field_id}' THEN {fields[field_id]} END) "
                     f"AS {slot}")
    slots_sql = ", ".join(f"v.{s}" for s in sorted(mapping.values()))
    system = ", ".join(f"i.{c}" for c in SYSTEM_COLUMNS)
    if not mapping:
        return f"SELECT i.id, {system} FROM issues i WHERE {where}"
    values = (f"SELECT issue_id, {', '.join(picks)} FROM field_values "
              f"WHERE issue_id IN (SELECT i.id FROM issues i WHERE {where}) GROUP BY issue_id")
    return (f"SELECT i.id, {system}, {slots_sql} FROM issues i "
            f"LEFT JOIN ({values}) v ON v.issue_id = i.id WHERE {where}")


def _columns(mapping: dict[str, str]) -> list[str]:
    return ["issue_id", *SYSTEM_COLUMNS, *sorted(mapping.values())]


def _upsert(conn: Connection, mapping: dict[str, str], fields: dict[str, str], where: str,
            only_changed: bool = False) -> str:
    cols = _columns(mapping)
    sets = ", ".join(f"{c} = excluded.{c}" for c in cols[1:])
    changed = ""
    if only_changed:
        mine = ", ".join(f"s.{c}" for c in cols[1:])
        theirs = ", ".join(f"excluded.{c}" for c in cols[1:])
        changed = f" WHERE ({mine}) IS DISTINCT FROM ({theirs})"
    alias = " AS s" if only_changed else ""
    # SQLite needs a WHERE in an INSERT ... SELECT before ON CONFLICT: it has one.
    return (f"INSERT INTO issue_search{alias} ({', '.join(cols)}) "
            f"{_row_select(conn, mapping, fields, where)} "
            f"ON CONFLICT (issue_id) DO UPDATE SET {sets}{changed}")


def fill_search(conn: Connection, first_issue: int | None = None,
                last_issue: int | None = None) -> None:
    """(Re)write the ``issue_search`` rows of issues ``first_issue..last_issue`` (all by
    default) from the issues and their field values."""
    mapping = dict(conn.execute(text("SELECT field_id, slot FROM search_slots")).all())
    columns = _stored_columns(mapping)
    where, params = "1 = 1", {}
    if first_issue is not None and last_issue is not None:
        where, params = "i.id BETWEEN :lo AND :hi", {"lo": first_issue, "hi": last_issue}
    conn.execute(text(_upsert(conn, mapping, columns, where)), params)


def _stored_columns(mapping: dict[str, str]) -> dict[str, str]:
    """field id -> value column, from the slot's kind (no config needed)."""
    kinds = {s: col for col, names in _KIND_SLOTS.items() for s in names}
    return {f: kinds[s] for f, s in mapping.items()}


def install_search(conn: Connection, fields: list[Any]) -> None:
    """Assign slots to the configured fields, (re)create the triggers that keep
    ``issue_search`` in step, and fill what is missing or was re-slotted."""
    dialect = conn.dialect.name
    if dialect not in ("postgresql", "sqlite"):
        return
    mapping, refill = _assign(conn, fields)
    columns = _stored_columns(mapping)
    if dialect == "postgresql":
        _pg_search_triggers(conn, mapping, columns)
        _pg_expression_statistics(conn)
    else:
        _sqlite_search_triggers(conn, mapping, columns)
    _slots_cache[conn.engine] = dict(mapping)
    empty = conn.execute(text("SELECT 1 FROM issue_search LIMIT 1")).first() is None
    for slot in refill - set(mapping.values()):  # a freed slot keeps no old values
        conn.execute(text(f"UPDATE issue_search SET {slot} = NULL WHERE {slot} IS NOT NULL"))
    if empty or refill:  # every row, with every slotted column, from the source tables
        conn.execute(text(_upsert(conn, mapping, columns, "1 = 1")))


def _pg_search_triggers(conn: Connection, mapping: dict[str, str],
                        columns: dict[str, str]) -> None:
    """A deferred constraint trigger per table: the row is rewritten once, at commit (or
    when a search asks, see :func:`settle`), however many values the transaction wrote."""
    conn.execute(text(f"""
        CREATE OR REPLACE FUNCTION issue_search_refresh() RETURNS trigger AS $$
        DECLARE
            target integer;
        BEGIN
            IF TG_TABLE_NAME = 'issues' THEN
                target := NEW.id;
            ELSIF TG_OP = 'DELETE' THEN
                target := OLD.issue_id;
            ELSE
                target := NEW.issue_id;
            END IF;
            -- The events fire at commit (or settle), after every write: a row just
            -- rewritten for this issue is current already. An issue's events come one
            -- after another (its row, then its values), so the last id is enough.
            IF current_setting('amsflow.search_last', true) = target::text
               OR current_setting('amsflow.search_filled', true) = 'on' THEN
                RETURN NULL;
            END IF;
            PERFORM set_config('amsflow.search_last', target::text, true);
            {_upsert(conn, mapping, columns, "i.id = target", only_changed=True)};
            RETURN NULL;
        END
        $$ LANGUAGE plpgsql"""))
    names = ", ".join(SEARCH_TRIGGERS)  # one round trip (a prepared statement is one SQL)
    conn.execute(text(f"""
        CREATE OR REPLACE FUNCTION issue_search_settle() RETURNS void AS $$
        BEGIN
            SET CONSTRAINTS {names} IMMEDIATE;
            SET CONSTRAINTS {names} DEFERRED;
            PERFORM set_config('amsflow.search_last', '', true);  -- later writes count
        END
        $$ LANGUAGE plpgsql"""))
    for name, table, events in (
            ("issue_search_issues", "issues",
             "INSERT OR UPDATE OF " + ", ".join(SYSTEM_COLUMNS)),
            ("issue_search_values", "field_values", "INSERT OR UPDATE OR DELETE")):
        found = conn.execute(text("SELECT 1 FROM pg_trigger WHERE tgname = :n AND "
                                  "tgrelid = CAST(:t AS regclass)"), {"n": name, "t": table})
        if found.first() is None:
            conn.execute(text(
                f"CREATE CONSTRAINT TRIGGER {name} AFTER {events} ON {table} "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                "EXECUTE FUNCTION issue_search_refresh()"))


def _pg_expression_statistics(conn: Connection) -> None:
    """Statistics of ``lower(slot)`` (PostgreSQL 14+): the partial slot indexes give the
    planner none, so it took 0.5 % per ``=`` and estimated 13 orders for a stage and a
    municipality that have 21,529, and then filtered 89,000 rows on the table."""
    if int(conn.execute(text("SHOW server_version_num")).scalar_one()) < 140000:
        return
    for slot in TEXT_SLOTS:
        conn.execute(text(f"CREATE STATISTICS IF NOT EXISTS issue_search_lower_{slot} "
                          f"ON (lower({slot})) FROM issue_search"))


def _sqlite_search_triggers(conn: Connection, mapping: dict[str, str],
                            columns: dict[str, str]) -> None:
    """Row triggers that set just the changed column: SQLite then updates only the
    indexes of that column."""
    old = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                            "AND name LIKE 'issue_search_%'")).scalars().all()
    for name in old:
        conn.execute(text(f"DROP TRIGGER {name}"))
    system = ", ".join(SYSTEM_COLUMNS)
    news = ", ".join(f"new.{c}" for c in SYSTEM_COLUMNS)
    sets = ", ".join(f"{c} = new.{c}" for c in SYSTEM_COLUMNS)
    conn.execute(text(f"""
        CREATE TRIGGER issue_search_issue_ai AFTER INSERT ON issues BEGIN
            INSERT INTO issue_search (issue_id, {system}) VALUES (new.id, {news})
            ON CONFLICT (issue_id) DO UPDATE SET {sets};
        END"""))
    conn.execute(text(f"""
        CREATE TRIGGER issue_search_issue_au AFTER UPDATE OF {system} ON issues BEGIN
            UPDATE issue_search SET {sets} WHERE issue_id = new.id;
        END"""))
    for field_id, slot in sorted(mapping.items()):
        col = columns[field_id]
        for event, row, value in (("ai", "new", f"new.{col}"), ("au", "new", f"new.{col}"),
                                  ("ad", "old", "NULL")):
            verb = {"ai": "INSERT", "au": "UPDATE", "ad": "DELETE"}[event]
            conn.execute(text(f"""
                CREATE TRIGGER issue_search_{slot}_{event} AFTER {verb} ON field_values
                WHEN {row}.field_id = '{field_id}' BEGIN
                    UPDATE issue_search SET {slot} = {value} WHERE issue_id = {row}.issue_id;
                END"""))


SEARCH_TRIGGERS = ("issue_search_issues", "issue_search_values")


def settle(session: Session) -> None:
    """Run the deferred ``issue_search`` triggers of this transaction's writes now, so a
    search after a write in the same transaction sees it (PostgreSQL; SQLite's are
    immediate). They are deferred again for later writes."""
    session.execute(text("SELECT issue_search_settle()"))


def fill_written(session: Session, ids: list[int]) -> None:
    """After a batch writer inserted the issues ``ids`` and their values (and nothing
    else yet in this transaction): their search rows in one statement, instead of a
    deferred trigger run per row at commit (2,000 single-row rewrites for 1,000
    orders). The pending events are fired now and skip; later writes count again."""
    if not ids:
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT set_config('amsflow.search_filled', 'on', true)"))
        conn.execute(text("SELECT issue_search_settle()"))
        conn.execute(text("SELECT set_config('amsflow.search_filled', '', true)"))
        fill_search(conn, min(ids), max(ids))


def install_for(host: Any) -> None:
    """``install_search`` for a host's configured fields (``Amsflow.after_schema``)."""
    with host.db.engine.begin() as conn:
        install_search(conn, list(getattr(host, "fields", None) or ()))


def drop_search(conn: Connection) -> None:
    """Remove the ``issue_search`` triggers (the migration's downgrade)."""
    if conn.dialect.name == "postgresql":
        for name, table in (("issue_search_issues", "issues"),
                            ("issue_search_values", "field_values")):
            conn.execute(text(f"DROP TRIGGER IF EXISTS {name} ON {table}"))
        conn.execute(text("DROP FUNCTION IF EXISTS issue_search_refresh()"))
        conn.execute(text("DROP FUNCTION IF EXISTS issue_search_settle()"))
        for slot in TEXT_SLOTS:
            conn.execute(text(f"DROP STATISTICS IF EXISTS issue_search_lower_{slot}"))
    elif conn.dialect.name == "sqlite":
        names = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                  "AND name LIKE 'issue_search_%'")).scalars().all()
        for name in names:
            conn.execute(text(f"DROP TRIGGER {name}"))


def computed_rows(conn: Connection) -> list[Any]:
    """``issue_search`` as computed from the source tables, in the table's column order
    (issue_id, system columns, slots by name): what the triggers must have kept."""
    mapping = dict(conn.execute(text("SELECT field_id, slot FROM search_slots")).all())
    sql = _row_select(conn, mapping, _stored_columns(mapping), "1 = 1")
    return [tuple(r) for r in conn.execute(text(f"{sql} ORDER BY i.id"))]


def stored_rows(conn: Connection) -> list[Any]:
    """``issue_search`` as stored, in the order and columns of :func:`computed_rows`."""
    mapping = dict(conn.execute(text("SELECT field_id, slot FROM search_slots")).all())
    cols = ", ".join(_columns(mapping))
    return [tuple(r) for r in conn.execute(text(
        f"SELECT {cols} FROM issue_search ORDER BY issue_id"))]
