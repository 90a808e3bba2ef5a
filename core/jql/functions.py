"""JQL functions: the built-in ones, and calling those plugins register.

A function is ``fn(ctx, *args) -> result``: ``ctx`` is a :class:`FunctionContext`,
``args`` the argument strings as written. The result is one value or a list of
them; a value is a ``str``/number (read like a literal), a ``datetime``, a
``User`` (for user fields), or a SQLAlchemy ``Select`` of one column (ids for
``issuekey``, usernames for user fields...) used as an ``IN`` subquery. Raise
``ValueError`` with a message for bad arguments; it becomes a JqlError.
Plugins register through the ``register_jql_functions`` hook:
``registry.function("myFunction")(fn)``; names are case-insensitive.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..models import Group, GroupMember, Issue, IssueLink, User, Watcher
from .ast import FunctionCall
from .dates import period_bound
from .errors import JqlError, unknown_function


@dataclass
class FunctionContext:
    """What a JQL function may use: the host, the session, the searcher and now."""

    host: Any
    session: Session
    user: User | None
    now: datetime
    field: str


JqlFunction = Callable[..., Any]


def _current_user(ctx: FunctionContext) -> Any:
    if ctx.user is None:
        raise ValueError("currentUser() needs a logged-in user.")
    return ctx.user


def _members_of(ctx: FunctionContext, group: str) -> Any:
    found = ctx.session.scalar(select(Group).where(Group.name == group))
    if found is None:
        raise ValueError(f"Function 'membersOf' can not generate a list of usernames for "
                         f"group '{group}'; the group does not exist.")
    return select(User.username).join(GroupMember, GroupMember.user_id == User.id).where(
        GroupMember.group_id == found.id)


def _now(ctx: FunctionContext) -> datetime:
    return ctx.now


def _period(period: str, end: bool) -> JqlFunction:
    def bound(ctx: FunctionContext, increment: str | None = None) -> datetime:
        try:
            return period_bound(period, end, ctx.now, increment)
        except (ValueError, OverflowError):
            name = ("endOf" if end else "startOf") + period.capitalize()
            raise ValueError(f"Function '{name}' got an invalid increment '{increment}'; "
                             "use for example '-1', '+2d' or '-1w'.") from None

    return bound


def _watched_issues(ctx: FunctionContext) -> Any:
    if ctx.user is None:
        raise ValueError("watchedIssues() needs a logged-in user.")
    return select(Watcher.issue_id).where(Watcher.user_id == ctx.user.id)


def _linked_issues(ctx: FunctionContext, key: str, link_type: str | None = None) -> Any:
    """Orders linked to ``key``. An order the searcher may not browse answers exactly
    as a missing one, and only browsable linked orders are listed."""
    stmt = select(Issue.id).where(Issue.key == key.strip().upper())
    visible = None
    if ctx.user is not None:
        from ..permissions import browse_clause

        visible = browse_clause(ctx.host, ctx.session, ctx.user)
        stmt = stmt.where(visible)
    issue_id = ctx.session.scalar(stmt)
    if issue_id is None:
        raise ValueError(f"Issue '{key}' could not be found in function 'linkedIssues'.")
    outward = select(IssueLink.inward_id).where(IssueLink.outward_id == issue_id)
    inward = select(IssueLink.outward_id).where(IssueLink.inward_id == issue_id)
    if link_type:
        outward = outward.where(IssueLink.link_type == link_type)
        inward = inward.where(IssueLink.link_type == link_type)
    linked = select(Issue.id).where(or_(Issue.id.in_(outward), Issue.id.in_(inward)))
    return linked if visible is None else linked.where(visible)


BUILTINS: dict[str, JqlFunction] = {
    "currentuser": _current_user,
    "membersof": _members_of,
    "now": _now,
    "currentlogin": _now,
    "watchedissues": _watched_issues,
    "linkedissues": _linked_issues,
}
for _p in ("day", "week", "month", "year"):
    BUILTINS[f"startof{_p}"] = _period(_p, False)
    BUILTINS[f"endof{_p}"] = _period(_p, True)


def lookup(host: Any, name: str) -> JqlFunction:
    """A built-in, else a plugin's function registered on ``host.plugins.jql_functions``."""
    fn = BUILTINS.get(name.casefold())
    if fn is not None:
        return fn
    registry = getattr(getattr(host, "plugins", None), "jql_functions", None)
    entry = registry.get(name.casefold()) if registry is not None else None
    if entry is None:
        raise unknown_function(name)
    return entry.fn


def call(ctx: FunctionContext, call_node: FunctionCall) -> list[Any]:
    """Run a function; its result as a list. Any failure is a JqlError."""
    fn = lookup(ctx.host, call_node.name)
    try:
        inspect.signature(fn).bind(ctx, *call_node.args)
    except TypeError:
        raise JqlError(f"Function '{call_node.name}' got the wrong number of arguments "
                       f"({len(call_node.args)}).") from None
    try:
        result = fn(ctx, *call_node.args)
    except ValueError as exc:
        raise JqlError(str(exc)) from exc
    if isinstance(result, list | tuple | set):
        return list(result)
    return [result]
