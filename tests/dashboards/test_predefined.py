"""The predefined dashboards: made by ``db upgrade`` from config for each grid company
and the instance, kept in step on every upgrade, and every gadget on them answers
over the demo's orders."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from core.config import parse_config
from core.dashboards.data import gadget_data, gadget_type
from core.dashboards.gadget_service import settings_of
from core.dashboards.models import Dashboard
from core.demo.load import ensure_demo_users, load_project
from core.host import create_host
from core.migrate import upgrade
from core.models import User
from core.yamlsource import ConfigError

PER_PROJECT = ["daglig", "ukentlig", "maanedlig", "tillegg", "avvik", "bomtur"]


def _predefined(host: Any) -> dict[str, tuple[int, str, int, list[str]]]:
    with host.db.new_session() as s:
        return {d.system_key: (d.id, d.name, len(d.gadgets), [sh.type for sh in d.shares])
                for d in s.scalars(select(Dashboard).where(Dashboard.system_key.isnot(None)))}


def test_hook_schema_ready(config_dict, backend):
    """``db upgrade`` (through the hook) makes them; again changes nothing; a config
    naming fewer removes the rest."""
    host = create_host(parse_config(config_dict))
    try:
        upgrade(host)
        made = _predefined(host)
        assert sorted(made) == sorted([f"{p}:{d}" for p in ("ELV", "FJN") for d in PER_PROJECT]
                                      + ["*:ukentlig", "*:maanedlig"])
        assert made["ELV:ukentlig"][1:] == ("Ukentlig framdrift – Elvnett", 8, ["project"])
        assert made["*:maanedlig"][3] == ["authenticated"]
        upgrade(host)
        assert _predefined(host) == made
    finally:
        host.db.dispose()
    config_dict["projects"][1]["plugins"]["gadgets"] = {"dashboards": ["bomtur"]}
    config_dict.setdefault("plugins", {})["gadgets"] = {"instance_dashboards": ["ukentlig"]}
    host = create_host(parse_config(config_dict))
    try:
        upgrade(host)
        left = _predefined(host)
        assert sorted(k for k in left if not k.startswith("ELV:")) == ["*:ukentlig",
                                                                      "FJN:bomtur"]
        assert left["FJN:bomtur"][0] == made["FJN:bomtur"][0]  # kept, not made anew
    finally:
        host.db.dispose()


def test_unknown_predefined_dashboard_is_a_config_error(config_dict):
    config_dict["projects"][0]["plugins"]["gadgets"] = {"dashboards": ["ukentlig", "årlig"]}
    host = create_host(parse_config(config_dict))
    try:
        with pytest.raises(ConfigError, match="unknown dashboard 'årlig'"):
            host.create_schema()
    finally:
        host.db.dispose()


def test_every_predefined_gadget_answers_over_demo_data(app, host, backend):
    ensure_demo_users(host, with_passwords=False)
    for key in ("ELV", "FJN"):
        load_project(host, key, 40)
    failures, shown = [], 0
    with app.test_request_context(), host.db.new_session() as s:
        planner = s.scalar(select(User).where(User.username == "planlegger1"))
        for d in s.scalars(select(Dashboard).where(Dashboard.system_key.isnot(None))):
            for g in d.gadgets:
                try:
                    out = gadget_data(host, s, planner, gadget_type(host, g.type),
                                      settings_of(g), fresh=True)
                except Exception as exc:  # noqa: BLE001 - collect every failure
                    failures.append((d.system_key, g.type, repr(exc)))
                else:
                    shown += bool(out["data"])
    assert failures == []
    assert shown == sum(n for _id, _name, n, _sh in _predefined(host).values())
