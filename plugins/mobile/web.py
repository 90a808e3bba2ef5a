"""The installer's phone app at ``/m/``: the page, its web app manifest and its
service worker, all under ``/m/`` so the worker's scope is the app and nothing else.

The worker is served from a route of ours (not a static file) so it can carry the
list of files to keep offline with their current URLs, and a cache name that
changes when any of them does; the browser then installs the new worker itself.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, render_template, url_for

from core.i18n import _
from core.registries import NavItem
from core.web.common import host, login_required, user
from core.web.vendor import node_modules

from .orders import projects

bp = Blueprint("mobile", __name__, url_prefix="/m", template_folder="templates",
               static_folder="static", static_url_path="/static")
STATIC = Path(__file__).parent / "static"
IDB = "idb/build/umd.js"
ASSETS = ("mobile.js", "mobile.css", "icon.svg")


def blueprint() -> Blueprint:
    return bp


def nav_items(me: Any) -> list[NavItem]:
    """*Mobil* in the top menu, for the installers and planners of enabling projects."""
    return [NavItem(_("Mobil"), "mobile.app", order=70)] if me and projects(host()) else []


@cache
def _fingerprint() -> str:
    digest = hashlib.sha256()
    files = [STATIC / name for name in ASSETS] + [
        node_modules() / IDB, Path(__file__).parent / "templates" / "mobile" / "app.html"]
    for path in files:
        if path.is_file():  # an install without node_modules serves no idb (404)
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _shell() -> list[str]:
    """What the worker keeps so the app opens with no network."""
    v = _fingerprint()
    return [url_for("mobile.app"), url_for("mobile.manifest"),
            url_for("web.vendor_file", filename=IDB)] + \
        [url_for("mobile.static", filename=name, v=v) for name in ASSETS]


@bp.get("/")
@login_required
def app() -> Any:
    me = user()
    v = _fingerprint()
    page = {"user": me.username, "name": me.display_name, "version": v,
            "urls": {"sync": url_for("api.get_api_sync"),
                     "actions": url_for("api.post_api_post_actions"),
                     "worker": url_for("mobile.worker"), "scope": url_for("mobile.app"),
                     "browse": url_for("web.issue", key="KEY"),
                     "login": url_for("web.login", next=url_for("mobile.app"))}}
    return render_template("mobile/app.html", page=page, v=v, idb=IDB)


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    body = {"name": _("amsflow mobil"), "short_name": "amsflow",
            "start_url": url_for("mobile.app"), "scope": url_for("mobile.app"),
            "display": "standalone", "background_color": "#ffffff", "theme_color": "#0052cc",
            "icons": [{"src": url_for("mobile.static", filename="icon.svg"),
                       "sizes": "any", "type": "image/svg+xml", "purpose": "any"}]}
    return Response(json.dumps(body, ensure_ascii=False),
                    mimetype="application/manifest+json")


@bp.get("/sw.js")
def worker() -> Response:
    source = (STATIC / "sw.js").read_text(encoding="utf-8")
    head = f"const CACHE = 'amsflow-m-{_fingerprint()}';\n" \
           f"const SHELL = {json.dumps(_shell())};\n"
    response = Response(head + source, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = url_for("mobile.app")
    return response
