"""Database engine and sessions for one app (never a module global)."""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, close_all_sessions, scoped_session, sessionmaker

log = logging.getLogger("amsflow.db")
AFTER_COMMIT = "amsflow_after_commit"
DEFER_FLUSH = "amsflow_defer_flush"
SETTLE_LATER = "amsflow_settle_later"
WROTE = "amsflow_wrote"
READS = ("SELECT", "SET LO")  # reads, and settings for this transaction only


def make_engine(url: str, base_dir: Path | None = None) -> Engine:
    """An engine tuned for the backend: WAL and a busy timeout on SQLite."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and base_dir:
        rel = url[len("sqlite:///"):]
        if rel and rel != ":memory:":
            target = (base_dir / rel).resolve()
            target.parent.mkdir(parents=True, exist_ok=True)
            url = f"sqlite:///{target}"
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _record: Any) -> None:
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        _note_writes(engine)

        @event.listens_for(engine, "savepoint")
        def _begin_first(conn: Any, _name: str | None) -> None:
            # pysqlite begins a transaction only before a write, so a SAVEPOINT after
            # reads would open the transaction itself and its RELEASE would commit
            # all of it: an order's change would commit before its bulk item did.
            # IMMEDIATE takes the write lock now, waiting up to the busy timeout: a
            # deferred transaction that reads and then writes fails at once with
            # "database is locked" when another connection wrote in between (the
            # busy timeout does not apply to that), which stopped bulk changes.
            dbapi = conn.connection.dbapi_connection
            if not dbapi.in_transaction:
                dbapi.execute("BEGIN IMMEDIATE")

        return engine
    engine = create_engine(url, pool_size=10, max_overflow=20, pool_recycle=600)
    _note_writes(engine)

    return engine


def _note_writes(engine: Engine) -> None:
    """Mark a connection's transaction as having written once it runs anything but a
    read (``SELECT``, ``SET LOCAL``), until it ends (see ``Database.remove``)."""

    @event.listens_for(engine, "before_cursor_execute")
    def _writes(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not conn.info.get(WROTE) and statement.lstrip()[:6].upper() not in READS:
            conn.info[WROTE] = True

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _ended(conn: Any) -> None:
        conn.info.pop(WROTE, None)


class Database:
    """Engine, a scoped session for requests, and after-commit callbacks.

    Work that must only happen once data is committed (queueing a job, telling
    plugins) is registered with ``after_commit``, run by ``commit`` and dropped on
    rollback.
    """

    def __init__(self, url: str, base_dir: Path | None = None) -> None:
        self.engine = make_engine(url, base_dir)
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        # A job run in the caller's thread gets a scope of its own, so it never
        # shares (or closes) the caller's session.
        self._scope: contextvars.ContextVar[str | None] = contextvars.ContextVar(
            f"amsflow_db_scope_{id(self)}", default=None)
        self.scoped = scoped_session(
            self.session_factory, scopefunc=lambda: (threading.get_ident(), self._scope.get()))
        event.listen(self.session_factory, "after_soft_rollback", self._drop_after_commit)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        """The current scoped session (one per request or job)."""
        return self.scoped()

    @contextmanager
    def job_scope(self, name: str) -> Iterator[None]:
        """Run a block with its own scoped session, removed at the end."""
        token = self._scope.set(name)
        try:
            yield
        finally:
            self.scoped.remove()
            self._scope.reset(token)

    @contextmanager
    def new_session(self) -> Iterator[Session]:
        """A separate session, e.g. to keep a comment when the main work rolls back."""
        session = self.session_factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @staticmethod
    def after_commit(session: Session, fn: Callable[[], Any]) -> None:
        session.info.setdefault(AFTER_COMMIT, []).append(fn)

    @staticmethod
    def after_commit_mark(session: Session) -> int:
        """How many callbacks are pending: roll back to it with ``after_commit_reset``."""
        return len(session.info.get(AFTER_COMMIT, []))

    @staticmethod
    def after_commit_reset(session: Session, mark: int) -> None:
        """Drop callbacks added since ``mark`` (their savepoint was rolled back)."""
        pending = session.info.get(AFTER_COMMIT)
        if pending is not None:
            del pending[mark:]

    @staticmethod
    def flush(session: Session) -> None:
        """Flush now, unless a bulk chunk defers it to batch the statements."""
        if not Database.deferring(session):
            session.flush()

    @staticmethod
    def deferring(session: Session) -> bool:
        """Whether a bulk chunk is collecting its orders' changes for one flush."""
        return bool(session.info.get(DEFER_FLUSH))

    @staticmethod
    def settle(session: Session, settlers: list[Callable[[], Any]]) -> None:
        """Call a transition's settlers now that it is flushed; a bulk chunk that
        defers the flush defers them too, to after its one flush (``settle_deferred``),
        so the gateway calls they wait for run meanwhile."""
        if Database.deferring(session):
            session.info.setdefault(SETTLE_LATER, []).extend(settlers)
            return
        for fn in settlers:
            fn()

    @staticmethod
    def settle_deferred(session: Session) -> None:
        """Call the settlers a deferred flush held back, in the order they came."""
        while settlers := session.info.pop(SETTLE_LATER, []):
            for fn in settlers:
                fn()

    @staticmethod
    def commit(session: Session) -> None:
        """Commit, then run the after-commit callbacks (they may use the session)."""
        session.commit()
        while callbacks := session.info.pop(AFTER_COMMIT, []):
            for fn in callbacks:
                fn()

    @staticmethod
    def _drop_after_commit(session: Session, previous_transaction: Any) -> None:
        if previous_transaction.parent is None:
            session.info.pop(AFTER_COMMIT, None)

    def remove(self) -> None:
        """End the current scope's session (a request's, at its teardown). A transaction
        that only read is committed rather than rolled back: the same to the data, but
        psycopg forgets every prepared statement of a connection on each rollback, so
        reads would never get past PostgreSQL's planner (2-3 ms for an order's query)."""
        if self.scoped.registry.has():
            session = self.scoped()
            if session.in_transaction() and not (session.new or session.dirty or session.deleted):
                connection = session.connection()
                if not connection.info.get(WROTE) and not connection.invalidated:
                    try:
                        session.commit()
                    except Exception:  # the close below rolls back what is left
                        log.warning("ending a read-only transaction failed", exc_info=True)
        self.scoped.remove()

    def dispose(self) -> None:
        """Close every session (also those other code kept) and the pool."""
        self.scoped.remove()
        close_all_sessions()
        self.engine.dispose()
