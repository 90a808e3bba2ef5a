"""The system fields: project, issuetype, status, resolution, people, text, dates, key."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import false, func, not_, or_, select, union

from ..models import Issue, IssueType, Project, Resolution, Status, User, Watcher
from . import ast
from .context import EMPTY, Context, is_subquery, text_of
from .errors import JqlError, bad_operator, unknown_value
from .fulltext import comment_text, comment_text_ids, issue_text, issue_text_ids, value_text_ids
from .handlers import EQUALITY, ORDERED, TEXT, DateField, FieldHandler, ScalarField

_KEY = re.compile(r"^([A-Za-z][A-Za-z0-9]*)-(\d+)$", re.ASCII)
INT_MAX = 2**31 - 1  # the id and number columns: a larger number matches nothing
_CATEGORIES = {"new": "new", "to do": "new", "å gjøre": "new", "ny": "new",
               "indeterminate": "indeterminate", "in progress": "indeterminate",
               "pågår": "indeterminate", "under arbeid": "indeterminate",
               "done": "done", "ferdig": "done", "utført": "done"}


class LookupField(ScalarField):
    """A reference to a small catalog table (project, type, status, resolution)."""

    def __init__(self, label: str, column: Any, model: Any, names: tuple[str, ...],
                 order: Any, history_field: str | None = None, unresolved: bool = False):
        super().__init__(label, column, EQUALITY, history_field)
        self.model, self.names, self.order, self.unresolved = model, names, order, unresolved

    def rows(self, ctx: Context, value: Any) -> list[Any]:
        cache = ctx.session.info.setdefault("jql_catalog", {})
        if self.model not in cache:
            cache[self.model] = list(ctx.session.scalars(select(self.model)))
        text = text_of(value).strip()
        found = [r for r in cache[self.model]
                 if any(str(getattr(r, n)).casefold() == text.casefold() for n in self.names)]
        if not found and text.isascii() and text.isdigit():
            found = [r for r in cache[self.model] if r.id == int(text)]
        if not found:
            raise unknown_value(text, self.label)
        return found

    def condition(self, ctx: Context, op: str, operand: ast.Operand) -> Any:
        if self.unresolved and op in ("=", "!=", "in", "not in"):
            operand = _unresolved_as_empty(operand)
        return super().condition(ctx, op, operand)

    def equals(self, ctx: Context, value: Any) -> Any:
        if is_subquery(value):
            return self.column.in_(value)
        return self.column.in_([r.id for r in self.rows(ctx, value)])

    def any_of(self, ctx: Context, values: list[Any]) -> Any:
        if any(is_subquery(v) for v in values):
            return super().any_of(ctx, values)
        return self.column.in_(sorted({r.id for v in values for r in self.rows(ctx, v)}))

    def order_keys(self) -> list[Any]:
        return [select(self.order).where(self.model.id == self.column).scalar_subquery()]

    def history_tokens(self, ctx: Context, values: list[Any]) -> set[str]:
        out: set[str] = set()
        for value in values:
            if value is EMPTY or is_subquery(value):
                continue
            for row in self.rows(ctx, value):
                out.add(str(row.id))
                out.update(str(getattr(row, n)) for n in self.names)
        return out


def _unresolved_as_empty(operand: ast.Operand) -> ast.Operand:
    """Jira's ``resolution = Unresolved`` means no resolution."""
    if isinstance(operand, ast.Literal) and operand.value.casefold() == "unresolved":
        return ast.Empty()
    if isinstance(operand, ast.ListOperand):
        return ast.ListOperand(tuple(_unresolved_as_empty(i) for i in operand.items))
    return operand


class UserField(ScalarField):
    """assignee, reporter: by username, e-mail or full name; ``currentUser()``."""

    def users(self, ctx: Context, value: Any) -> list[User]:
        if isinstance(value, User):
            return [value]
        text = text_of(value).strip()
        cache = ctx.cache.setdefault("users", {})  # a query names the same people often
        if text not in cache:
            stmt = select(User).where(or_(User.username == text, User.email == text,
                                          User.display_name == text,
                                          func.lower(User.username) == text.lower()))
            cache[text] = list(ctx.session.scalars(stmt))
        found = cache[text]
        if not found:
            raise unknown_value(text, self.label)
        return found

    def equals(self, ctx: Context, value: Any) -> Any:
        if is_subquery(value):
            return self.column.in_(select(User.id).where(User.username.in_(value)))
        return self.column.in_([u.id for u in self.users(ctx, value)])

    def any_of(self, ctx: Context, values: list[Any]) -> Any:
        if any(is_subquery(v) for v in values):
            return super().any_of(ctx, values)
        return self.column.in_(sorted({u.id for v in values for u in self.users(ctx, v)}))

    def order_keys(self) -> list[Any]:
        return [select(User.display_name).where(User.id == self.column).scalar_subquery()]

    def history_tokens(self, ctx: Context, values: list[Any]) -> set[str]:
        out: set[str] = set()
        for value in values:
            if is_subquery(value):
                out.update(ctx.session.scalars(value))
            elif value is not EMPTY:
                out.update(u.username for u in self.users(ctx, value))
        return out


class TextField(ScalarField):
    """summary, description: ``~`` searches words (prefixes), ``IS EMPTY`` works too."""

    def __init__(self, label: str, columns: list[str], order: Any = None,
                 operators: frozenset[str] = TEXT) -> None:
        super().__init__(label, getattr(Issue, columns[0]), operators, columns[0])
        self.columns, self.order = columns, order

    def empty(self) -> Any:
        return or_(self.column.is_(None), self.column == "")

    def text_match(self, ctx: Context, text: str) -> Any:
        return issue_text(ctx.session, self.columns, text)

    def order_keys(self) -> list[Any]:
        if self.order is None:
            raise JqlError(f"Field '{self.label}' does not support sorting.")
        return [self.order]


class CommentField(FieldHandler):
    label = "comment"
    operators = frozenset({"~", "!~"})

    def condition(self, ctx: Context, op: str, operand: ast.Operand) -> Any:
        self.check(op)
        text = " ".join(text_of(v) for v in ctx.values(operand, self.label))
        match = comment_text(ctx.session, text)
        return match if op == "~" else not_(match)


class AllTextField(FieldHandler):
    """``text ~``: summary, description, comments and the free-text custom fields.

    Free text is what a planner types a word of: customer name, address, post town
    (text fields with no pattern, not KIS-owned, not read-only). All parts are
    index-served id lists joined in one ``IN (... UNION ...)``.
    """

    label = "text"
    operators = frozenset({"~"})

    def condition(self, ctx: Context, op: str, operand: ast.Operand) -> Any:
        self.check(op)
        text = " ".join(text_of(v) for v in ctx.values(operand, self.label))
        parts = [issue_text_ids(ctx.session, ["summary", "description"], text),
                 comment_text_ids(ctx.session, text)]
        fields = free_text_fields(ctx.host)
        if fields:
            parts.append(value_text_ids(ctx.session, fields, text))
        return Issue.id.in_(union(*parts))


def free_text_fields(host: Any) -> list[str]:
    """Ids of the configured fields ``text ~`` searches."""
    return [f.id for f in getattr(host, "fields", None) or ()
            if f.type in ("text", "textarea") and not (f.pattern or f.kis or f.readonly)]


class KeyField(ScalarField):
    """``key = ELV-12``, ``key in (...)``, ``key > ELV-10`` (same project, later number)."""

    def __init__(self, label: str) -> None:
        super().__init__(label, Issue.key, ORDERED - {"is", "is not"})

    def _project(self, ctx: Context, key: str) -> int | None:
        """A project's id by key, looked up once per query (``key in`` lists repeat it)."""
        cache = ctx.cache.setdefault("project_ids", {})
        if key not in cache:
            cache[key] = ctx.session.scalar(select(Project.id).where(Project.key == key))
        return cache[key]

    def _split(self, ctx: Context, value: Any) -> tuple[int, int]:
        text = text_of(value).strip()
        match = _KEY.match(text)
        project = self._project(ctx, match.group(1).upper()) if match else None
        if project is None:
            raise JqlError(f"An issue with key '{text}' does not exist for field '{self.label}'.")
        return project, int(match.group(2))

    def equals(self, ctx: Context, value: Any) -> Any:
        if is_subquery(value):
            return Issue.id.in_(value)
        text = text_of(value).strip()
        if text.isascii() and text.isdigit():
            return Issue.id == int(text) if int(text) <= INT_MAX else false()
        project, number = self._split(ctx, value)
        if number > INT_MAX:
            return false()
        return (Issue.project_id == project) & (Issue.number == number)

    def any_of(self, ctx: Context, values: list[Any]) -> Any:
        """Keys by project as ``number IN (...)``, ids as one ``id IN``: a flat, short
        expression however long the list (SQLite refuses an OR tree 1,000 deep)."""
        ids: list[int] = []
        numbers: dict[int, list[int]] = {}
        rest: list[Any] = []
        for value in values:
            text = text_of(value).strip() if not is_subquery(value) else ""
            if text.isascii() and text.isdigit():
                ids.extend([int(text)] if int(text) <= INT_MAX else [])
            elif text:
                project, number = self._split(ctx, value)
                if number <= INT_MAX:
                    numbers.setdefault(project, []).append(number)
            else:
                rest.append(self.equals(ctx, value))
        parts = [Issue.id.in_(ids)] if ids else []
        parts += [(Issue.project_id == p) & Issue.number.in_(n) for p, n in numbers.items()]
        return or_(*parts, *rest) if parts or rest else false()

    def compare(self, ctx: Context, op: str, value: Any) -> Any:
        if is_subquery(value):
            raise bad_operator(op.upper(), self.label)
        project, number = self._split(ctx, value)
        if number > INT_MAX:  # beyond every order: all of the project are below it
            return (Issue.project_id == project) if op in ("<", "<=") else false()
        return (Issue.project_id == project) & super_compare(op, Issue.number, number)

    def empty(self) -> Any:
        return false()

    def order_keys(self) -> list[Any]:
        return [select(Project.key).where(Project.id == Issue.project_id).scalar_subquery(),
                Issue.number]


def super_compare(op: str, column: Any, value: Any) -> Any:
    from .handlers import _CMP

    return _CMP[op](column, value)


class StatusCategoryField(ScalarField):
    def __init__(self) -> None:
        super().__init__("statusCategory", Issue.status_id, EQUALITY - {"is", "is not"})

    def equals(self, ctx: Context, value: Any) -> Any:
        category = _CATEGORIES.get(text_of(value).strip().casefold())
        if category is None:
            raise unknown_value(text_of(value), self.label)
        return Issue.status_id.in_(select(Status.id).where(Status.category == category))

    def order_keys(self) -> list[Any]:
        return [select(Status.category).where(Status.id == Issue.status_id).scalar_subquery()]


class WatcherField(UserField):
    def __init__(self) -> None:
        super().__init__("watcher", Watcher.user_id, EQUALITY)

    def wrap(self, cond: Any) -> Any:
        return Issue.id.in_(select(Watcher.issue_id).where(cond))

    def empty(self) -> Any:
        return not_(Issue.id.in_(select(Watcher.issue_id)))


def _system() -> dict[str, FieldHandler]:
    project = LookupField("project", Issue.project_id, Project, ("key", "name"), Project.key)
    issuetype = LookupField("issuetype", Issue.issue_type_id, IssueType, ("name",),
                            IssueType.name, "issuetype")
    resolved = DateField("resolved", Issue.resolution_date)
    key = KeyField("key")
    return {
        "project": project,
        "issuetype": issuetype, "type": issuetype,
        "status": LookupField("status", Issue.status_id, Status, ("name", "key"), Status.id,
                              "status"),
        "resolution": LookupField("resolution", Issue.resolution_id, Resolution, ("name",),
                                  Resolution.name, "resolution", unresolved=True),
        "assignee": UserField("assignee", Issue.assignee_id, EQUALITY, "assignee"),
        "reporter": UserField("reporter", Issue.reporter_id, EQUALITY, "reporter"),
        "summary": TextField("summary", ["summary"], Issue.summary),
        "description": TextField("description", ["description"]),
        "comment": CommentField(),
        "text": AllTextField(),
        "created": DateField("created", Issue.created),
        "createddate": DateField("created", Issue.created),
        "updated": DateField("updated", Issue.updated),
        "updateddate": DateField("updated", Issue.updated),
        "resolutiondate": resolved, "resolved": resolved,
        "key": key, "issuekey": key, "id": key,
        "statuscategory": StatusCategoryField(),
        "watcher": WatcherField(),
    }


SYSTEM_FIELDS = _system()


def system_handler(name: str) -> FieldHandler | None:
    return SYSTEM_FIELDS.get(name.casefold())
