"""Login throttling (growing delays, no lock of the owner, tokens unaffected, shown to
admins), server-side sessions (a copied cookie dies at logout) and Secure cookies,
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from conftest import PASSWORD
from core.app import create_app
from core.auth import create_token
from core.config import parse_config
from core.models import User, utcnow

from .conftest import Browser

ATTACKER = {"REMOTE_ADDR": "203.0.113.66"}
OWNER = {"REMOTE_ADDR": "198.51.100.7"}


def _from(app: Any, environ: dict[str, str]) -> Browser:
    client = app.test_client()
    client.environ_base.update(environ)
    return Browser(client)


@pytest.fixture
def clock(host: Any) -> dict[str, Any]:
    """The host's clock, moved by the test (``clock["now"] += timedelta(...)``)."""
    state = {"now": utcnow()}
    host.clock = lambda: state["now"]
    return state


def test_failures_grow_a_delay_that_passes(backend, app, host, users, clock):
    free = host.config["security"]["throttle_free_failures"]
    first = host.config["security"]["throttle_first_delay_seconds"]
    b = _from(app, ATTACKER)
    for _ in range(free + 1):
        assert b.login("installer", "gjett").status_code == 401
    refused = b.login("installer", PASSWORD)  # inside the wait: even the right password
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert "For mange mislykkede innlogginger" in refused.text
    clock["now"] += timedelta(seconds=first + 0.5)
    assert b.login("installer", "gjett").status_code == 401  # the wait is over
    clock["now"] += timedelta(seconds=first + 0.5)
    assert b.login("installer", PASSWORD).status_code == 429  # the next wait is twice as long
    clock["now"] += timedelta(seconds=2 * first + 0.5)
    assert b.login("installer", PASSWORD).status_code == 302  # no lock: it passes


def test_a_stranger_cannot_lock_the_owner_out(backend, app, host, users, clock):
    owner = _from(app, OWNER)
    assert owner.login("planner").status_code == 302  # the owner's usual address
    owner.post("/logout")
    stranger = _from(app, ATTACKER)
    for _ in range(12):
        stranger.login("planner", "gjett")
        clock["now"] += timedelta(milliseconds=10)
    assert stranger.login("planner", PASSWORD).status_code == 429
    assert _from(app, OWNER).login("planner").status_code == 302


def test_many_usernames_from_one_address_are_slowed(backend, app, host, users, clock):
    b = _from(app, ATTACKER)
    codes = [b.login(f"user{n}", "gjett").status_code for n in range(10)]
    assert codes[:4] == [401] * 4
    assert 429 in codes  # the address's own delay, though no account failed often


def test_api_tokens_keep_working_while_the_account_is_throttled(backend, app, host, users,
                                                                 clock, client):
    with host.db.new_session() as s:
        secret = create_token(s, s.get(User, users["planner"].id), "ci")
    b = _from(app, ATTACKER)
    for _ in range(8):
        b.login("planner", "gjett")
    assert b.login("planner", PASSWORD).status_code == 429
    response = client.get("/rest/api/2/myself", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and response.json["name"] == "planner"


def test_admins_see_throttled_accounts_and_addresses(backend, app, host, users, clock,
                                                     as_user):
    b = _from(app, ATTACKER)
    for _ in range(6):
        b.login("installer", "gjett")
    page = as_user("admin").get("/admin/logins")
    assert page.status_code == 200
    assert "installer" in page.text and ATTACKER["REMOTE_ADDR"] in page.text
    assert as_user("planner").get("/admin/logins").status_code == 403


def test_a_copied_cookie_stops_working_at_logout(backend, app, as_user):
    b = as_user("planner")
    stolen = b.client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/").status_code == 200
    assert b.post("/logout").status_code == 302
    assert thief.get("/").status_code == 302  # the server forgot the session
    assert thief.get("/rest/api/2/myself").status_code == 401


def test_secure_cookies_when_configured(backend, config_dict, users):
    config_dict["security"] = {"secure_cookies": True}
    app = create_app(parse_config(config_dict), overrides={"TESTING": True})
    try:
        b = Browser(app.test_client())
        https = {"base_url": "https://ams.example.no/"}
        assert "Secure" in b.get("/login", **https).headers["Set-Cookie"]
        response = b.post("/login", {"username": "planner", "password": PASSWORD},
                          headers={"Referer": "https://ams.example.no/login"}, **https)
        assert response.status_code == 302
        assert "Secure" in response.headers["Set-Cookie"]
        assert b.get("/", **https).status_code == 200
    finally:
        app.extensions["amsflow"].db.dispose()
