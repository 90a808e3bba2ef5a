"""Shared by the bulk tests: the SMS plugin's loopback Link stand-in fixture,
``app_with_plugin`` for an app with a test plugin enabled in ELV, and ``worked_sql``
to see the statements a burst of the rq worker sends."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy import event

from core.app import create_app
from core.config import parse_config
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


def app_with_plugin(config_dict: dict[str, Any], plugin: Any, chunk: int) -> Iterator[Any]:
    """An app on Redis jobs (a queue of its own, chunks of ``chunk``, no pause) with
    ``plugin`` registered and enabled in ELV only; for an ``app`` fixture to yield from."""
    config_dict["redis_url"] = "redis://127.0.0.1:6379/0"
    config_dict["jobs"] = {"queue": f"test-{uuid.uuid4().hex[:8]}", "bulk_chunk": chunk,
                           "bulk_pause_ratio": 0.0}
    config_dict["projects"][0]["plugins"][plugin.PLUGIN_NAME] = {}
    application = create_app(parse_config(config_dict), extra_plugins=(plugin,),
                             create_schema=True, overrides={"TESTING": True})
    yield application
    application.extensions["amsflow"].db.dispose()
