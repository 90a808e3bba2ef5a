"""Signing in through the login form: success, refusal, throttling, logout."""

from __future__ import annotations

from conftest import PASSWORD


def test_login_with_the_right_password_opens_the_start_page(browser, users):
    response = browser.login("planner")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/")
    page = browser.get("/")
    assert page.status_code == 200
    assert users["planner"].display_name in page.text
    assert "Elvnett" in page.text


def test_login_returns_to_the_page_asked_for(browser, users, make_order):
    key = make_order()
    first = browser.get(f"/browse/{key}")
    assert first.status_code == 302 and "/login" in first.headers["Location"]
    browser.get(first.headers["Location"])
    response = browser.post("/login", {"username": "planner", "password": PASSWORD,
                                       "next": f"/browse/{key}"})
    assert response.headers["Location"].endswith(f"/browse/{key}")


def test_login_never_redirects_off_site(browser, users):
    response = browser.post("/login", {"username": "planner", "password": PASSWORD,
                                       "next": "//evil.example/x"})
    assert "evil.example" not in response.headers["Location"]


def test_wrong_password_is_refused_on_the_page(browser, users):
    response = browser.login("planner", "feil-passord")
    assert response.status_code == 401
    assert "Feil brukernavn eller passord." in response.text
    assert browser.get("/").status_code == 302  # still anonymous


def test_logout_ends_the_session(as_user):
    b = as_user("planner")
    assert b.get("/").status_code == 200
    assert b.post("/logout").status_code == 302
    assert b.get("/").status_code == 302


def test_session_ends_when_the_password_changes(as_user, host, users):
    from core.models import User
    from core.services.users import set_password

    b = as_user("planner")
    with host.db.new_session() as s:
        set_password(s, s.get(User, users["planner"].id), "Nytt-passord-1")
    assert b.get("/").status_code == 302
