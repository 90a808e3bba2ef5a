"""Signing in and out, and the language switch (kept in the session)."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from ..auth import Throttled, end_session, start_session, verify_password
from . import bp
from .common import db, host, safe_next, user

# Where a user lands after login: their last used (or default) dashboard.
LANDING = "dashboards_web.landing"


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "GET":
        if user() is not None:
            return redirect(safe_next(request.args.get("next"), LANDING))
        return render_template("login.html", username="", error=None,
                               next=request.args.get("next", ""))
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    target = request.form.get("next", "")
    s = db()
    try:
        found = verify_password(host(), s, username, password, request.remote_addr or "")
    except Throttled as exc:
        s.rollback()
        page = render_template("login.html", username=username, next=target,
                               error=exc.messages[0] if exc.messages else str(exc),
                               throttled=True)
        return page, 429, {"Retry-After": str(exc.retry_after)}
    if found is None:
        s.commit()  # keeps the failed attempt
        return render_template("login.html", username=username, next=target,
                               error=_("Wrong username or password.")), 401
    keep_locale = session.get("locale")
    end_session(s, session.get("sid"))
    sid = start_session(s, found)
    s.commit()
    session.clear()
    session["user_id"] = found.id
    session["sid"] = sid
    if keep_locale:
        session["locale"] = keep_locale
    return redirect(safe_next(target, LANDING))


@bp.post("/logout")
def logout() -> Any:
    """Ends the session on the server too: the old cookie no longer signs anyone in."""
    keep_locale = session.get("locale")
    s = db()
    end_session(s, session.get("sid"))
    s.commit()
    session.clear()
    if keep_locale:
        session["locale"] = keep_locale
    return redirect(url_for("web.login"))


@bp.post("/language")
def language() -> Any:
    """Switch between bokmål and English for this browser session."""
    chosen = request.form.get("lang", "")
    if chosen in ("nb", "en"):
        session["locale"] = chosen
    return redirect(safe_next(request.form.get("next") or _path_of(request.referrer or "")))


def _path_of(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
