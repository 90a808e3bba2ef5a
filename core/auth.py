"""Who is calling: passwords, API tokens, sessions and login throttling.

Passwords are kept as scrypt hashes (werkzeug); API tokens are 256-bit random
secrets kept as SHA-256 digests (enough for secrets that cannot be guessed), and
are revocable. Failed logins are counted per username and refused for a while
once too many pile up.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from flask import g, request, session
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from . import throttle
from .models import ApiToken, User, UserSession, utcnow
from .throttle import Throttled  # noqa: F401 - the views catch it from here

if TYPE_CHECKING:
    from .host import Amsflow


LAST_USED_EVERY = timedelta(minutes=1)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def new_token() -> tuple[str, str]:
    """(secret shown once to the user, digest stored)."""
    secret = secrets.token_urlsafe(32)
    return secret, token_digest(secret)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(session: Session, user: User, name: str) -> str:
    secret, digest = new_token()
    session.add(ApiToken(user_id=user.id, name=name, token_hash=digest))
    return secret


def verify_password(host: Amsflow, db: Session, username: str, password: str,
                    remote_addr: str = "") -> User | None:
    """The user if the password is right; throttles guessing (``core.throttle``)."""
    throttle.check(host, db, username, remote_addr)
    user = db.scalar(select(User).where(User.username == username))
    ok = user is not None and user.active and bool(user.password_hash) and \
        check_password_hash(user.password_hash, password)
    throttle.record(host, db, username, remote_addr, ok)
    return user if ok else None


def start_session(db: Session, user: User) -> str:
    """A new server-side session for ``user``; its id goes into the signed cookie."""
    sid = secrets.token_urlsafe(32)
    db.add(UserSession(sid=sid, user_id=user.id))
    return sid


def end_session(db: Session, sid: str | None) -> None:
    if sid:
        db.execute(delete(UserSession).where(UserSession.sid == sid))


def end_all_sessions(db: Session, user: User) -> None:
    """Sign ``user`` out everywhere (password change, deactivation)."""
    db.execute(delete(UserSession).where(UserSession.user_id == user.id))


def user_for_token(db: Session, secret: str, username: str | None = None) -> User | None:
    """The token's user, read with its groups in one query.

    ``last_used`` is written at most once a minute: an UPDATE and a commit on every
    API call would double the work of a simple read.
    """
    token = db.execute(
        select(ApiToken).options(joinedload(ApiToken.user).joinedload(User.groups))
        .where(ApiToken.token_hash == token_digest(secret), ApiToken.revoked.is_(False))
    ).unique().scalar_one_or_none()
    if token is None or not token.user.active:
        return None
    if username is not None and token.user.username != username:
        return None
    now = utcnow()
    if token.last_used is None or now - token.last_used >= LAST_USED_EVERY:
        token.last_used = now
    return token.user


def _commit_if_changed(db: Session) -> None:
    """Commit what authentication wrote; a read-only check keeps its transaction."""
    if db.new or db.dirty or db.deleted:
        db.commit()


def authenticate_request(host: Amsflow, db: Session) -> User | None:
    """The caller from Basic auth (password or token), a Bearer token, or the
    session cookie. Bad credentials raise nothing here: the caller is anonymous
    and the view answers 401; ``g.auth_failed`` tells it why."""
    g.auth_method = None
    g.auth_failed = False
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        try:
            username, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            g.auth_failed = True
            return None
        user = user_for_token(db, secret, username)
        if user is None:
            user = verify_password(host, db, username, secret, request.remote_addr or "")
            db.commit()
        else:
            _commit_if_changed(db)
        g.auth_method = "basic"
        g.auth_failed = user is None
        return user
    if header.startswith("Bearer "):
        user = user_for_token(db, header[7:].strip())
        _commit_if_changed(db)
        g.auth_method = "token"
        g.auth_failed = user is None
        return user
    user_id, sid = session.get("user_id"), session.get("sid")
    if user_id:
        user = db.scalar(select(User).join(UserSession, UserSession.user_id == User.id).where(
            UserSession.sid == str(sid or ""), User.id == user_id)) if sid else None
        if user is not None and user.active:
            g.auth_method = "session"
            return user
        keep_locale = session.get("locale")
        session.clear()  # logged out, password changed, or a cookie of before sessions
        if keep_locale:
            session["locale"] = keep_locale
    return None
