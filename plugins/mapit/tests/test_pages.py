"""The map page and *Se saken i Mapit* as the server renders them (the browser tests
drive them in Chromium)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from core.config import parse_config
from core.yamlsource import ConfigError


def page_config(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="mapit-config">(.*?)</script>',
                      html, re.S)
    assert found, html[:500]
    return json.loads(found.group(1))


def test_map_page_lists_favourites_as_layers(as_user: Any, oslo_filter: int) -> None:
    b = as_user("planner")
    r = b.get("/mapit/")
    assert r.status_code == 200
    assert '<a href="/mapit/">Kart</a>' in r.text  # in the top menu
    cfg = page_config(r.text)
    assert cfg["layers"] == [{"id": oslo_filter, "name": "Oslo åpne", "on": True}]
    assert cfg["tiles"]["url"].startswith("https://tile.openstreetmap.org/")
    assert "OpenStreetMap" in cfg["tiles"]["attribution"]
    assert "/vendor/leaflet/dist/leaflet.js" in r.text
    assert cfg["urls"]["atlas"] == "/vendor/world-atlas/countries-110m.json"
    assert cfg["urls"]["atlasDetail"] == "/vendor/world-atlas/countries-50m.json"
    assert b.get(cfg["urls"]["atlas"]).status_code == 200


def test_map_page_in_english(as_user: Any, placed: Any) -> None:
    b = as_user("planner")
    r = b.get("/mapit/?lang=en")
    assert "Map layers" in r.text and "You have no favourite filters" in r.text
    assert '<a href="/mapit/">Map</a>' in r.text


def test_anonymous_goes_to_login(client: Any) -> None:
    r = client.get("/mapit/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_show_in_mapit_only_with_a_position(as_user: Any, placed: Any) -> None:
    b = as_user("planner")
    placed_page = b.get("/browse/ELV-2").text
    assert 'id="action-mapit-show"' in placed_page
    assert re.search(r'href="/mapit/\?focus=ELV-2" id="action-mapit-show" target="_blank"',
                     placed_page)
    assert 'id="action-mapit-show"' not in b.get("/browse/ELV-6").text


def test_bad_settings_stop_start_up(tmp_path: Any, config_dict: dict[str, Any]) -> None:
    from core.app import create_app

    config_dict["plugins"] = {"mapit": {"alert_statuses": ["avvist"]}}
    with pytest.raises(ConfigError, match=r"plugins\.mapit\.alert_statuses.*avvist"):
        create_app(parse_config(config_dict), create_schema=True)
