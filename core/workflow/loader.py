"""Load workflow YAML and check every name in it against what exists.

An unknown status, field, role or function is a start-up error naming the file,
the line and the name: an admin's typo must never reach a planner.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..fields import FieldRegistry
from ..registries import WorkflowFunctions
from ..yamlsource import ConfigError, LineDict, load_yaml
from .model import CATEGORIES, FunctionRef, StatusDef, Transition, Workflow

SYSTEM_SCREEN_FIELDS = {"resolution", "assignee", "summary", "description", "comment"}
SYSTEM_FIELDS = SYSTEM_SCREEN_FIELDS | {"reporter", "status", "issuetype", "project"}


def load_workflow(path: str | Path, fields: FieldRegistry,
                  functions: WorkflowFunctions) -> Workflow:
    path = Path(path)
    raw = load_yaml(path)
    if not isinstance(raw, LineDict):
        raise ConfigError("a workflow must be a mapping", path, 1)

    def need(node: LineDict, key: str) -> Any:
        if key not in node:
            raise ConfigError(f"missing '{key}'", path, node.line)
        return node[key]

    statuses: dict[str, StatusDef] = {}
    for i, st in enumerate(need(raw, "statuses")):
        line = raw["statuses"].lines[i]
        if not isinstance(st, dict):
            raise ConfigError("a status must be a mapping", path, line)
        category = st.get("category", "indeterminate")
        if category not in CATEGORIES:
            raise ConfigError(f"unknown status category '{category}' "
                              f"(one of {', '.join(CATEGORIES)})", path, line)
        key = str(need(st, "key"))
        if key in statuses:
            raise ConfigError(f"duplicate status '{key}'", path, line)
        statuses[key] = StatusDef(key, str(need(st, "name")), category, st.get("name_en"),
                                  st.get("description", ""))

    def status(name: Any, line: int | None) -> str:
        if name not in statuses:
            raise ConfigError(f"unknown status '{name}'", path, line)
        return str(name)

    initial = status(need(raw, "initial"), raw.lines.get("initial"))
    transitions: list[Transition] = []
    seen_ids: set[int] = set()
    for i, tr in enumerate(need(raw, "transitions")):
        line = raw["transitions"].lines[i]
        if not isinstance(tr, dict):
            raise ConfigError("a transition must be a mapping", path, line)
        tid = need(tr, "id")
        if not isinstance(tid, int) or tid in seen_ids:
            raise ConfigError(f"transition id '{tid}' must be a unique number", path, line)
        seen_ids.add(tid)
        sources = _sources(tr.get("from", "*"), tr.get("except", []), statuses, path,
                           tr.lines.get("from", line))
        for ex in tr.get("except", []):
            status(ex, tr.lines.get("except", line))
        screen = tuple(tr.get("screen", []))
        for name in screen:
            if name not in SYSTEM_SCREEN_FIELDS and name not in fields:
                raise ConfigError(f"unknown field '{name}' on screen", path,
                                  tr.lines.get("screen", line))
        transitions.append(Transition(
            id=tid, name=str(need(tr, "name")), key=tr.get("key"), name_en=tr.get("name_en"),
            to=status(need(tr, "to"), tr.lines.get("to", line)), sources=sources,
            conditions=_refs(tr, "conditions", functions.conditions, path),
            validators=_refs(tr, "validators", functions.validators, path),
            post_functions=_refs(tr, "post_functions", functions.post_functions, path),
            screen=screen, automatic=bool(tr.get("automatic", False)),
            system=bool(tr.get("system", False)), line=line))
    return Workflow(str(raw.get("name", path.stem)), str(path), initial, statuses, transitions)


def _sources(value: Any, excluded: list[str], statuses: dict[str, StatusDef], path: Path,
             line: int | None) -> frozenset[str]:
    if value == "*":
        return frozenset(k for k in statuses if k not in excluded)
    names = value if isinstance(value, list) else [value]
    for name in names:
        if name not in statuses:
            raise ConfigError(f"unknown status '{name}'", path, line)
    return frozenset(str(n) for n in names)


def _refs(tr: LineDict, section: str, registry: Any, path: Path) -> tuple[FunctionRef, ...]:
    items = tr.get(section) or []
    out = []
    for j, item in enumerate(items):
        line = items.lines[j] if hasattr(items, "lines") else tr.line
        if isinstance(item, str):
            name, args = item, {}
        elif isinstance(item, dict) and len(item) == 1:
            name, args = next(iter(item.items()))
            args = dict(args or {})
        else:
            raise ConfigError(f"each of {section} must be a name or a one-key mapping",
                              path, line)
        if name not in registry:
            known = ", ".join(sorted(e.name for e in registry))
            raise ConfigError(f"unknown {registry.kind} '{name}' (known: {known})", path, line)
        out.append(FunctionRef(name, args, line))
    return tuple(out)
