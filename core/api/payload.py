"""Turning Jira's ``fields`` and ``update`` payloads into what the services take.

Jira lets a client set a field in ``fields`` or change it with ``update`` verbs
(``set``, ``add``, ``remove``; comments also ``edit``). All our fields hold one
value, so ``add`` is for comments and links only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..host import Amsflow
from ..i18n import _
from ..services.errors import InvalidInput

NOT_SETTABLE = {"status", "resolutiondate", "created", "updated", "key", "issuekey",
                "watches", "attachment", "comment", "issuelinks", "id", "self"}
CREATE_ONLY = {"project", "issuetype"}


@dataclass
class Changes:
    fields: dict[str, Any] = field(default_factory=dict)
    comments: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)


def _name(host: Amsflow, name: str) -> str:
    fdef = host.fields.get(name)
    return fdef.id if fdef else name


def _refuse(name: str) -> InvalidInput:
    return InvalidInput(errors={name: _("Feltet '%(name)s' kan ikke settes. Det er ikke på "
                                        "skjermbildet, eller det finnes ikke.", name=name)})


def read_fields(host: Amsflow, raw: dict[str, Any], *, creating: bool = False,
                extra_blocked: frozenset[str] = frozenset()) -> dict[str, Any]:
    """``fields`` with custom fields by id; system fields that cannot be set refused."""
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, value in raw.items():
        if name in NOT_SETTABLE or name in extra_blocked or \
                (name in CREATE_ONLY and not creating):
            errors.update(_refuse(name).errors)
            continue
        out[_name(host, name)] = value
    if errors:
        raise InvalidInput(errors=errors)
    return out


def read_update(host: Amsflow, raw_fields: dict[str, Any],
                update: dict[str, list[dict[str, Any]]],
                extra_blocked: frozenset[str] = frozenset()) -> Changes:
    changes = Changes(fields=read_fields(host, raw_fields, extra_blocked=extra_blocked))
    errors: dict[str, str] = {}
    for name, ops in update.items():
        fid = _name(host, name)
        if fid in changes.fields:
            errors[fid] = _("Feltet '%(name)s' kan ikke både settes i 'fields' og 'update'.",
                            name=name)
            continue
        for op in ops:
            for verb, value in op.items():
                problem = _one_op(host, changes, name, fid, verb, value, extra_blocked)
                if problem:
                    errors[fid] = problem
    if errors:
        raise InvalidInput(errors=errors)
    return changes


def _one_op(host: Amsflow, changes: Changes, name: str, fid: str, verb: str, value: Any,
            extra_blocked: frozenset[str]) -> str | None:
    if name == "comment":
        if verb not in ("add", "edit", "remove") or not isinstance(value, dict):
            return "Kommentarer endres med add, edit eller remove og et objekt."
        changes.comments.append((verb, value))
        return None
    if name == "issuelinks":
        if verb != "add" or not isinstance(value, dict):
            return "Koblinger legges til med add og et objekt."
        changes.links.append(value)
        return None
    if name in NOT_SETTABLE or name in CREATE_ONLY or name in extra_blocked:
        return _refuse(name).errors[name]
    if verb == "set":
        changes.fields[fid] = value
    elif verb == "remove":
        changes.fields[fid] = None
    else:
        return _("Feltet '%(name)s' har én verdi og støtter ikke '%(verb)s'.", name=name,
                 verb=verb)
    return None
