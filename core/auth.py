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
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from .i18n import _
from .models import ApiToken, LoginAttempt, User, utcnow
from .services.errors import ServiceError

if TYPE_CHECKING:
    from .host import Amsflow


LAST_USED_EVERY = timedelta(minutes=1)


class Throttled(ServiceError):
    status = 429


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


def _throttle_limits(host: Amsflow) -> tuple[int, timedelta]:
    cfg = host.config["login_throttle"]
    return int(cfg.get("attempts", 5)), timedelta(minutes=float(cfg.get("minutes", 15)))


def check_throttle(host: Amsflow, db: Session, username: str) -> None:
    attempts, window = _throttle_limits(host)
    since = utcnow() - window
    failures = db.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.username == username.casefold(), LoginAttempt.created >= since))
    if failures >= attempts:
        raise Throttled(_("For mange mislykkede innlogginger. Prøv igjen om %(minutes)s "
                          "minutter.", minutes=int(window.total_seconds() // 60)))


def verify_password(host: Amsflow, db: Session, username: str, password: str,
                    remote_addr: str = "") -> User | None:
    """The user if the password is right; counts failures and enforces throttling."""
    check_throttle(host, db, username)
    user = db.scalar(select(User).where(User.username == username))
    if user is not None and user.active and user.password_hash and \
            check_password_hash(user.password_hash, password):
        db.execute(delete(LoginAttempt).where(LoginAttempt.username == username.casefold()))
        return user
    db.add(LoginAttempt(username=username.casefold(), remote_addr=remote_addr[:64]))
    return None


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
    user_id = session.get("user_id")
    if user_id:
        user = db.get(User, user_id)
        if user is not None and user.active and \
                session.get("pw") == (user.password_hash or "")[-16:]:
            g.auth_method = "session"
            return user
        session.clear()
    return None
