"""Short signed links for customers: ``/b/<token>`` with no login.

A token is 20 characters: a random nonce (10 base62 characters, 59 bits) and the
first 10 base62 characters of its HMAC-SHA256 under the instance's secret key. A
tampered token fails the HMAC before any database read; the nonce's row says which
order it is for, until when, and whether it was used (once only).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from core.models import Issue

from .models import SelfServiceLink

if TYPE_CHECKING:
    from core.host import Amsflow

ALPHABET = string.digits + string.ascii_letters
NONCE_LEN = SIG_LEN = 10

# why a token is refused (keys the page translates)
TAMPERED, UNKNOWN, EXPIRED, USED = "tampered", "unknown", "expired", "used"


class LinkRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _base62(data: bytes, length: int) -> str:
    number = int.from_bytes(data, "big")
    out = []
    for _ in range(length):
        number, digit = divmod(number, 62)
        out.append(ALPHABET[digit])
    return "".join(out)


def _signature(key: str, nonce: str) -> str:
    mac = hmac.new(key.encode(), f"bookit-selfservice:{nonce}".encode(), hashlib.sha256)
    return _base62(mac.digest(), SIG_LEN)


def issue_link(host: Amsflow, session: Session, key: str, issue: Issue,
               valid_for: timedelta) -> str:
    """A new token for ``issue`` (earlier unused ones stay valid until they expire)."""
    nonce = "".join(secrets.choice(ALPHABET) for _ in range(NONCE_LEN))
    session.add(SelfServiceLink(nonce=nonce, issue_id=issue.id, created=host.now(),
                                expires=host.now() + valid_for))
    session.flush()
    return nonce + _signature(key, nonce)


def resolve(host: Amsflow, session: Session, key: str, token: str, *,
            lock: bool = False) -> SelfServiceLink:
    """The link a token names, or ``LinkRefused`` with why; ``lock`` takes its row
    for update so one token cannot be used twice at once."""
    token = token if isinstance(token, str) else ""
    nonce, sig = token[:NONCE_LEN], token[NONCE_LEN:]
    if len(token) != NONCE_LEN + SIG_LEN or any(c not in ALPHABET for c in token) or \
            not hmac.compare_digest(sig, _signature(key, nonce)):
        raise LinkRefused(TAMPERED)
    link = session.get(SelfServiceLink, nonce, with_for_update=lock or None)
    if link is None:
        raise LinkRefused(UNKNOWN)
    if link.used_at is not None:
        raise LinkRefused(USED)
    if link.expires <= host.now():
        raise LinkRefused(EXPIRED)
    return link
