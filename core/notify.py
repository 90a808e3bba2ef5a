"""E-mail to watchers when an order changes (an essential plugin of the core).

How it works, in the order things happen in one transaction:

1. While orders change, the session's ``WatchNotes`` (``session.info[NOTES]``) collect
   which orders changed (every flush; ``touched`` for a bulk chunk's own UPDATE) and,
   for orders read with ``watched_column``, whether they have watchers.
2. Just before the commit, one query (or none, when all is known) finds which of
   the changed orders have watchers.
3. After the commit the event hooks arrive (transitioned, updated, commented). Each
   adds a line to the order's mail; the first one for an order also schedules the
   mail, which goes as one job per order once every event of the commit is in. An
   order nobody watches costs nothing more.

A change made with notifications off (bulk change's choice) sets ``SILENT`` in its
session's info; nothing is sent for it. The actor is never mailed about their own
change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, event, exists, select
from sqlalchemy.orm import Session, object_session

from .hookspecs import hookimpl
from .mail import send_mail
from .models import Issue, User, Watcher

NOTES = "amsflow_watch_notes"
SILENT = "amsflow_silent"


@dataclass
class WatchNotes:
    """What one session knows about its orders' watchers."""

    changed: set[int] = field(default_factory=set)  # orders changed in this transaction
    has_watchers: dict[int, bool] = field(default_factory=dict)  # read with the order
    committed: set[int] | None = None  # the last commit's changed orders
    watched: set[int] = field(default_factory=set)  # ... of those, the watched ones
    mails: dict[int, Mail] = field(default_factory=dict)  # being written after commit


@dataclass
class Mail:
    """One order's mail for one commit: the lines its events added."""

    issue_id: int
    actor_id: int | None
    lines: list[str] = field(default_factory=list)


def _notes(session: Session) -> WatchNotes:
    notes = session.info.get(NOTES)
    if notes is None:
        notes = session.info[NOTES] = WatchNotes()
    return notes


def watched_column(issue_id: Any) -> ColumnElement[bool]:
    """Has the order (``issue_id``, a column of the outer query) any watcher? Loading
    an order with this column saves the commit's watcher probe (``remember_watched``)."""
    return exists().where(Watcher.issue_id == issue_id)


def remember_watched(session: Session, issue_id: int, watched: bool) -> None:
    """Note, for this transaction, whether an order read with ``watched_column`` has
    watchers (a watcher added in the transaction later makes it unknown again)."""
    _notes(session).has_watchers[issue_id] = bool(watched)


def touched(session: Session, issue_ids: list[int]) -> None:
    """Orders changed in this transaction without the ORM's flush (a bulk chunk's one
    UPDATE): their watchers hear of it as of any change."""
    _notes(session).changed.update(issue_ids)


def _after_flush(session: Session, _ctx: Any) -> None:
    notes = _notes(session)
    notes.changed.update(obj.id for obj in (*session.new, *session.dirty)
                         if isinstance(obj, Issue) and obj.id is not None)
    for obj in session.new:
        if isinstance(obj, Watcher):
            notes.has_watchers.pop(obj.issue_id, None)


def _before_commit(session: Session) -> None:
    """Which changed orders have watchers, asked inside the transaction that changed
    them: one query per commit, none when every changed order was read with
    ``watched_column``."""
    session.flush()
    notes = _notes(session)
    if not notes.changed:
        notes.committed = None
        return
    watched = {i for i in notes.changed if notes.has_watchers.get(i)}
    unknown = [i for i in notes.changed if i not in notes.has_watchers]
    if unknown:
        watched.update(session.scalars(select(Watcher.issue_id).where(
            Watcher.issue_id.in_(unknown)).distinct()))
    notes.committed, notes.watched, notes.changed = notes.changed, watched, set()


def _after_begin(session: Session, _transaction: Any, _connection: Any) -> None:
    """A new transaction knows nothing yet of who watches (the last commit's answer
    stays for its events, which may start this transaction). A mail still being
    written is sent as it is (its callback holds it); a later event starts another."""
    notes = _notes(session)
    notes.has_watchers.clear()
    notes.mails.clear()


@hookimpl
def startup(host: Any) -> None:
    factory = host.db.session_factory
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_begin", _after_begin)


def _mail_line(host: Any, issue: Any, user: Any, line: str) -> None:
    """Add ``line`` to the order's mail of this commit (if anyone else watches it)."""
    session = object_session(issue)
    if session is None:
        with host.db.new_session() as s:
            if _watched_by_others(s, issue.id, user):
                host.jobs.enqueue("core.notify_watchers", issue_id=issue.id, what=line,
                                  actor_id=user.id if user else None)
        return
    if session.info.get(SILENT):
        return
    notes = _notes(session)
    mail = notes.mails.get(issue.id)
    if mail is None:
        committed = notes.committed is not None and issue.id in notes.committed
        if committed and issue.id not in notes.watched:
            return
        if not committed and not _watched_by_others(session, issue.id, user):
            return
        mail = notes.mails[issue.id] = Mail(issue.id, user.id if user else None)
        host.db.after_commit(session, lambda: _send(host, notes, mail))
    mail.lines.append(line)


def _watched_by_others(session: Session, issue_id: int, user: Any) -> bool:
    """Most orders have no watchers: one cheap probe on the caller's own session."""
    return session.scalar(select(Watcher.user_id).where(
        Watcher.issue_id == issue_id,
        Watcher.user_id != (user.id if user else 0)).limit(1)) is not None


def _send(host: Any, notes: WatchNotes, mail: Mail) -> None:
    """Runs after every event of the commit (an after-commit callback added while the
    events run comes after them): one job per order with all its lines."""
    if notes.mails.get(mail.issue_id) is mail:
        del notes.mails[mail.issue_id]
    host.jobs.enqueue("core.notify_watchers", issue_id=mail.issue_id,
                      what="\n".join(mail.lines), actor_id=mail.actor_id)


@hookimpl
def issue_transitioned(host: Any, issue: Any, user: Any, transition: Any) -> None:
    _mail_line(host, issue, user, f"Status: {transition.name}")


@hookimpl
def issue_updated(host: Any, issue: Any, user: Any, changes: dict[str, Any]) -> None:
    _mail_line(host, issue, user, "Endret: " + ", ".join(sorted(changes)))


@hookimpl
def issue_commented(host: Any, issue: Any, user: Any, comment: Any) -> None:
    _mail_line(host, issue, user, f"Ny kommentar: {comment.body[:500]}")


@hookimpl
def register_jobs(registry: Any) -> None:
    @registry.job("core.notify_watchers")
    def notify_watchers(host: Any, issue_id: int, what: str, actor_id: int | None) -> int:
        with host.db.new_session() as s:
            issue = s.get(Issue, issue_id)
            if issue is None:
                return 0
            to = [u.email for u in s.scalars(select(User).join(
                Watcher, Watcher.user_id == User.id).where(
                Watcher.issue_id == issue_id, User.id != (actor_id or 0), User.email != ""))]
            if not to:
                return 0
            send_mail(host, to, f"[{issue.key}] {issue.summary}",
                      f"{issue.key}: {issue.summary}\n\n{what}\n")
            return len(to)
