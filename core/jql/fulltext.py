"""Full-text search for ``~``: SQLite FTS5 or PostgreSQL text search.

Words are matched as prefixes (``måler`` finds ``målerbytte``), all words must
match, case is ignored and Norwegian letters are kept as they are. On SQLite
two FTS5 tables (issues: summary and description; comments: body) are kept
current by triggers; on PostgreSQL GIN expression indexes serve the
``to_tsvector('simple', ...)`` expressions used here, and the ``norwegian``
configuration adds stemming (``målere`` finds ``måler``).

Call :func:`install` once after the tables exist (``Amsflow.after_schema``); it
is idempotent and indexes the rows already there. Without it, ``~`` falls back to
``LIKE`` so a fresh database still answers correctly, only slower.
"""

from __future__ import annotations

import re
import weakref
from typing import Any

from sqlalchemy import (
    String,
    and_,
    cast,
    column,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from ..models import Comment, FieldValue, Issue
from .limits import check_words, current_limits
from .projection import install as install_projection

_WORD = re.compile(r"[^\W_]+")
_TOKENIZE = "unicode61 remove_diacritics 0"
# Field values worth a text search: something besides digits and number punctuation
# (names, addresses, towns; not postcodes, phone numbers, meter ids or positions).
_WORDY = "{row}value_str GLOB '*[^0-9 +,.-]*'"
_PG_PATTERN = "[^0-9 +,.-]"
_PG_WORDY = f"value_str ~ '{_PG_PATTERN}'"
_SQLITE_DDL = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS issues_fts USING fts5(summary, description, "
    f"tokenize='{_TOKENIZE}')",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS comments_fts USING fts5(body, tokenize='{_TOKENIZE}')",
    """CREATE TRIGGER IF NOT EXISTS issues_fts_ai AFTER INSERT ON issues BEGIN
         INSERT INTO issues_fts(rowid, summary, description)
         VALUES (new.id, new.summary, new.description); END""",
    """CREATE TRIGGER IF NOT EXISTS issues_fts_ad AFTER DELETE ON issues BEGIN
         DELETE FROM issues_fts WHERE rowid = old.id; END""",
    """CREATE TRIGGER IF NOT EXISTS issues_fts_au AFTER UPDATE OF summary, description
         ON issues BEGIN
         DELETE FROM issues_fts WHERE rowid = old.id;
         INSERT INTO issues_fts(rowid, summary, description)
         VALUES (new.id, new.summary, new.description); END""",
    """CREATE TRIGGER IF NOT EXISTS comments_fts_ai AFTER INSERT ON comments BEGIN
         INSERT INTO comments_fts(rowid, body) VALUES (new.id, new.body); END""",
    """CREATE TRIGGER IF NOT EXISTS comments_fts_ad AFTER DELETE ON comments BEGIN
         DELETE FROM comments_fts WHERE rowid = old.id; END""",
    """CREATE TRIGGER IF NOT EXISTS comments_fts_au AFTER UPDATE OF body ON comments BEGIN
         DELETE FROM comments_fts WHERE rowid = old.id;
         INSERT INTO comments_fts(rowid, body) VALUES (new.id, new.body); END""",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS field_values_fts USING fts5(value, "
    f"tokenize='{_TOKENIZE}')",
    f"""CREATE TRIGGER IF NOT EXISTS field_values_fts_ai AFTER INSERT ON field_values
         WHEN {_WORDY.format(row="new.")} BEGIN
         INSERT INTO field_values_fts(rowid, value) VALUES (new.rowid, new.value_str); END""",
    """CREATE TRIGGER IF NOT EXISTS field_values_fts_ad AFTER DELETE ON field_values BEGIN
         DELETE FROM field_values_fts WHERE rowid = old.rowid; END""",
    f"""CREATE TRIGGER IF NOT EXISTS field_values_fts_au AFTER UPDATE OF value_str
         ON field_values BEGIN
         DELETE FROM field_values_fts WHERE rowid = old.rowid;
         INSERT INTO field_values_fts(rowid, value) SELECT new.rowid, new.value_str
         WHERE {_WORDY.format(row="new.")}; END""",
    f"""INSERT INTO field_values_fts(rowid, value) SELECT rowid, value_str FROM field_values
         WHERE {_WORDY.format(row="")} AND rowid NOT IN (SELECT rowid FROM field_values_fts)""",
    """INSERT INTO issues_fts(rowid, summary, description)
         SELECT id, summary, description FROM issues
         WHERE id NOT IN (SELECT rowid FROM issues_fts)""",
    """INSERT INTO comments_fts(rowid, body) SELECT id, body FROM comments
         WHERE id NOT IN (SELECT rowid FROM comments_fts)""",
]
_PG_CONFIGS = ("simple", "norwegian")
_PG_COLUMNS = {"summary": ("issues", "summary"), "description": ("issues", "description"),
               "body": ("comments", "body")}
# One alias of ``issues`` for every text subquery: an ORM ``aliased(Issue)`` per term
# cost 2-4 ms each to adapt its columns, growing with the query (4 s for 1,000 terms).
_TEXT_HIT = Issue.__table__.alias("text_hit")
_ISSUES_FTS = table("issues_fts", column("rowid"))
_COMMENTS_FTS = table("comments_fts", column("rowid"))
_VALUES_FTS = table("field_values_fts", column("rowid"))
_installed: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def install(engine: Engine) -> None:
    """Create the full-text tables, triggers or indexes, and index existing rows; the
    history search projection's trigger too (``core.jql.projection``)."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            for statement in _SQLITE_DDL:
                conn.execute(text(statement))
        elif engine.dialect.name == "postgresql":
            for column, (table, col) in _PG_COLUMNS.items():
                for config in _PG_CONFIGS:
                    conn.execute(text(
                        f"CREATE INDEX IF NOT EXISTS ix_fts_{column}_{config} ON {table} "
                        f"USING gin (to_tsvector('{config}'::regconfig, coalesce({col}, '')))"))
            conn.execute(text(
                "CREATE INDEX IF NOT EXISTS ix_fts_field_values_simple ON field_values USING gin "
                f"(to_tsvector('simple'::regconfig, value_str)) WHERE {_PG_WORDY}"))
        install_projection(conn)  # the other derived search structures, same moment
    _installed[engine] = True


def installed(session: Session) -> bool:
    """Whether :func:`install` has run on this database (checked once per engine)."""
    engine = session.get_bind()
    engine = getattr(engine, "engine", engine)
    if engine not in _installed:
        if engine.dialect.name == "sqlite":
            found = session.execute(text("SELECT 1 FROM sqlite_master WHERE name = :n"),
                                    {"n": "field_values_fts"}).first()
            _installed[engine] = found is not None
        else:
            _installed[engine] = engine.dialect.name == "postgresql"
    return _installed[engine]


def words(query: str) -> list[str]:
    """The words of a search text, lower-cased; punctuation and ``*`` are dropped.

    More than ``limits.jql_max_words`` is refused: PostgreSQL nests its tsquery one
    level per word, and 20,000 words overflowed its stack."""
    found = [w.lower() for w in _WORD.findall(query)]
    check_words(len(found), current_limits())
    return found


def _fts5_query(columns: list[str], terms: list[str]) -> str:
    inner = " AND ".join('"' + t.replace('"', '""') + '"*' for t in terms)
    return "{" + " ".join(columns) + "} : (" + inner + ")"


def _regconfig(name: str) -> Any:
    """``'name'::regconfig`` as a constant: a cast of a bound parameter is not folded
    at planning, and then the expression no longer matches the GIN index."""
    return literal_column(f"'{name}'::regconfig")


_DOCS: dict[int, tuple[Any, dict[str, Any]]] = {}


def _pg_docs(column: Any) -> dict[str, Any]:
    """A column's ``to_tsvector`` expressions, built once: they do not depend on the
    words, and building them per term was most of a long query's compile time."""
    kept = _DOCS.get(id(column))
    if kept is None or kept[0] is not column:
        kept = (column, {c: func.to_tsvector(_regconfig(c), func.coalesce(
            column, literal_column("''"))) for c in _PG_CONFIGS})
        _DOCS[id(column)] = kept
    return kept[1]


def _pg_match(column: Any, terms: list[str], raw: str) -> Any:
    doc = _pg_docs(column)
    prefix = func.to_tsquery(_regconfig("simple"), literal(" & ".join(f"{t}:*" for t in terms)))
    stemmed = func.plainto_tsquery(_regconfig("norwegian"), literal(raw))
    return or_(doc["simple"].bool_op("@@")(prefix), doc["norwegian"].bool_op("@@")(stemmed))


def like_all(column: Any, terms: list[str], dialect: str) -> Any:
    """Every word somewhere in the column, ignoring case (substring match).

    SQLite's ``lower()``/``LIKE`` fold ASCII only, so there the lower-case,
    capitalised and upper-case spellings of a word are tried too (``Ødegård``).
    """
    parts = []
    target = cast(column, String)
    for term in terms:
        if dialect == "postgresql":
            parts.append(target.ilike(_like_pattern(term), escape="\\"))
            continue
        variants = {term.lower(), term.capitalize(), term.upper()}
        parts.append(or_(*(target.like(_like_pattern(v), escape="\\") for v in variants)))
    return and_(*parts)


def _like_pattern(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def issue_text(session: Session, columns: list[str], query: str) -> Any:
    """Condition on ``Issue``: all words of ``query`` in ``summary``/``description``."""
    terms = words(query)
    if not terms:
        return false()
    dialect = session.get_bind().dialect.name
    if not installed(session):
        return or_(*(like_all(getattr(Issue, c), terms, dialect) for c in columns))
    if dialect == "sqlite":
        return Issue.id.in_(_fts5_hits(_ISSUES_FTS, _fts5_query(columns, terms)))
    # An id list from the GIN indexes, not a per-row filter: else a page ordered by
    # ``created`` may walk that index and run ``to_tsvector`` on every row it meets.
    # ``OFFSET 0`` keeps PostgreSQL from pulling the subquery up into that walk.
    return Issue.id.in_(select(_TEXT_HIT.c.id).where(
        or_(*(_pg_match(_TEXT_HIT.c[c], terms, query) for c in columns))).offset(0))


def issue_text_ids(session: Session, columns: list[str], query: str) -> Select:
    """Ids of issues with all words of ``query`` in one of ``columns``."""
    terms = words(query)
    if terms and installed(session) and session.get_bind().dialect.name == "postgresql":
        return select(Issue.id).where(or_(*(_pg_match(getattr(Issue, c), terms, query)
                                            for c in columns)))
    return select(Issue.id).where(issue_text(session, columns, query))


def comment_text_ids(session: Session, query: str) -> Select:
    """Ids of issues with a comment holding all words of ``query``."""
    terms = words(query)
    dialect = session.get_bind().dialect.name
    if not terms:
        cond = false()
    elif not installed(session):
        cond = like_all(Comment.body, terms, dialect)
    elif dialect == "sqlite":
        cond = Comment.id.in_(_fts5_hits(_COMMENTS_FTS, _fts5_query(["body"], terms)))
    else:
        cond = _pg_match(Comment.body, terms, query)
    return select(Comment.issue_id).where(cond)


def comment_text(session: Session, query: str) -> Any:
    """Condition on ``Issue``: some comment holds all words of ``query``."""
    return Issue.id.in_(comment_text_ids(session, query))


def value_text_ids(session: Session, field_ids: list[str], query: str) -> Select:
    """Ids of issues where one of the text fields ``field_ids`` holds all words of ``query``.

    Served by the full-text index over wordy field values (``field_values_fts`` on
    SQLite, a partial GIN index on PostgreSQL), as prefixes like summary searches.
    """
    terms = words(query)
    dialect = session.get_bind().dialect.name
    base = select(FieldValue.issue_id).where(FieldValue.field_id.in_(field_ids))
    if not terms or not field_ids:
        return base.where(false())
    if not installed(session):
        return base.where(like_all(FieldValue.value_str, terms, dialect))
    if dialect == "sqlite":
        rowid = literal_column("field_values.rowid")
        return base.where(rowid.in_(_fts5_hits(_VALUES_FTS, _fts5_query(["value"], terms))))
    # ``field_id || ''`` is no index key: else the planner ANDs in a scan of every
    # value of the fields (millions of rows) to narrow a few hundred GIN hits.
    base = select(FieldValue.issue_id).where(
        (FieldValue.field_id + literal_column("''")).in_(field_ids))
    doc = func.to_tsvector(_regconfig("simple"), FieldValue.value_str)
    prefix = func.to_tsquery(_regconfig("simple"), literal(" & ".join(f"{t}:*" for t in terms)))
    wordy = FieldValue.value_str.op("~")(literal_column(f"'{_PG_PATTERN}'"))
    return base.where(wordy, doc.bool_op("@@")(prefix))


def _fts5_hits(fts: Any, match: str) -> Any:
    """Rowids of an FTS5 table matching ``match`` (always a bound parameter)."""
    return select(fts.c.rowid).where(literal_column(fts.name).op("MATCH")(literal(match)))
