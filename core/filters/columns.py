"""The navigator's columns: which exist, how a cell reads, and how a column sorts.

Columns are named by field id (``key``, ``status``, ``customfield_10010``), the
same ids the REST API uses, so a URL's ``columns=`` also works for plugins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l

from ..fields import OSLO
from ..models import Issue

if TYPE_CHECKING:
    from ..host import Amsflow

# id, Norwegian label, the JQL name that sorts it
SYSTEM_COLUMNS = (
    ("key", _l("Nøkkel"), "key"),
    ("issuetype", _l("Type"), "issuetype"),
    ("project", _l("Prosjekt"), "project"),
    ("summary", _l("Sammendrag"), "summary"),
    ("status", _l("Status"), "status"),
    ("assignee", _l("Tildelt"), "assignee"),
    ("reporter", _l("Rapportør"), "reporter"),
    ("resolution", _l("Løsning"), "resolution"),
    ("created", _l("Opprettet"), "created"),
    ("updated", _l("Oppdatert"), "updated"),
    ("resolutiondate", _l("Løst"), "resolved"),
)
DEFAULT_KEYS = ("key", "issuetype", "summary", "status", "assignee", "planned_start",
                "municipality", "updated")


@dataclass(frozen=True)
class Column:
    id: str
    label: str
    sort: str | None
    field_type: str = "system"


def available(host: Amsflow) -> list[Column]:
    out = [Column(cid, label, sort) for cid, label, sort in SYSTEM_COLUMNS]
    for f in host.fields:
        sortable = f.type != "position"
        out.append(Column(f.id, f.name, f"cf[{f.number}]" if sortable else None, f.type))
    return out


def default_columns(host: Amsflow) -> list[Column]:
    by_id = {c.id: c for c in available(host)}
    out = []
    for key in DEFAULT_KEYS:
        fdef = host.fields.get(key)
        col = by_id.get(fdef.id if fdef else key)
        if col is not None:
            out.append(col)
    return out


def parse_columns(host: Amsflow, raw: str | None) -> list[Column]:
    """Columns from ``a,b,c`` (ids, field keys or names); unknown ones are dropped."""
    by_id = {c.id: c for c in available(host)}
    out: list[Column] = []
    for part in (raw or "").split(","):
        part = part.strip()
        fdef = host.fields.get(part) if part and part not in by_id else None
        col = by_id.get(fdef.id if fdef else part)
        if col is not None and col not in out:
            out.append(col)
    return out or default_columns(host)


def cell(host: Amsflow, issue: Issue, col: Column) -> Any:
    """The raw value of a column (objects for status/people; the page formats them)."""
    if col.field_type == "system":
        if col.id == "issuetype":
            return issue.issue_type.name
        if col.id == "project":
            return issue.project.key
        if col.id == "resolutiondate":
            return issue.resolution_date
        if col.id == "resolution":
            return issue.resolution.name if issue.resolution else ""
        return getattr(issue, col.id)
    fdef = host.fields.get(col.id)
    for row in issue.values:
        if row.field_id == col.id and fdef is not None:
            return fdef.from_row(row)
    return None


def cell_text(host: Amsflow, issue: Issue, col: Column) -> str:
    """A cell as plain text (CSV export and mails)."""
    value = cell(host, issue, col)
    if value is None:
        return ""
    if col.id == "status":
        st = host.all_statuses().get(issue.status.key)
        return st.name if st else issue.status.name
    if col.id in ("assignee", "reporter"):
        return value.display_name
    if hasattr(value, "astimezone"):
        return value.astimezone(OSLO).strftime("%d.%m.%Y %H:%M")
    if col.field_type != "system":
        fdef = host.fields.get(col.id)
        if fdef is not None:
            if fdef.type == "flag":
                return "Ja" if value else "Nei"
            return fdef.display(value)
    return str(value)
