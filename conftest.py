"""Fixtures shared by every test folder (core, plugins, gadgets).

Tests run against real databases: SQLite files in a temporary folder, and
PostgreSQL (``AMSFLOW_TEST_PG``, default the local ``test`` database) in a fresh
schema per test. Tests that must pass on both take the ``backend`` fixture.
"""

from __future__ import annotations

import base64
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from core.app import create_app
from core.auth import hash_password
from core.config import parse_config
from core.host import Amsflow
from core.services.users import create_user, get_or_create_group, grant_role

ROOT = Path(__file__).resolve().parent
PG_URL = os.environ.get("AMSFLOW_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "Passord-123"
CHROMIUM = "/usr/bin/chromium"


def demo_config_dict() -> dict[str, Any]:
    """The demo config as a plain dict, for tests to adjust."""
    return yaml.safe_load((ROOT / "config" / "demo.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A fresh PostgreSQL schema, dropped afterwards; yields a URL that uses it."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}&application_name={schema}"
    with admin.connect() as conn:
        # A connection left open by a killed worker or a thread must not block the drop.
        leaked = conn.execute(text(
            "SELECT pid, state, left(query, 200) FROM pg_stat_activity "
            "WHERE application_name = :s"), {"s": schema}).all()
        if leaked and os.environ.get("AMSFLOW_DEBUG_LEAKS"):
            print("LEAKED", leaked)  # a connection some code forgot to close
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE application_name = :s"), {"s": schema})
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """SQLite by default; PostgreSQL when the test also takes ``backend``."""
    if "backend" in request.fixturenames and request.getfixturevalue("backend") == "postgresql":
        return request.getfixturevalue("pg_schema")
    return f"sqlite:///{tmp_path / 'test.sqlite'}"


@pytest.fixture
def config_dict(tmp_path: Path, db_url: str) -> dict[str, Any]:
    cfg = demo_config_dict()
    cfg["database_url"] = db_url
    cfg["data_dir"] = str(tmp_path / "data")
    cfg["workflows"] = {"ams": str(ROOT / "workflows" / "ams.yaml")}
    return cfg


@pytest.fixture
def app(config_dict: dict[str, Any]) -> Iterator[Any]:
    os.environ.setdefault("AMSFLOW_SECRET_KEY", "test-secret")
    application = create_app(parse_config(config_dict), create_schema=True,
                             overrides={"TESTING": True})
    yield application
    application.extensions["amsflow"].jobs.wait()
    # dispose() closes every session, also those a test kept across a job that
    # removed the scoped session: no connection is left in a transaction.
    application.extensions["amsflow"].db.dispose()


@pytest.fixture
def host(app: Any) -> Amsflow:
    return app.extensions["amsflow"]


@pytest.fixture
def session(host: Amsflow) -> Iterator[Any]:
    s = host.db.session()
    yield s
    s.close()


_HASHES: dict[str, str] = {}


def make_test_users(host: Amsflow, password: str = PASSWORD) -> dict[str, int]:
    """admin (instance admin), planner (Planlegger in both projects through the
    group ``planleggere``), installer and installer2 (Montør in both), outsider (no
    role); returns their ids."""
    with host.db.new_session() as s:
        made = {
            "admin": create_user(s, "admin", "Ada Admin", "", "admin@example.no",
                                 groups=(host.config["admin_group"],)),
            "planner": create_user(s, "planner", "Per Planlegger", "", "per@example.no"),
            "installer": create_user(s, "installer", "Mona Montør", "", "mona@example.no"),
            "installer2": create_user(s, "installer2", "Morten Montør", ""),
            "outsider": create_user(s, "outsider", "Otto Utenfor", ""),
        }
        if password not in _HASHES:  # scrypt is slow on purpose: hash once per run
            _HASHES[password] = hash_password(password)
        for user in made.values():
            user.password_hash = _HASHES[password]
        planners = get_or_create_group(s, "planleggere")
        made["planner"].groups.append(planners)
        for key in ("ELV", "FJN"):
            grant_role(s, key, "Planlegger", group=planners)
            grant_role(s, key, "Montør", user=made["installer"])
            grant_role(s, key, "Montør", user=made["installer2"])
        return {name: u.id for name, u in made.items()}


@pytest.fixture
def users(host: Amsflow) -> dict[str, Any]:
    """The test users of ``make_test_users``, all with the password ``PASSWORD``."""
    from core.models import User

    ids = make_test_users(host)
    session = host.db.session()
    return {name: session.get(User, uid) for name, uid in ids.items()}


@pytest.fixture
def live_url(app: Any, users: dict[str, Any]) -> Iterator[str]:
    """The app served by werkzeug on a free loopback port (threaded); its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def browser_page() -> Iterator[Any]:
    """A page in Debian's Chromium driven by Playwright (Norwegian locale).

    A test fails when the page broke the Content-Security-Policy (an inline script or
    style without the nonce, a file from another origin): the policy is the core's,
    every page gets it, and a refused script would otherwise fail silently."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--lang=nb-NO"])
        context = browser.new_context(viewport={"width": 1360, "height": 900},
                                      locale="nb-NO")
        page = context.new_page()
        refused: list[str] = []
        page.on("console", lambda m: refused.append(m.text)
                if "Content Security Policy" in m.text else None)
        yield page
        context.close()
        browser.close()
        assert refused == [], f"the page broke the Content-Security-Policy: {refused}"


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


def basic_auth(username: str, password: str = PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def auth() -> Any:
    """``auth("planner")`` -> headers for Basic auth as that demo test user."""
    return basic_auth
