"""The predefined dashboards (*Forhåndsdefinerte dashbord*) from config, written by
``schema_ready`` after every ``db upgrade`` (and ``create_schema``, the demo).

Definitions are ``predefined.yaml`` (or the file ``plugins.gadgets.predefined``
names); each project's ``plugins.gadgets.dashboards`` chooses its own (default all),
``plugins.gadgets.instance_dashboards`` the instance-wide ones. A predefined
dashboard has no owner and a ``system_key`` (``ELV:ukentlig``, ``*:maanedlig``):
syncing makes the missing ones, brings changed ones back to their definition and
removes those config no longer names. Users copy them to make their own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from marshmallow import RAISE, Schema, fields
from sqlalchemy import select

from core.config import plugin_block
from core.dashboards.gadget_service import checked_settings
from core.dashboards.models import Dashboard, DashboardGadget, DashboardShare
from core.models import Project
from core.yamlsource import ConfigError

DEFINITIONS = Path(__file__).with_name("predefined.yaml")
INSTANCE = "*"
DEFAULT_PROJECT = ("daglig", "ukentlig", "maanedlig", "tillegg", "avvik", "bomtur")
DEFAULT_INSTANCE = ("ukentlig", "maanedlig")


class ProjectSettings(Schema):
    """``projects[].plugins.gadgets``."""

    class Meta:
        unknown = RAISE

    dashboards = fields.List(fields.String(), load_default=lambda: list(DEFAULT_PROJECT))


class InstanceSettings(Schema):
    """``plugins.gadgets`` at the top of the instance config."""

    class Meta:
        unknown = RAISE

    predefined = fields.String(load_default=None, allow_none=True)
    instance_dashboards = fields.List(fields.String(),
                                      load_default=lambda: list(DEFAULT_INSTANCE))


def instance_settings(config: Any) -> dict[str, Any]:
    return plugin_block(config, "gadgets", InstanceSettings())


def definitions(host: Any) -> dict[str, dict[str, Any]]:
    settings = instance_settings(host.config)
    path = Path(host.config.resolve_path(settings["predefined"])) if settings["predefined"] \
        else DEFINITIONS
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {"project": loaded.get("project") or {}, "instance": loaded.get("instance") or {}}


def _fill(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        out = value
        for key, text in names.items():
            out = out.replace("{" + key + "}", text)
        return out
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    return value


def wanted(host: Any) -> list[tuple[str, dict[str, Any], str | None]]:
    """(system key, the filled-in definition, project key or None), in config order."""
    defs = definitions(host)
    out = []
    for project in host.config["projects"]:
        key = project["key"]
        if not host.plugins.enabled(key, "gadgets"):
            continue
        chosen = host.plugins.plugin_settings(key, "gadgets").get("dashboards",
                                                                  DEFAULT_PROJECT)
        for slug in chosen:
            if slug not in defs["project"]:
                raise ConfigError(f"plugins.gadgets.dashboards: unknown dashboard '{slug}' "
                                  f"(known: {', '.join(defs['project'])})", host.config.path)
            out.append((f"{key}:{slug}", _fill(defs["project"][slug],
                                                {"key": key, "name": project["name"]}), key))
    for slug in instance_settings(host.config)["instance_dashboards"]:
        if slug not in defs["instance"]:
            raise ConfigError(f"plugins.gadgets.instance_dashboards: unknown dashboard "
                              f"'{slug}' (known: {', '.join(defs['instance'])})",
                              host.config.path)
        out.append((f"{INSTANCE}:{slug}", defs["instance"][slug], None))
    return out


def _gadgets(host: Any, definition: dict[str, Any]) -> list[tuple[str, int, int, str]]:
    rows, rows_in = [], {}
    for item in definition.get("gadgets") or []:
        column = int(item.get("column", 0))
        position = rows_in.get(column, 0)
        rows_in[column] = position + 1
        config = json.dumps(checked_settings(host, item["type"], item.get("config") or {}),
                            sort_keys=True)
        rows.append((item["type"], column, position, config))
    return rows


def sync(host: Any) -> None:
    """Make the predefined dashboards match config (idempotent)."""
    targets = wanted(host)
    with host.db.new_session() as s:
        projects = {p.key: p.id for p in s.scalars(select(Project))}
        existing = {d.system_key: d for d in s.scalars(
            select(Dashboard).where(Dashboard.system_key.isnot(None)))}
        now = host.now()
        for system_key, definition, project_key in targets:
            gadgets = _gadgets(host, definition)
            d = existing.pop(system_key, None)
            if d is None:
                d = Dashboard(system_key=system_key, owner_id=None, created=now, updated=now)
                s.add(d)
            d.name = definition["name"]
            d.description = definition.get("description", "")
            d.columns = int(definition.get("columns", 2))
            current = sorted((g.type, g.column, g.position, json.dumps(
                json.loads(g.config), sort_keys=True)) for g in d.gadgets)
            if current != sorted(gadgets):
                d.gadgets = [DashboardGadget(type=t, column=c, position=p, config=cfg)
                             for t, c, p, cfg in gadgets]
                d.updated = now
            share = (("project", projects[project_key]) if project_key else
                     ("authenticated", None))
            if [(sh.type, sh.project_id) for sh in d.shares] != [share]:
                d.shares = [DashboardShare(type=share[0], project_id=share[1])]
        for stale in existing.values():
            s.delete(stale)
