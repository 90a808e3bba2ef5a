"""The user's own page: profile and API tokens (a new token is shown once)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..auth import create_token
from ..models import ApiToken
from . import bp
from .common import db, login_required, run, user


def _page(new_secret: str | None = None, error: str = "", name: str = "",
          status: int = 200) -> Any:
    tokens = db().scalars(select(ApiToken).where(ApiToken.user_id == user().id)
                          .order_by(ApiToken.created.desc())).all()
    return render_template("profile.html", tokens=tokens, new_secret=new_secret,
                           error=error, name=name), status


@bp.get("/profile")
@login_required
def profile() -> Any:
    return _page()


@bp.post("/profile/tokens")
@login_required
def create_own_token() -> Any:
    """The secret is rendered in this response only; it is stored as a hash."""
    name = request.form.get("name", "").strip()
    if not name or len(name) > 100:
        return _page(error=_("Give the token a name (at most 100 characters)."), name=name,
                     status=400)
    secret = run(lambda: create_token(db(), user(), name))
    body, status = _page(new_secret=secret, name="")
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"  # the secret must not be cached
    return response


@bp.post("/profile/tokens/<int:token_id>/revoke")
@login_required
def revoke_own_token(token_id: int) -> Any:
    s = db()
    token = s.get(ApiToken, token_id)
    if token is None or token.user_id != user().id:
        abort(404)
    run(lambda: setattr(token, "revoked", True))
    flash(_("The token was revoked."), "success")
    return redirect(url_for("web.profile"))
