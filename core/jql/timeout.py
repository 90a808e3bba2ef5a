"""A search's database time, capped: ``statement_timeout`` on PostgreSQL, a progress
handler on SQLite. Over the cap the statement is cancelled and the caller gets a
:class:`SearchTimeout` (a JqlError, so every search route answers it as a 400 with
the setting's name) instead of a worker held for minutes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from .errors import JqlError
from .limits import current_limits

SQLITE_STEPS = 20_000  # virtual-machine steps between two looks at the clock


class SearchTimeout(JqlError):
    pass


def timeout_error(seconds: float) -> SearchTimeout:
    return SearchTimeout(f"The search took longer than {seconds:g} seconds and was stopped "
                         "(setting 'limits.search_timeout_seconds'). Narrow the query.")


def pg_timeout_setting() -> str:
    """The ``statement_timeout`` value (ms) ``tune`` sets for a search's transaction."""
    return str(max(1, int(current_limits().search_timeout_seconds * 1000)))


def _cancelled(error: OperationalError) -> bool:
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return code == "57014" or "interrupted" in str(error.orig).lower()


@contextmanager
def bounded(session: Session) -> Iterator[None]:
    """Run the block's statements under the search time limit.

    PostgreSQL: ``tune`` has set ``statement_timeout`` for the transaction. SQLite:
    a progress handler interrupts a statement that runs past the deadline.
    """
    seconds = current_limits().search_timeout_seconds
    raw = None
    if session.get_bind().dialect.name == "sqlite":
        raw = session.connection().connection.driver_connection
        deadline = time.monotonic() + seconds
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), SQLITE_STEPS)
    try:
        yield
    except OperationalError as error:
        if not _cancelled(error):
            raise
        session.rollback()
        raise timeout_error(seconds) from None
    finally:
        if raw is not None:
            raw.set_progress_handler(None, SQLITE_STEPS)
