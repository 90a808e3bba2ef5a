"""The orders a gadget reads: a filter's JQL compiled for the viewer, and the
counts gadgets draw from it, each one SQL statement on SQLite and PostgreSQL.

The query starts from what the search compiled (``core.jql.compile_search``, so the
viewer's browse permission is part of it: an installer counts only their orders)
and groups on the search row (``issue_search``) when the search ran there, else on
``issues``. Times are bucketed by day in Norwegian time in SQL (on SQLite by the
UTC hour, which Python turns into the Oslo day exactly), weeks and months from the days.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, literal_column, select
from sqlalchemy.orm import Session

from ..fields import OSLO, FieldDef
from ..i18n import _, in_language
from ..jql import Compiled, compile_search, parse
from ..jql.compiler import count as jql_count
from ..jql.compiler import page, tune
from ..models import FieldValue, Issue, IssueType, Project, Resolution, User
from ..models.search import IssueSearch

_SEARCH: Table = IssueSearch.__table__  # type: ignore[assignment]
_ISSUES: Table = Issue.__table__  # type: ignore[assignment]
# System fields a gadget may group by -> the column on ``issues`` (and, when mirrored,
# on ``issue_search``).
SYSTEM_GROUPS = {"status": "status_id", "assignee": "assignee_id",
                 "resolution": "resolution_id", "issuetype": "issue_type_id",
                 "project": "project_id", "reporter": "reporter_id"}
_MIRRORED = {"status_id", "assignee_id", "resolution_id", "issue_type_id", "project_id",
             "created"}
_VALUE_COLUMN = {"number": "value_num", "duration": "value_num", "flag": "value_num",
                 "datetime": "value_date", "date": "value_date"}
NONE = "__none__"


class GadgetQuery:
    """Counts over the orders a JQL query gives one viewer."""

    def __init__(self, host: Any, session: Session, viewer: Any, jql: str) -> None:
        self.host, self.session, self.viewer, self.jql = host, session, viewer, jql
        self.compiled: Compiled = compile_search(host, parse(jql), viewer, session)
        self.table = _SEARCH if self.compiled.projected else _ISSUES
        self.id_col = self.table.c.issue_id if self.compiled.projected else self.table.c.id
        self._needs_join = False

    # -- building blocks ------------------------------------------------------------
    def _column(self, name: str) -> tuple[Any, bool]:
        """A column of the matched rows, and whether it needs the join to ``issues``."""
        if name in _MIRRORED or not self.compiled.projected:
            return self.table.c[name], False
        return _ISSUES.c[name], True

    def _select(self, *cols: Any, joins: bool = False) -> Any:
        stmt = select(*cols).select_from(self.table)
        if joins and self.compiled.projected:
            stmt = stmt.join(_ISSUES, _ISSUES.c.id == self.id_col)
        return stmt.where(*self.compiled.conditions)

    def group_expr(self, field_name: str) -> tuple[Any, Any]:
        """(SQL expression, how to label its values) of a field to group by."""
        key = field_name.casefold()
        if key in SYSTEM_GROUPS:
            return (*self._column(SYSTEM_GROUPS[key]), key)  # type: ignore[return-value]
        fdef = self.host.fields.get(field_name)
        if fdef is None or fdef.type in ("position", "textarea"):
            raise ValueError(_("Feltet «%(name)s» kan ikke grupperes.", name=field_name))
        return fdef, None, fdef  # type: ignore[return-value]

    def grouped(self, *field_names: str, measures: tuple[Any, ...] = (),
                where: tuple[Any, ...] = ()) -> Any:
        """SELECT the values of ``field_names`` and ``measures`` (default count(*)),
        grouped, under the extra conditions ``where`` (made with :meth:`column`)."""
        cols, joins, custom = [], False, []
        for name in field_names:
            expr, needs_join, _kind = self.group_expr(name)
            if isinstance(expr, FieldDef):
                alias = FieldValue.__table__.alias(f"fv{len(custom)}")
                custom.append((alias, expr))
                cols.append(alias.c[_VALUE_COLUMN.get(expr.type, "value_str")])
            else:
                cols.append(expr)
                joins = joins or bool(needs_join)
        stmt = self._select(*cols, *(measures or (func.count(),)),
                            joins=joins or self._needs_join).where(*where)
        for alias, fdef in custom:
            stmt = stmt.outerjoin(alias, (alias.c.issue_id == self.id_col)
                                  & (alias.c.field_id == fdef.id))
        return stmt.group_by(*cols)

    # -- what gadgets read ----------------------------------------------------------
    def count(self) -> int:
        return jql_count(self.session, self.compiled)

    def issues(self, limit: int = 50, start: int = 0) -> list[Issue]:
        return page(self.session, self.compiled, start, limit)

    def raw_counts(self, *field_names: str) -> list[tuple[Any, ...]]:
        """(value, value, ..., count) rows for the given fields."""
        tune(self.session)
        return [tuple(row) for row in self.session.execute(self.grouped(*field_names))]

    def counts_by(self, field_name: str) -> list[dict[str, Any]]:
        """``[{"value", "label", "count"}]`` most first (no value: label "Ingen")."""
        rows = self.raw_counts(field_name)
        labels = self.labeller(field_name)
        out = [{"value": NONE if v is None else _plain(v), "label": labels(v), "count": int(n)}
               for v, n in rows]
        return sorted(out, key=lambda r: (-r["count"], r["label"]))

    def labeller(self, field_name: str) -> Any:
        """A function from a group value to what a person reads."""
        key = field_name.casefold()
        none = _("Ingen")
        names: dict[Any, str] = {}
        if key == "status":
            statuses = self.host.all_statuses()
            for sid, skey in self.host.catalog.status_keys.items():
                st = statuses.get(skey)
                names[sid] = in_language(st.name, st.name_en) if st else skey
        elif key in ("assignee", "reporter"):
            names = dict(self.session.execute(select(User.id, User.display_name)).all())
        elif key == "resolution":
            names = dict(self.session.execute(select(Resolution.id, Resolution.name)).all())
        elif key == "issuetype":
            names = dict(self.session.execute(select(IssueType.id, IssueType.name)).all())
        elif key == "project":
            names = dict(self.session.execute(select(Project.id, Project.name)).all())
        else:
            fdef = self.host.fields.get(field_name)
            if fdef is not None and fdef.type == "flag":
                return lambda v: none if v is None else (_("Ja") if v else _("Nei"))
            if fdef is not None and fdef.type in ("datetime", "date"):
                return lambda v: none if v is None else fdef.display(_aware(v))
            if fdef is not None and fdef.type in ("number", "duration"):
                return lambda v: none if v is None else fdef.display(v)
        return lambda v: none if v is None else names.get(v, str(v))

    def field_label(self, field_name: str) -> str:
        key = field_name.casefold()
        system = {"status": _("Status"), "assignee": _("Ansvarlig"),
                  "resolution": _("Løsningsstatus"), "issuetype": _("Sakstype"),
                  "project": _("Prosjekt"), "reporter": _("Rapportør")}
        if key in system:
            return system[key]
        fdef = self.host.fields.get(field_name)
        return in_language(fdef.name, fdef.name_en) if fdef else field_name

    def column(self, name: str) -> Any:
        """A column of the matched orders by its ``issues`` name, for conditions that
        data functions add (``ctx.query.column("resolution_id") == ok``)."""
        col, needs = self._column(name)
        self._needs_join = self._needs_join or needs  # from now on this query joins
        return col

    def buckets(self, column: str = "created", *, field_name: str | None = None,
                since: datetime | None = None, split: str | None = None,
                where: tuple[Any, ...] = ()) -> Counter[tuple[date, Any]]:
        """Matching orders by the Oslo day of ``column`` (an ``issues`` column such as
        ``created`` or ``resolution_date``, or a date ``field_name``) from ``since``,
        and by the value of ``split`` (a field to group by, or None), with extra
        conditions ``where`` (made with :meth:`column`)."""
        dialect = self.session.get_bind().dialect.name
        fdef = None
        if field_name is not None:
            fdef = self.host.fields.get(field_name)
            if fdef is None or fdef.type not in ("date", "datetime"):
                raise ValueError(_("Feltet «%(name)s» er ikke et tidspunkt.", name=field_name))
            alias = FieldValue.__table__.alias("fvd")
            col = alias.c.value_date
        else:
            col = self.column(column)
        if dialect == "postgresql":
            bucket = func.date(func.timezone(literal_column("'Europe/Oslo'"), col))
        else:
            bucket = func.strftime("%Y-%m-%d %H", col)
        cols = [bucket]
        custom = None
        if split is not None:
            expr, needs, _kind = self.group_expr(split)
            if isinstance(expr, FieldDef):
                custom = (FieldValue.__table__.alias("fvs"), expr)
                cols.append(custom[0].c[_VALUE_COLUMN.get(expr.type, "value_str")])
            else:
                cols.append(expr)
                self._needs_join = self._needs_join or bool(needs)
        stmt = self._select(*cols, func.count(), joins=self._needs_join).where(
            col.isnot(None), *where)
        if since is not None:
            stmt = stmt.where(col >= since)
        if fdef is not None:
            stmt = stmt.join(alias, (alias.c.issue_id == self.id_col)
                             & (alias.c.field_id == fdef.id))
        if custom is not None:
            stmt = stmt.outerjoin(custom[0], (custom[0].c.issue_id == self.id_col)
                                  & (custom[0].c.field_id == custom[1].id))
        tune(self.session)
        out: Counter[tuple[date, Any]] = Counter()
        for row in self.session.execute(stmt.group_by(*cols)):
            value = row[1] if split is not None else None
            out[(_oslo_day(row[0]), value)] += int(row[-1])
        return out

    def per_day(self, column: str = "created", field_name: str | None = None,
                since: datetime | None = None) -> Counter[date]:
        """Matching orders by the Oslo day of ``column`` or of a date field."""
        out: Counter[date] = Counter()
        for (day, _none), n in self.buckets(column, field_name=field_name,
                                            since=since).items():
            out[day] += n
        return out


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return _aware(value).isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _oslo_day(value: Any) -> date:
    """A PostgreSQL date, or SQLite's ``YYYY-MM-DD HH`` UTC hour, as the Oslo day."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    hour = datetime.strptime(str(value), "%Y-%m-%d %H").replace(tzinfo=UTC)
    return hour.astimezone(OSLO).date()


def period_start(day: date, period: str) -> date:
    """The first day of the day's week (Monday) or month; the day itself for days."""
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def period_label(start: date, period: str) -> str:
    if period == "week":
        year, week, _day = start.isocalendar()
        return f"{year}-U{week:02d}"
    if period == "month":
        return f"{start:%Y-%m}"
    return f"{start:%d.%m}"
