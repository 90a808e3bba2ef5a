"""Shared by the bulk tests: the SMS plugin's loopback Link stand-in fixture, and
``worked_sql`` to see the statements a burst of the rq worker sends."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from core.jobs import run_worker
from plugins.sms.tests.conftest import stub  # noqa: F401 - a fixture, used by name


def worked_sql(host: Any, session: Any, prefix: str, containing: tuple[str, ...] = ("",)
               ) -> list[str]:
    """Run the queued jobs, returning the SQL they sent (whitespace folded) that starts
    with ``prefix`` (any case) and holds one of ``containing``; ``session`` is expired
    afterwards so the test reads what the worker wrote."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        text = " ".join(sql.split())
        if text.upper().startswith(prefix.upper()) and any(c in text for c in containing):
            seen.append(text)

    event.listen(host.db.engine, "before_cursor_execute", note)
    try:
        run_worker(host, burst=True)
    finally:
        event.remove(host.db.engine, "before_cursor_execute", note)
    session.expire_all()
    return seen
