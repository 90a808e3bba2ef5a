"""Turning HTML form input into the field changes the services take, and back.

Each configured field's input is named ``f_<key>``; the form sends strings and the
services parse them (``FieldDef.parse``), so a bad value comes back as a field
error with the person's own text still in the box.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from ..fields import FieldDef
from ..models import Issue
from ..services.errors import ServiceError
from ..services.issues import values_of
from .common import editable_fields, form_value, host

SYSTEM_INPUTS = ("summary", "description", "assignee")


def input_name(fdef: FieldDef) -> str:
    return f"f_{fdef.key}"


def submitted(form: MultiDict[str, str], fdefs: list[FieldDef]) -> dict[str, str]:
    """What the person typed, by field key (a checkbox is "1" or "")."""
    out = {}
    for f in fdefs:
        raw = form.get(input_name(f), "")
        out[f.key] = ("1" if raw else "") if f.type == "flag" else raw.strip()
    return out


def initial_values(issue: Issue) -> dict[str, str]:
    """The issue's current values as the form shows them (also for change detection)."""
    current = values_of(host(), issue)
    out = {f.key: form_value(f, current.get(f.key)) for f in host().fields}
    out.update(summary=issue.summary, description=issue.description or "",
               assignee=issue.assignee.username if issue.assignee else "")
    return out


def changes_for_create(form: MultiDict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """(custom field changes, everything typed) for a new order: empty inputs are left out."""
    typed = submitted(form, editable_fields())
    changes: dict[str, Any] = {k: v for k, v in typed.items() if v != ""}
    assignee = form.get("assignee", "").strip()
    if assignee:
        changes["assignee"] = assignee
    typed.update(summary=form.get("summary", ""), description=form.get("description", ""),
                 assignee=assignee)
    return changes, typed


def changes_for_edit(form: MultiDict[str, str], initial: dict[str, str],
                     may_assign: bool) -> tuple[dict[str, Any], dict[str, str]]:
    """(only what differs from the form as it was shown, everything typed)."""
    typed = submitted(form, editable_fields())
    typed.update(summary=form.get("summary", "").strip(),
                 description=form.get("description", "").replace("\r\n", "\n").strip())
    if may_assign:
        typed["assignee"] = form.get("assignee", "").strip()
    changes: dict[str, Any] = {}
    for key, value in typed.items():
        if value != initial.get(key, ""):
            changes[key] = value if value != "" or key in ("description", "summary") else None
    flags = {f.key for f in editable_fields() if f.type == "flag"}
    for key in flags & changes.keys():
        changes[key] = typed[key] == "1"
    return changes, typed


def field_errors(exc: ServiceError) -> tuple[dict[str, str], list[str]]:
    """Errors by input name (field key or system field) plus messages for the top.

    An error about a field that has no input on the page is shown at the top, so
    nothing the service said is lost.
    """
    by_input: dict[str, str] = {}
    top = list(exc.messages)
    for key, message in exc.errors.items():
        fdef = host().fields.get(key)
        if fdef is not None and not (fdef.kis or fdef.readonly):
            by_input[fdef.key] = message
        elif key in SYSTEM_INPUTS or key in ("project", "issuetype", "resolution", "comment"):
            by_input[key] = message
        else:
            top.append(message)
    return by_input, top
