"""The phone app's page, manifest and service worker as the server serves them (the
browser tests drive them in Chromium)."""

from __future__ import annotations

import json
import re
from typing import Any


def page_config(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="m-config">(.*?)</script>', html,
                      re.S)
    assert found, html[:300]
    return json.loads(found.group(1))


def test_app_page_manifest_and_worker(as_user: Any, day: Any) -> None:
    b = as_user("installer")
    r = b.get("/m/")
    assert r.status_code == 200
    assert '<link rel="manifest" href="/m/manifest.webmanifest">' in r.text
    assert "/vendor/idb/build/umd.js" in r.text
    cfg = page_config(r.text)
    assert cfg["urls"]["sync"] == "/rest/mobile/1/sync" and cfg["urls"]["scope"] == "/m/"
    manifest = b.get("/m/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    assert manifest.get_json()["start_url"] == "/m/" and manifest.get_json()["scope"] == "/m/"
    worker = b.get("/m/sw.js")
    assert worker.mimetype == "text/javascript" and worker.headers["Cache-Control"] == "no-cache"
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", worker.text).group(1))
    assert "/m/" in shell and f"/m/static/mobile.js?v={cfg['version']}" in shell
    for url in shell:  # everything the worker keeps is really there
        assert b.get(url).status_code == 200, url
    assert '<a href="/m/">Mobil</a>' in b.get("/").text


def test_app_in_english_and_anonymous_to_login(as_user: Any, client: Any, day: Any) -> None:
    r = as_user("installer").get("/m/?lang=en")
    assert "My orders" in r.text and '"offline": "Offline' in r.text
    anonymous = client.get("/m/")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
