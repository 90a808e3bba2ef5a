"""A fast bulk loader for benchmarks: many orders straight into the tables.

The services create one order at a time with permission checks, workflow and hooks;
that is right for people and far too slow for a million benchmark orders. This loader
writes the same rows the services would (key from the project counter, field values
as ``FieldDef.to_columns`` stores them, a first change-history entry, the search
projections ``core.jql.projection`` keeps) with SQLAlchemy
Core ``executemany`` in batches, one transaction per batch, and tells no plugin. A big load
on SQLite fills its indexes once at the end (``rowwriter.bulk_mode``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Iterator, Sized
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from core.demo.data import generate_orders
from core.demo.places import COMPANIES
from core.demo.rowwriter import RowWriter, bulk_mode
from core.jql.projection import fill as fill_projection
from core.jql.projection import fill_search
from core.models import ChangeGroup, ChangeItem, Comment, FieldValue, Issue, Project, User

if TYPE_CHECKING:
    from core.host import Amsflow

ISSUE_COLUMNS = frozenset(("summary", "description", "issuetype", "assignee", "reporter",
                           "created", "updated", "status", "resolution", "resolution_date",
                           "history", "comments"))
_ISSUES, _VALUES = Issue.__table__, FieldValue.__table__
_GROUPS, _ITEMS, _COMMENTS = ChangeGroup.__table__, ChangeItem.__table__, Comment.__table__
ISSUE_ROW = ("id", "project_id", "number", "key", "issue_type_id", "summary", "description",
             "status_id", "resolution_id", "resolution_date", "assignee_id", "reporter_id",
             "created", "updated", "version")
COMMENT_ROW = ("issue_id", "author_id", "body", "created", "updated")
VALUE_ROW = ("issue_id", "field_id", "value_str", "value_text", "value_num", "value_num2",
             "value_date")
GROUP_ROW = ("id", "issue_id", "author_id", "created")
ITEM_ROW = ("group_id", "field", "from_value", "from_string", "to_value", "to_string")


@dataclass
class LoadStats:
    """What a load did and how fast, for benchmark reports."""

    project_key: str
    orders: int = 0
    field_values: int = 0
    seconds: float = 0.0
    first_key: str | None = None
    last_key: str | None = None

    @property
    def rate(self) -> float:
        """Orders per second."""
        return self.orders / self.seconds if self.seconds else 0.0


def _size(items: Iterable[dict]) -> int | None:
    return len(items) if isinstance(items, Sized) else None


def _batches(items: Iterable[dict], size: int) -> Iterator[list[dict]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def bulk_insert_orders(host: Amsflow, project_key: str, orders: Iterable[dict], *,
                       batch_size: int = 5000, author: str = "system",
                       status: str | None = None, trust_rows: bool = True,
                       expected: int | None = None) -> LoadStats:
    """Insert order dicts (as ``generate_orders`` yields) into a project.

    Issue keys: ``summary``, ``description``, ``issuetype``, ``assignee``/``reporter``
    (usernames), ``created``/``updated``, ``status`` (key), ``resolution`` (name) and
    ``resolution_date``, ``history`` (``[(when, username, [(field, from, from_string,
    to, to_string), ...]), ...]``) and ``comments`` (``[(when, username, body)]``).
    Other keys are custom field keys; unknown keys and ``None`` values are skipped.
    Values are stored as given, unparsed, so pass them in stored form (bools,
    ``(lat, lon)``, seconds, aware datetimes). A first change group records the
    order's creation in its workflow's initial status (straight into its ``status``,
    or the ``status`` argument, when it has no history). ``trust_rows`` lets PostgreSQL skip
    foreign-key triggers when the user may (see ``RowWriter``). ``expected`` (the
    number of orders, when ``orders`` has no length) lets a big load use bulk mode.
    """
    stats = LoadStats(project_key.upper())
    with host.db.engine.connect() as conn:
        users = dict(conn.execute(select(User.username, User.id)).all())
    now = host.now()
    started = time.perf_counter()
    with bulk_mode(host.db.engine, expected if expected is not None else _size(orders)):
        _insert_batches(host, stats, orders, batch_size, author, status, trust_rows, now,
                        users)
    stats.seconds = time.perf_counter() - started
    return stats


def _insert_batches(host: Amsflow, stats: LoadStats, orders: Iterable[dict],
                    batch_size: int, author: str, status: str | None, trust_rows: bool,
                    now: datetime, users: dict[str, int]) -> None:
    """The batches of ``bulk_insert_orders``, one transaction each."""
    project_id = host.catalog.project_ids[stats.project_key]
    status_ids, type_ids = host.catalog.status_ids, host.catalog.issue_type_ids
    names = {key: st.name for key, st in host.all_statuses().items()}
    author_id = users.get(author)
    resolution_ids = host.catalog.resolution_ids
    initial: dict[str, str] = {}
    field_cache: dict[str, Any] = {}
    for batch in _batches(orders, batch_size):
        with host.db.engine.begin() as conn:
            # The counter update comes first: on SQLite it takes the write lock that
            # makes reserving ids by max(id) safe.
            last = conn.execute(
                update(Project).where(Project.id == project_id)
                .values(issue_counter=Project.issue_counter + len(batch))
                .returning(Project.issue_counter)).scalar_one()
            writer = RowWriter(conn, trust_rows)
            to_time = writer.processor(_ISSUES, "created")
            to_value_date = writer.processor(_VALUES, "value_date")
            ids = writer.reserve_ids(_ISSUES, len(batch))
            group_ids = iter(writer.reserve_ids(_GROUPS, len(batch) + sum(
                len(order.get("history") or ()) for order in batch)))
            issue_rows, value_rows, group_rows, item_rows, comment_rows = [], [], [], [], []
            number = last - len(batch)
            for issue_id, order in zip(ids, batch, strict=True):
                number += 1
                issue_type = order.get("issuetype") or "Målerbytte"
                if issue_type not in initial:
                    initial[issue_type] = host.workflow_for(stats.project_key, issue_type).initial
                final = order.get("status") or status or initial[issue_type]
                history = order.get("history") or ()
                first = initial[issue_type] if history else final
                created = to_time(order.get("created") or now)
                resolved = order.get("resolution_date")
                issue_rows.append((
                    issue_id, project_id, number, f"{stats.project_key}-{number}",
                    type_ids[issue_type], order["summary"][:255], order.get("description") or "",
                    status_ids[final], resolution_ids.get(order.get("resolution")),
                    None if resolved is None else to_time(resolved),
                    users.get(order.get("assignee")), users.get(order.get("reporter") or author),
                    created, to_time(order["updated"]) if order.get("updated") else created, 1))
                group_id = next(group_ids)
                group_rows.append((group_id, issue_id, author_id, created))
                item_rows.append((group_id, "status", None, None, str(status_ids[first]),
                                  names[first]))
                for when, who, items in history:
                    group_id = next(group_ids)
                    group_rows.append((group_id, issue_id, users.get(who), to_time(when)))
                    item_rows.extend((group_id, *item) for item in items)
                for when, who, body in order.get("comments") or ():
                    comment_rows.append((issue_id, users.get(who), body, to_time(when),
                                         to_time(when)))
                for name, value in order.items():
                    if value is None or name in ISSUE_COLUMNS:
                        continue
                    if name not in field_cache:
                        field_cache[name] = host.fields.get(name)
                    fdef = field_cache[name]
                    if fdef is not None:
                        cols = fdef.to_columns(value)
                        when = cols["value_date"]
                        value_rows.append((issue_id, fdef.id, cols["value_str"],
                                           cols["value_text"], cols["value_num"],
                                           cols["value_num2"],
                                           None if when is None else to_value_date(when)))
            writer.write(_ISSUES, ISSUE_ROW, issue_rows)
            # Grouped by field, rows land together in the (field, value) indexes.
            value_rows.sort(key=itemgetter(1))
            writer.write(_VALUES, VALUE_ROW, value_rows)
            writer.write(_GROUPS, GROUP_ROW, group_rows)
            writer.write(_ITEMS, ITEM_ROW, item_rows)
            writer.write(_COMMENTS, COMMENT_ROW, comment_rows)
            if writer.trusted:  # COPY in replica mode fires no trigger: fill them here
                fill_projection(conn, ids[0], ids[-1])
                fill_search(conn, ids[0], ids[-1])
        stats.first_key = stats.first_key or issue_rows[0][3]
        stats.last_key = issue_rows[-1][3]
        stats.orders += len(batch)
        stats.field_values += len(value_rows)


def bulk_load(host: Amsflow, project_key: str, n: int, *, seed: int = 1,
              company_key: str | None = None, span_days: int = 90,
              batch_size: int = 5000) -> LoadStats:
    """Generate and insert ``n`` demo orders, created evenly over the last ``span_days``.

    ``company_key`` picks the towns and names (default: the project key when it is a
    demo company, else ``ELV``), so any project can be filled for a benchmark.
    """
    comp = company_key or (project_key.upper() if project_key.upper() in COMPANIES else "ELV")
    now: datetime = host.now()
    start = now - timedelta(days=span_days)
    step = timedelta(days=span_days) / max(n, 1)
    jitter = random.Random(seed).random

    def with_created() -> Iterator[dict]:
        for i, order in enumerate(generate_orders(comp, n, seed)):
            order["created"] = start + step * (i + jitter())
            yield order

    return bulk_insert_orders(host, project_key, with_created(), batch_size=batch_size,
                              expected=n)
