"""What the JQL editor completes: field names with their operators, functions, and
values of a field (Jira's ``jql/autocompletedata`` and its ``suggestions``).

Suggested values come only from what the user may see: projects they may browse,
and custom-field values of orders they may browse.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from .. import permissions as perms
from ..jql import ast
from ..jql.compiler import handler_for
from ..jql.errors import JqlError
from ..jql.render import word
from ..jql.system_fields import SYSTEM_FIELDS
from ..models import FieldValue, Issue, IssueType, Project, Resolution, User

if TYPE_CHECKING:
    from ..host import Amsflow

LIMIT = 15
RESERVED = ("and", "or", "not", "empty", "null", "order", "by", "asc", "desc", "in", "is",
            "was", "changed", "after", "before", "on", "during", "from", "to")
FUNCTIONS = ("currentUser()", "membersOf()", "now()", "currentLogin()", "watchedIssues()",
             "linkedIssues()", "startOfDay()", "endOfDay()", "startOfWeek()", "endOfWeek()",
             "startOfMonth()", "endOfMonth()", "startOfYear()", "endOfYear()")
_SYSTEM_NAMES = ("project", "issuetype", "status", "resolution", "assignee", "reporter",
                 "summary", "description", "comment", "text", "created", "updated",
                 "resolved", "key", "statusCategory", "watcher")
_USER_FIELDS = {"assignee", "reporter", "watcher"}


def quote(name: str) -> str:
    """A field name or value as JQL needs it written."""
    return word(name)


def _operators(host: Amsflow, name: str) -> list[str]:
    try:
        handler = handler_for(host, ast.FieldRef(name))
    except JqlError:
        return []
    ops = sorted(op.upper() for op in handler.operators)
    if getattr(handler, "history_field", None):
        ops += ["WAS", "WAS NOT", "WAS IN", "WAS NOT IN", "CHANGED"]
    return ops


def _orderable(host: Amsflow, name: str) -> bool:
    try:
        handler_for(host, ast.FieldRef(name)).order_keys()
    except JqlError:
        return False
    return True


def autocomplete_data(host: Amsflow) -> dict[str, Any]:
    fields: list[dict[str, Any]] = []
    for name in _SYSTEM_NAMES:
        if name.casefold() not in SYSTEM_FIELDS:
            continue
        fields.append({"value": name, "displayName": name,
                       "orderable": str(_orderable(host, name)).lower(), "searchable": "true",
                       "auto": "true", "operators": _operators(host, name), "types": [name]})
    for fdef in host.fields:
        fields.append({"value": quote(fdef.name), "displayName": f"{fdef.name} - cf[{fdef.number}]",
                       "orderable": str(_orderable(host, fdef.id)).lower(),
                       "searchable": "true", "auto": "true", "cfid": f"cf[{fdef.number}]",
                       "operators": _operators(host, fdef.id), "types": [fdef.type],
                       "key": fdef.key})
    functions = [{"value": f, "displayName": f, "types": []} for f in FUNCTIONS]
    for entry in host.plugins.jql_functions:
        display = entry.options.get("display", entry.name)
        functions.append({"value": f"{display}()", "displayName": f"{display}()",
                          "types": [], "plugin": entry.plugin})
    return {"visibleFieldNames": fields, "visibleFunctionNames": functions,
            "jqlReservedWords": list(RESERVED)}


def _mark(value: str, typed: str) -> str:
    """Jira's displayName: the typed part in bold, the rest escaped."""
    i = value.casefold().find(typed.casefold()) if typed else -1
    if i < 0:
        return html.escape(value)
    j = i + len(typed)
    return f"{html.escape(value[:i])}<b>{html.escape(value[i:j])}</b>{html.escape(value[j:])}"


def _matching(values: list[str], typed: str) -> list[str]:
    t = typed.casefold().strip().strip('"')
    starts = [v for v in values if v.casefold().startswith(t)]
    inside = [v for v in values if t in v.casefold() and v not in starts]
    return (starts + inside)[:LIMIT]


def _candidates(host: Amsflow, s: Session, user: User | None, name: str,
                typed: str) -> list[str]:
    key = name.strip().strip('"').casefold()
    if key == "project":
        ids = set(perms.browsable_project_ids(host, s, user))
        return [p.key for p in s.scalars(select(Project).order_by(Project.key)) if p.id in ids]
    if key in ("issuetype", "type"):
        return list(s.scalars(select(IssueType.name).order_by(IssueType.name)))
    if key == "status":
        return sorted({st.name for st in host.all_statuses().values()})
    if key == "resolution":
        return ["Unresolved", *s.scalars(select(Resolution.name).order_by(Resolution.name))]
    if key == "statuscategory":
        return ["Å gjøre", "Pågår", "Ferdig"]
    if key in _USER_FIELDS:
        t = "%" + typed.strip().strip('"').lower() + "%"
        rows = s.scalars(select(User).where(
            User.active.is_(True), User.username != "system",
            or_(func.lower(User.username).like(t), func.lower(User.display_name).like(t)))
            .order_by(User.display_name).limit(LIMIT))
        return ["currentUser()", *(u.username for u in rows)]
    fdef = host.fields.get(name.strip().strip('"'))
    if fdef is None and key.startswith("cf[") and key.endswith("]"):
        fdef = host.fields.get(f"customfield_{key[3:-1]}")
    if fdef is None:
        return []
    if fdef.options:
        return list(fdef.options)
    if fdef.type == "flag":
        return ["1", "0"]
    if fdef.type not in ("text", "phone", "select", "user"):
        return []
    prefix = typed.strip().strip('"')
    stmt = (select(FieldValue.value_str).join(Issue, Issue.id == FieldValue.issue_id)
            .where(FieldValue.field_id == fdef.id, FieldValue.value_str.isnot(None),
                   perms.browse_clause(host, s, user))
            .group_by(FieldValue.value_str).order_by(FieldValue.value_str).limit(LIMIT))
    if prefix:
        stmt = stmt.where(FieldValue.value_str >= prefix,
                          FieldValue.value_str < prefix + "\U0010ffff")
    return [v for v in s.scalars(stmt) if v]


def suggestions(host: Amsflow, s: Session, user: User | None, field_name: str,
                typed: str) -> list[dict[str, str]]:
    """Values for ``field_name`` matching what was typed, best first, at most 15."""
    values = _matching(_candidates(host, s, user, field_name, typed), typed)
    return [{"value": quote(v) if not v.endswith("()") else v, "displayName": _mark(v, typed)}
            for v in values]
