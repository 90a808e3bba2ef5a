"""The Flask app factory: one host per app, blueprints from plugins, i18n, CSRF,
request ids and a health endpoint."""

from __future__ import annotations

import logging
import os
import secrets
import time
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, has_request_context, jsonify, request, session
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import text

from . import guard
from .auth import authenticate_request
from .config import Config, load_config
from .host import Amsflow, create_host

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config" / "demo.yaml"
log = logging.getLogger("amsflow.web")


class RequestIdFilter(logging.Filter):
    """Adds the request id to every log line written while serving a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.request_id = g.get("request_id", "-")
        except RuntimeError:
            record.request_id = "-"
        return True


def config_from(value: Config | str | os.PathLike[str] | None) -> Config:
    """The config named, else ``AMSFLOW_CONFIG``, else the embedded demo default.

    The default ships inside the package; installed from a wheel (no checkout around
    it), its relative paths (``../var`` for the SQLite file and data) start in the
    current directory's ``config/``, as they would in a checkout, never inside
    site-packages. Workflow files not found there come from the package."""
    if isinstance(value, Config):
        return value
    chosen = value or os.environ.get("AMSFLOW_CONFIG")
    if chosen:
        return load_config(chosen)
    config = load_config(DEFAULT_CONFIG)
    if not (DEFAULT_CONFIG.parent.parent / "pyproject.toml").exists():
        config.base = Path.cwd() / "config"
    return config


def host() -> Amsflow:
    """The host of the current app."""
    return current_app.extensions["amsflow"]


def secret_key(h: Amsflow) -> str:
    """The key that signs sessions and links: from the environment, else a random one
    kept in the data folder (the embedded default)."""
    from_env = h.config.secret(h.config["secret_key_env"])
    if from_env:
        return from_env
    path = h.data_dir / "secret_key"  # embedded default: a random key kept locally
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(config: Config | str | os.PathLike[str] | None = None, *,
               extra_plugins: tuple[Any, ...] = (), create_schema: bool = False,
               overrides: dict[str, Any] | None = None) -> Flask:
    cfg = config_from(config)
    h = create_host(cfg, extra_plugins)
    if create_schema:
        h.create_schema()
    else:
        h.load_catalog()
    app = Flask("amsflow", template_folder=str(Path(__file__).parent / "web" / "templates"),
                static_folder=str(Path(__file__).parent / "web" / "static"))
    app.extensions["amsflow"] = h
    app.config.update(
        SECRET_KEY=secret_key(h),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Only over HTTPS when the instance is served so (on in the production recipe).
        SESSION_COOKIE_SECURE=bool(cfg["security"]["secure_cookies"]),
        PREFERRED_URL_SCHEME="https" if cfg["security"]["secure_cookies"] else "http",
        MAX_CONTENT_LENGTH=int(cfg["max_attachment_mb"] * 1024 * 1024) + 1024 * 1024,
        BABEL_DEFAULT_LOCALE=cfg["default_locale"],
        BABEL_TRANSLATION_DIRECTORIES=";".join(_translation_directories(h)),
        WTF_CSRF_TIME_LIMIT=None,
        JSON_SORT_KEYS=False,
        **(overrides or {}),
    )
    Babel(app, locale_selector=_locale)
    app.extensions["csrf"] = CSRFProtect(app)
    _logging(app)
    _request_hooks(app, h)
    for bp in h.plugins.blueprints(app):
        app.register_blueprint(bp)
    _health(app, h)
    h.plugins.startup(h)
    return app


def _translation_directories(h: Amsflow) -> list[str]:
    """The core's catalog, then each plugin package's own ``translations/`` folders
    (the package's, and those of its subpackages: a part with a catalog of its own).

    Flask-Babel merges them, so a plugin keeps its UI words beside its code
    (``pybabel extract`` over the plugin, ``pybabel compile -d plugins/x/translations``).
    """
    dirs = [str(Path(__file__).parent / "translations")]
    for _name, plugin in h.plugins.pm.list_name_plugin():
        module_file = getattr(plugin, "__file__", None)
        if module_file and Path(module_file).name == "__init__.py":
            package = Path(module_file).parent
            for folder in [package / "translations", *sorted(package.glob("*/translations"))]:
                if folder.is_dir() and str(folder) not in dirs:
                    dirs.append(str(folder))
    return dirs


def _locale() -> str:
    """The language chosen in this session (or ``?lang=``); for API callers that have
    no session, the Accept-Language header; then the user's profile; else the default."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("locale") or request.args.get("lang")
    if chosen in ("nb", "en"):
        return chosen
    if request.path.startswith("/rest/") and g.get("auth_method") != "session":
        asked = request.accept_languages.best_match(("nb", "no", "nn", "en"))
        if asked:
            return "en" if asked == "en" else "nb"
    user = g.get("user")
    if user is not None and user.locale in ("nb", "en"):
        return user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _logging(app: Flask) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(logging.Formatter(
        "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    root = logging.getLogger("amsflow")
    if not any(isinstance(f, RequestIdFilter) for hd in root.handlers for f in hd.filters):
        root.addHandler(handler)
        root.setLevel(logging.INFO)


def _request_hooks(app: Flask, h: Amsflow) -> None:
    guard.install_first(app)

    @app.before_request
    def _identify() -> None:
        g.request_id = guard.request_id()
        g.started = time.perf_counter()
        g.user = authenticate_request(h, h.db.session())

    guard.install_after_identify(app)

    @app.teardown_appcontext
    def _close(_exc: BaseException | None) -> None:
        h.db.remove()


def _health(app: Flask, h: Amsflow) -> None:
    @app.get("/health")
    def health() -> Any:
        checks: dict[str, str] = {}
        ok = True
        try:
            with h.db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:  # noqa: BLE001 - health reports any failure
            checks["database"] = f"error: {exc.__class__.__name__}"
            ok = False
        if h.jobs.in_process:
            checks["redis"] = "not configured (jobs run in process)"
        else:
            try:
                h.jobs.queue().connection.ping()
                checks["redis"] = "ok"
            except Exception as exc:  # noqa: BLE001
                checks["redis"] = f"error: {exc.__class__.__name__}"
                ok = False
        return jsonify({"status": "ok" if ok else "error", "checks": checks}), \
            200 if ok else 503

    exempt = app.extensions["csrf"].exempt
    exempt(health)
