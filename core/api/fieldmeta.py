"""The field list Jira clients read (``/field``): system fields and the configured
custom fields, with their schema, clause names and whether they can be set."""

from __future__ import annotations

from typing import Any

from ..fields import FieldDef
from ..host import Amsflow

# id, name, schema type, items, orderable (settable on create/edit), clause names
_SYSTEM: tuple[tuple[str, str, str, str | None, bool, tuple[str, ...]], ...] = (
    ("summary", "Emne", "string", None, True, ("summary",)),
    ("description", "Beskrivelse", "string", None, True, ("description",)),
    ("issuetype", "Sakstype", "issuetype", None, True, ("issuetype", "type")),
    ("project", "Prosjekt", "project", None, True, ("project",)),
    ("status", "Status", "status", None, False, ("status",)),
    ("resolution", "Løsning", "resolution", None, True, ("resolution",)),
    ("resolutiondate", "Løst", "datetime", None, False, ("resolutiondate", "resolved")),
    ("assignee", "Tildelt", "user", None, True, ("assignee",)),
    ("reporter", "Rapportør", "user", None, True, ("reporter",)),
    ("created", "Opprettet", "datetime", None, False, ("created", "createdDate")),
    ("updated", "Oppdatert", "datetime", None, False, ("updated", "updatedDate")),
    ("comment", "Kommentar", "comments-page", None, True, ("comment",)),
    ("attachment", "Vedlegg", "array", "attachment", True, ("attachments",)),
    ("issuelinks", "Koblede saker", "array", "issuelinks", True, ("issueLink",)),
    ("watches", "Følgere", "watches", None, False, ("watchers",)),
    ("issuekey", "Nøkkel", "string", None, False, ("issuekey", "key", "id")),
)
SYSTEM_IDS = tuple(f[0] for f in _SYSTEM)
NOT_NAVIGABLE = {"comment", "attachment", "watches", "issuekey"}


def system_fields() -> list[dict[str, Any]]:
    out = []
    for fid, name, typ, items, orderable, clauses in _SYSTEM:
        schema: dict[str, Any] = {"type": typ, "system": fid}
        if items:
            schema["items"] = items
        out.append({"id": fid, "key": fid, "name": name, "custom": False,
                    "orderable": orderable, "navigable": fid not in NOT_NAVIGABLE,
                    "searchable": True,
                    "clauseNames": list(clauses), "schema": schema})
    return out


def custom_field(f: FieldDef) -> dict[str, Any]:
    return {"id": f.id, "key": f.id, "name": f.name, "untranslatedName": f.name_en or f.name,
            "custom": True, "orderable": not (f.kis or f.readonly), "navigable": True,
            "searchable": True, "clauseNames": [f"cf[{f.number}]", f.name, f.key],
            "description": f.description,
            "schema": {"type": f.schema_type,
                       "custom": f"no.amsflow.fields:{f.type}", "customId": f.number},
            "amsflow": {"key": f.key, "type": f.type, "kis": f.kis, "readonly": f.readonly,
                        "options": list(f.options)}}


def all_fields(host: Amsflow) -> list[dict[str, Any]]:
    return system_fields() + [custom_field(f) for f in host.fields]


def field_names(host: Amsflow) -> dict[str, str]:
    """``expand=names``: field id -> display name."""
    return {f["id"]: f["name"] for f in all_fields(host)}
