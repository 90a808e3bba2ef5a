"""Browser libraries come from npm's node_modules through our own route, and only the
packages package.json names are reachable there."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import ROOT


def test_a_package_of_package_json_is_served(client: Any) -> None:
    response = client.get("/vendor/leaflet/dist/leaflet.js")
    assert response.status_code == 200
    assert b"Leaflet" in response.data[:2000]
    assert "javascript" in response.content_type
    assert response.cache_control.max_age and response.cache_control.max_age > 3600


def test_every_dependency_is_installed() -> None:
    deps = json.loads((ROOT / "package.json").read_text())["dependencies"]
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    for name, version in deps.items():
        assert lock[f"node_modules/{name}"]["version"] == version
        assert (ROOT / "node_modules" / name / "package.json").exists(), name


@pytest.mark.parametrize("path", [
    "/vendor/../pyproject.toml",
    "/vendor/leaflet/../../pyproject.toml",
    "/vendor/kdbush/index.js",          # installed as a dependency, not named: not served
    "/vendor/leaflet/dist/no-such-file.js",
    "/vendor/%2e%2e/package.json",
])
def test_nothing_else_is_reachable(client: Any, path: str) -> None:
    assert client.get(path).status_code == 404


def test_templates_link_vendor_files(app: Any) -> None:
    with app.test_request_context():
        url = app.jinja_env.globals["vendor_url"]("chart.js/dist/chart.umd.min.js")
    assert url == "/vendor/chart.js/dist/chart.umd.min.js"
