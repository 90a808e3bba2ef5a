"""Compile a parsed query to a SQLAlchemy ``select(Issue)``, and run searches.

Values always travel as bound parameters; names (fields, statuses, users) are
resolved against the database and the host's field registry first, so an
unknown one is a JqlError worded as Jira words it, never an empty result.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from sqlalchemy import and_, distinct, func, not_, or_, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import True_
from sqlalchemy.sql.visitors import replacement_traverse

from ..models import Issue, User
from ..models.search import IssueSearch
from . import ast
from .context import Context
from .custom_fields import CustomFlag, CustomMixin, custom_handler, find_custom
from .errors import JqlError, unknown_field
from .handlers import FieldHandler, ScalarField
from .history import changed, was
from .parser import parse
from .projection import SYSTEM_COLUMNS, settle
from .projection import slots as search_slots
from .system_fields import system_handler
from .timeout import bounded, pg_timeout_setting

MAX_OFFSET = 2**31 - 1
DEFAULT_ORDER = (Issue.created.desc(), Issue.id.desc())


def handler_for(host: Any, field: ast.FieldRef, slots: dict[str, Any] | None = None
                ) -> FieldHandler:
    """The handler of a field as named in a query: system field, else configured field
    (reading its ``issue_search`` column when ``slots`` gives it one)."""
    if field.cf_id is None:
        found = system_handler(field.name)
        if found is not None:
            return found
    fdef = find_custom(host, field.name, field.cf_id)
    if fdef is None:
        raise unknown_field(field.name)
    handler = custom_handler(fdef, field.name)
    if slots and isinstance(handler, CustomMixin):
        handler.slot = slots.get(fdef.id)
    return handler


def _handler(ctx: Context, field: ast.FieldRef) -> FieldHandler:
    return handler_for(ctx.host, field, ctx.slots)


def _and(ctx: Context, clauses: tuple[ast.Clause, ...]) -> Any:
    """AND, with comparisons on one configured field tested in one lookup of its value.

    ``"Planlagt starttid" >= a AND "Planlagt starttid" < b`` becomes one range on
    ``(field_id, value_date)`` instead of two id lists of which one is nearly all
    orders. A field has one value row per issue, so this is the same condition.
    """
    out: list[Any] = []
    ranges: dict[str, tuple[CustomMixin, list[Any]]] = {}
    for clause in clauses:
        if isinstance(clause, ast.Compare):
            handler = _handler(ctx, clause.field)
            if isinstance(handler, CustomMixin) and isinstance(handler, ScalarField):
                inner = handler.unwrapped(ctx, clause.operator, clause.operand)
                if inner is not None:
                    ranges.setdefault(handler.fdef.id, (handler, []))[1].append(inner)
                    continue
        out.append(_clause(ctx, clause))
    out.extend(handler.wrap(and_(*tests)) for handler, tests in ranges.values())
    return and_(*out)


def _clause(ctx: Context, clause: ast.Clause) -> Any:
    if isinstance(clause, ast.And):
        return _and(ctx, clause.clauses)
    if isinstance(clause, ast.Or):
        return or_(*(_clause(ctx, c) for c in clause.clauses))
    if isinstance(clause, ast.Not):
        return not_(_clause(ctx, clause.clause))
    handler = _handler(ctx, clause.field)
    if isinstance(clause, ast.Was):
        return was(ctx, handler, clause)
    if isinstance(clause, ast.Changed):
        return changed(ctx, handler, clause)
    return handler.condition(ctx, clause.operator, clause.operand)


def _order(ctx: Context, keys: tuple[ast.SortKey, ...] | None,
           where: ast.Clause | None = None) -> tuple[list[Any], list[tuple[Any, Any]]]:
    if not keys:
        return list(DEFAULT_ORDER), []
    out: list[Any] = []
    joins: list[tuple[Any, Any]] = []
    last_desc = False
    present = _required_slots(ctx, where)
    for key in keys:
        descending = bool(key.descending)
        handler = _handler(ctx, key.field)
        exprs, needs = handler.sort()
        joins.extend(needs)
        for expr in exprs:
            if isinstance(handler, CustomMixin) and handler.slot is not None \
                    and handler.fdef.id in present:
                # Every result has a value: the slot's index gives this order as it is.
                out.append(expr.desc() if descending else expr.asc())
                continue
            # Empty values sort last ascending and first descending, as in Jira.
            out.append(expr.desc().nulls_first() if descending else expr.asc().nulls_last())
        last_desc = descending
    out.append(Issue.id.desc() if last_desc else Issue.id.asc())
    return out, joins


_VALUE_OPS = frozenset((">", ">=", "<", "<=", "is not", "!=", "not in"))


def _required_slots(ctx: Context, where: ast.Clause | None) -> set[str]:
    """Configured fields every result has a value of: a test under the top-level AND
    that an empty field fails (``is not EMPTY``, comparisons, ``=``/``in`` without
    EMPTY; ``!=``/``not in`` never match an empty field)."""
    if not ctx.slots or where is None:
        return set()
    clauses = where.clauses if isinstance(where, ast.And) else (where,)
    out = set()
    for clause in clauses:
        if not isinstance(clause, ast.Compare):
            continue
        positive = clause.operator in _VALUE_OPS or (
            clause.operator in ("=", "in") and not _has_empty(clause.operand))
        handler = _handler(ctx, clause.field)
        if isinstance(handler, CustomFlag):  # no value counts as "no": any test may match
            continue
        if positive and isinstance(handler, CustomMixin) and handler.slot is not None:
            out.add(handler.fdef.id)
    return out


def _has_empty(operand: ast.Operand) -> bool:
    if isinstance(operand, ast.Empty):
        return True
    if isinstance(operand, ast.ListOperand):
        return any(_has_empty(item) for item in operand.items)
    return isinstance(operand, ast.FunctionCall)  # may give anything: stay safe


@dataclass
class Compiled:
    """A compiled query in parts, so the count and the page each take only what they need.

    ``projected``: the conditions and order are on ``issue_search`` (one row per issue),
    not on ``issues`` with ``field_values`` lookups.
    """

    conditions: list[Any] = field(default_factory=list)
    order: list[Any] = field(default_factory=list)
    joins: list[tuple[Any, Any]] = field(default_factory=list)  # (target, on), outer
    projected: bool = False
    id_list: Select | None = None  # the query is "id in this list" and nothing else

    def _sorted(self, stmt: Select) -> Select:
        for target, on in self.joins:
            stmt = stmt.outerjoin(target, on)
        return stmt.where(*self.conditions).order_by(*self.order)

    def issues(self) -> Select:
        """``select(Issue)`` in order: for callers that walk all results (export, bulk)."""
        if self.projected:
            return self._sorted(select(Issue).join(_SEARCH, _SEARCH.c.issue_id == Issue.id))
        return self._sorted(select(Issue))

    def ids(self) -> Select:
        """The ordered ids alone: the page's SQL without loading any row."""
        return self._sorted(select(_SEARCH.c.issue_id if self.projected else Issue.id))

    def count(self) -> Select:
        """How many match: no ORDER BY, no sort joins, no eager loads."""
        if self.id_list is not None:
            ids = self.id_list.subquery()
            return select(func.count(distinct(ids.c[0])))
        if self.projected:
            return select(func.count()).select_from(_SEARCH).where(*self.conditions)
        return select(func.count()).select_from(Issue).where(*self.conditions)


_SEARCH = IssueSearch.__table__
_ISSUES = Issue.__table__
_MIRRORED = {"id": "issue_id", **{c: c for c in SYSTEM_COLUMNS}}
# System fields the search row mirrors (conditions and sorting on the columns above).
_PROJECTED = frozenset(("project", "issuetype", "type", "status", "resolution", "assignee",
                        "created", "createddate", "statuscategory"))
_ID_LISTS = frozenset(("membersof", "watchedissues", "linkedissues"))


def _to_search(expr: Any) -> Any:
    """``expr`` on ``issues`` columns rewritten to the mirrored ``issue_search`` ones."""

    def swap(element: Any) -> Any:
        if getattr(element, "table", None) is _ISSUES and element.key in _MIRRORED:
            return _SEARCH.c[_MIRRORED[element.key]]
        return None

    return replacement_traverse(expr, {}, swap)


def _projectable(ctx: Context, query: ast.Query) -> bool:
    """Whether the query can run on ``issue_search`` alone: it tests or sorts on a
    slotted configured field, and every other test is on a mirrored system field
    with plain values (no ``~``, no history, no id-list functions)."""
    slots = ctx.slots or {}
    uses_slot = False

    def field_ok(ref: ast.FieldRef) -> bool:
        nonlocal uses_slot
        if ref.cf_id is None and system_handler(ref.name) is not None:
            return ref.name.casefold() in _PROJECTED
        fdef = find_custom(ctx.host, ref.name, ref.cf_id)
        if fdef is None or fdef.id not in slots:
            return False
        uses_slot = True
        return True

    def operand_ok(operand: ast.Operand) -> bool:
        if isinstance(operand, ast.FunctionCall):
            return operand.name.casefold() not in _ID_LISTS
        if isinstance(operand, ast.ListOperand):
            return all(operand_ok(item) for item in operand.items)
        return True

    def clause_ok(clause: ast.Clause) -> bool:
        if isinstance(clause, ast.And | ast.Or):
            return all(clause_ok(c) for c in clause.clauses)
        if isinstance(clause, ast.Not):
            return clause_ok(clause.clause)
        if isinstance(clause, ast.Compare):
            return (clause.operator not in ("~", "!~") and operand_ok(clause.operand)
                    and field_ok(clause.field))
        return False  # WAS, CHANGED

    ok = query.where is None or clause_ok(query.where)
    ok = ok and all(field_ok(key.field) for key in query.order_by or ())
    return ok and uses_slot


def _browse_filter(host: Any, session: Session, user: User | None) -> Any:
    try:
        from ..permissions import browse_clause
    except ImportError:  # a host without permissions: everything is visible
        return None
    return browse_clause(host, session, user)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _refuse_nul(node: Any) -> None:
    """No text in a query may hold a NUL character: PostgreSQL refuses it in any text
    value, so it would fail the search instead of telling the user."""
    if isinstance(node, str):
        if "\x00" in node:
            raise JqlError("The query contains a NUL character (\\0), which JQL does not "
                           "allow in a value.")
    elif isinstance(node, tuple | list):
        for item in node:
            _refuse_nul(item)
    elif is_dataclass(node):
        names = _FIELD_NAMES.get(type(node))
        if names is None:  # ``fields()`` per node was most of a 1,000-value list's compile
            names = _FIELD_NAMES[type(node)] = tuple(f.name for f in fields(node))
        for name in names:
            _refuse_nul(getattr(node, name))


def compile_search(host: Any, query: ast.Query, user: User | None,
                   session: Session | None = None, *, check_permissions: bool = True,
                   use_projection: bool = True) -> Compiled:
    """The query's conditions (with the browse permission of ``user``) and its order.

    ``session`` defaults to the host's current session; it is used to resolve
    names (statuses, users...) while compiling. The query runs on ``issue_search``
    when it can (``use_projection=False``: never, to compare the two).
    """
    _refuse_nul(query)
    session = session if session is not None else host.db.session()
    ctx = Context(host, session, user, host.now())
    slots = search_slots(session) if use_projection else None
    if slots:
        ctx.slots = {f: _SEARCH.c[s] for f, s in slots.items()}
        if not _projectable(ctx, query):
            ctx.slots = None
    compiled = Compiled(projected=ctx.slots is not None)
    visible = None
    if query.where is not None:
        compiled.conditions.append(_clause(ctx, query.where))
    if check_permissions:
        visible = _browse_filter(host, session, user)
        if visible is not None:
            compiled.conditions.append(visible)
    if len(compiled.conditions) - (visible is not None) == 1 and (
            visible is None or isinstance(visible, True_)):
        # The whole query is one id list (rows of a projection, which hold existing
        # issues only): the count needs no join to the orders.
        compiled.id_list = ctx.id_lists.get(id(compiled.conditions[0]))
    compiled.order, compiled.joins = _order(ctx, query.order_by, query.where)
    if compiled.projected:
        compiled.conditions = [_to_search(c) for c in compiled.conditions]
        compiled.order = [_to_search(o) for o in compiled.order]
        if ctx.dialect == "postgresql":  # this transaction's writes into issue_search now
            settle(session)
    return compiled


def compile_query(host: Any, query: ast.Query, user: User | None,
                  session: Session | None = None, *, check_permissions: bool = True) -> Select:
    """``select(Issue)`` for the query in order, limited to issues ``user`` may browse."""
    return compile_search(host, query, user, session,
                          check_permissions=check_permissions).issues()


def tune(session: Session) -> None:
    """PostgreSQL settings for searches, for the rest of the transaction (``SET LOCAL``).

    JIT compiling pays off for long analytic queries, not for a search: a count over
    half a million orders costs more than its JIT compilation saves (tens of ms per
    query). ``random_page_cost`` 1.1 instead of 4 (a disk's): the searched tables and
    indexes are read from memory, and at 4 PostgreSQL joined 4,400 text hits to the
    orders by reading all 1,000,000 of them rather than looking up 4,400 (385 -> 176 ms).
    Custom plans always: psycopg prepares a statement on its fifth run, and from the
    eleventh PostgreSQL may run a generic plan made without the values (the LIMIT, the
    searched status), which for ``status WAS`` sorted every match (20 -> 470 ms).
    ``statement_timeout``: the search time limit (``core.jql.timeout``) for the rest of
    the transaction. Set once per transaction.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    transaction = session.get_transaction()
    if transaction is None or session.info.get("jql_tuned") is not transaction:
        session.execute(text("SELECT set_config('jit', 'off', true), "
                             "set_config('random_page_cost', '1.1', true), "
                             "set_config('plan_cache_mode', 'force_custom_plan', true), "
                             "set_config('statement_timeout', :ms, true)"),
                        {"ms": pg_timeout_setting()})
        session.info["jql_tuned"] = session.get_transaction()


def count(session: Session, compiled: Compiled) -> int:
    """The total number of matching issues."""
    tune(session)
    with bounded(session):
        return int(session.scalar(compiled.count()) or 0)


def page(session: Session, compiled: Compiled, start_at: int = 0,
         max_results: int = 50) -> list[Issue]:
    """One page: the ids first (index-only where possible), then those issues with
    their field values in one more query (``Issue.values`` loads by selectin)."""
    tune(session)
    with bounded(session):
        ids = list(session.scalars(compiled.ids().offset(start_at).limit(max_results)))
    if not ids:
        return []
    rows = {i.id: i for i in session.scalars(select(Issue).where(Issue.id.in_(ids))).unique()}
    return [rows[i] for i in ids if i in rows]


def search(host: Any, session: Session, jql: str | ast.Query, user: User | None,
           start_at: int = 0, max_results: int = 50) -> tuple[list[Issue], int]:
    """One page of issues matching ``jql`` that ``user`` may see, and the total count."""
    if start_at < 0 or max_results < 0:
        raise JqlError("startAt and maxResults must not be negative.")
    query = jql if isinstance(jql, ast.Query) else parse(jql, host.jql_limits)
    compiled = compile_search(host, query, user, session)
    # An offset past every possible row is an empty page (the databases refuse > 2^63).
    rows = page(session, compiled, start_at, max_results) if start_at <= MAX_OFFSET else []
    return rows, count(session, compiled)
