"""Login throttling with growing delays, per account and per client address.

After ``throttle_free_failures`` failed passwords since the last success, each
further attempt must wait ``first_delay * 2**(n - free)`` seconds (at most
``max_delay``) after the previous failure; an attempt inside the wait is refused
without looking at the password, so guessing slows down exponentially.

It is no lock: once the wait is over the right password works, and the account's
delay does not apply to an address the account signed in from before (the owner's
own computer), so a stranger failing on purpose cannot keep the owner out. The
address's delay stops one client from trying many usernames. API tokens never pass
here. Each time a delay starts it is logged, and admins see the throttled accounts
and addresses on ``/admin/logins``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .i18n import _
from .models import LoginAttempt
from .services.errors import ServiceError

if TYPE_CHECKING:
    from .host import Amsflow

log = logging.getLogger("amsflow.security")
KNOWN_ADDRESS_DAYS = 30


class Throttled(ServiceError):
    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Policy:
    free: int
    first: float
    most: float
    window: timedelta

    @classmethod
    def of(cls, host: Amsflow) -> Policy:
        cfg = host.config["security"]
        return cls(int(cfg["throttle_free_failures"]), float(cfg["throttle_first_delay_seconds"]),
                   float(cfg["throttle_max_delay_seconds"]),
                   timedelta(minutes=float(cfg["throttle_window_minutes"])))

    def delay(self, failures: int) -> float:
        if failures <= self.free:
            return 0.0
        return min(self.most, self.first * 2 ** min(failures - self.free - 1, 40))


def _failures(db: Session, where: Any, since: datetime) -> tuple[int, datetime | None]:
    """Failures matching ``where`` since the later of ``since`` and its last success."""
    last_ok = db.scalar(select(func.max(LoginAttempt.created)).where(
        where, LoginAttempt.ok.is_(True), LoginAttempt.created >= since))
    start = max(since, last_ok) if last_ok else since
    count, last = db.execute(select(func.count(), func.max(LoginAttempt.created)).where(
        where, LoginAttempt.ok.is_(False), LoginAttempt.created > start)).one()
    return int(count), last


def _known_address(db: Session, username: str, addr: str, now: datetime) -> bool:
    return addr != "" and db.scalar(select(LoginAttempt.id).where(
        LoginAttempt.username == username, LoginAttempt.remote_addr == addr,
        LoginAttempt.ok.is_(True),
        LoginAttempt.created >= now - timedelta(days=KNOWN_ADDRESS_DAYS)).limit(1)) is not None


def check(host: Amsflow, db: Session, username: str, addr: str) -> None:
    """Raise Throttled while this account or address must still wait."""
    policy, now = Policy.of(host), host.now()
    name = username.casefold()
    waits = []
    keys = [LoginAttempt.remote_addr == addr] if addr else []
    if not _known_address(db, name, addr, now):
        keys.append(LoginAttempt.username == name)
    for where in keys:
        failures, last = _failures(db, where, now - policy.window)
        delay = policy.delay(failures)
        if delay and last is not None:
            waits.append((last + timedelta(seconds=delay) - now).total_seconds())
    wait = max(waits, default=0.0)
    if wait > 0:
        seconds = max(1, int(wait + 0.999))
        raise Throttled(_("For mange mislykkede innlogginger. Vent %(seconds)s sekunder og "
                          "prøv igjen.", seconds=seconds), seconds)


def record(host: Amsflow, db: Session, username: str, addr: str, ok: bool) -> None:
    """Keep one attempt; log when a failure starts (or lengthens) a delay."""
    name = username.casefold()
    db.add(LoginAttempt(username=name[:100], remote_addr=addr[:64], ok=ok, created=host.now()))
    if ok:  # attempts older than any rule reads are of no use: the table stays small
        cutoff = host.now() - max(Policy.of(host).window, timedelta(days=KNOWN_ADDRESS_DAYS))
        db.execute(delete(LoginAttempt).where(LoginAttempt.created < cutoff))
        return
    db.flush()
    policy, now = Policy.of(host), host.now()
    for kind, where in (("account", LoginAttempt.username == name[:100]),
                        ("address", LoginAttempt.remote_addr == addr[:64])):
        failures, _last = _failures(db, where, now - policy.window)
        if policy.delay(failures):
            log.warning("login throttled: %s %r after %d failures, next attempt in %.0f s",
                        kind, name if kind == "account" else addr, failures,
                        policy.delay(failures))


def throttled(host: Amsflow, db: Session) -> list[dict[str, Any]]:
    """Accounts and addresses with a delay now (for admins), most failures first."""
    policy, now = Policy.of(host), host.now()
    since = now - policy.window
    out = []
    for kind, column in (("account", LoginAttempt.username), ("address", LoginAttempt.remote_addr)):
        rows = db.execute(select(column, func.count(), func.max(LoginAttempt.created))
                          .where(LoginAttempt.ok.is_(False), LoginAttempt.created >= since,
                                 column != "")
                          .group_by(column).having(func.count() > policy.free)).all()
        for key, _count, _last in rows:
            failures, last = _failures(db, column == key, since)
            if policy.delay(failures) and last is not None:
                out.append({"kind": kind, "key": key, "failures": failures, "last": last,
                            "delay": policy.delay(failures)})
    return sorted(out, key=lambda r: -r["failures"])
