"""Browser libraries from npm, served from our own static files (never a CDN).

``package.json`` and its lockfile pin them; the set-up scripts run ``npm ci`` into
``node_modules/``. Only the packages ``package.json`` names are served, so nothing
else of the folder is reachable. Templates link them with
``vendor_url("leaflet/dist/leaflet.js")``.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

from flask import abort, send_from_directory, url_for
from flask.typing import ResponseReturnValue

from . import bp

REPO_ROOT = Path(__file__).resolve().parents[2]


def node_modules() -> Path:
    """``AMSFLOW_NODE_MODULES``, else ``node_modules/`` beside ``package.json``."""
    return Path(os.environ.get("AMSFLOW_NODE_MODULES") or REPO_ROOT / "node_modules")


@cache
def served_packages() -> frozenset[str]:
    """The npm packages ``package.json`` depends on: the only ones served."""
    manifest = REPO_ROOT / "package.json"
    if not manifest.exists():
        return frozenset()
    return frozenset(json.loads(manifest.read_text(encoding="utf-8"))["dependencies"])


def _package_of(filename: str) -> str:
    parts = filename.split("/")
    return "/".join(parts[:2]) if filename.startswith("@") else parts[0]


@bp.route("/vendor/<path:filename>")
def vendor_file(filename: str) -> ResponseReturnValue:
    if _package_of(filename) not in served_packages():
        abort(404)
    response = send_from_directory(node_modules(), filename, max_age=7 * 24 * 3600)
    return response


@bp.app_template_global("vendor_url")
def vendor_url(filename: str) -> str:
    """The URL of a file of an npm package that ``package.json`` names."""
    return url_for("web.vendor_file", filename=filename)
