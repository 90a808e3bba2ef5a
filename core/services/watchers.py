"""Watchers of a work order: who follows it.

A user may start or stop watching an order they can see (*watch* permission);
adding or removing someone else needs *edit* on the order, and that person must
be able to see it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import permissions as perms
from ..i18n import _
from ..models import Issue, User, Watcher
from .errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from ..host import Amsflow


def list_watchers(session: Session, issue: Issue) -> list[User]:
    rows = session.scalars(select(Watcher).where(Watcher.issue_id == issue.id))
    return sorted((w.user for w in rows), key=lambda u: u.username)


def is_watching(session: Session, issue: Issue, user: User | None) -> bool:
    return user is not None and session.get(Watcher, (issue.id, user.id)) is not None


def _target(host: Amsflow, session: Session, user: User | None, issue: Issue,
            username: str | None) -> User:
    if username in (None, "") or (user is not None and username == user.username):
        perms.require(host, session, user, "watch", issue)
        if user is None:
            raise InvalidInput(errors={"watcher": _("Ingen bruker.")})
        return user
    perms.require(host, session, user, "edit", issue)
    target = session.scalar(select(User).where(User.username == username))
    if target is None or not target.active:
        raise NotFound(_("Brukeren '%(name)s' finnes ikke.", name=username))
    return target


def add_watcher(host: Amsflow, session: Session, user: User | None, issue: Issue,
                username: str | None = None) -> User:
    """Start watching (``username`` None: the caller). Idempotent."""
    target = _target(host, session, user, issue, username)
    if not perms.can_browse(host, session, target, issue):
        raise InvalidInput(errors={"watcher": _("Brukeren '%(name)s' har ikke tilgang til "
                                                "saken.", name=target.username)})
    if session.get(Watcher, (issue.id, target.id)) is None:
        session.add(Watcher(issue_id=issue.id, user_id=target.id))
        session.flush()
    return target


def remove_watcher(host: Amsflow, session: Session, user: User | None, issue: Issue,
                   username: str | None = None) -> None:
    """Stop watching (``username`` None: the caller). Idempotent."""
    target = _target(host, session, user, issue, username)
    row = session.get(Watcher, (issue.id, target.id))
    if row is not None:
        session.delete(row)
        session.flush()
