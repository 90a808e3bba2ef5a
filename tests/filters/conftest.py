"""Orders, a live server on a loopback port and a loopback SMTP server, for the
search, filter, navigator and subscription tests."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from werkzeug.serving import make_server

from core.host import Amsflow
from core.services.issues import create_issue, edit_issue
from core.workflow.engine import transition_issue

T0 = datetime(2024, 5, 6, 6, 0, tzinfo=UTC)  # Monday 08:00 in Oslo

# name: project, type, summary, fields; assignee set afterwards
ORDERS = {
    "A": ("ELV", "Målerbytte", "Målerbytte Storgata 1",
          {"customer_name": "Åse Ødegård", "postcode": "0150", "municipality": "0301",
           "stage": "Etappe 1", "planned_start": "2024-05-08T10:00:00+02:00"}),
    "B": ("ELV", "Målerbytte", "Målerbytte Bjørnveien 2",
          {"customer_name": "Bjørn Ås", "postcode": "0151", "municipality": "0301",
           "stage": "Etappe 2", "planned_start": "2024-05-07T09:00:00+02:00"}),
    "C": ("ELV", "Tilleggsarbeid", "Tilleggsarbeid Kirkeveien 3",
          {"customer_name": "Ola Nordmann", "postcode": "3001", "municipality": "3005",
           "stage": "Etappe 1"}),
    "D": ("FJN", "Målerbytte", "Målerbytte Fjellveien 4",
          {"customer_name": "Kari Fjell", "postcode": "6800", "municipality": "4602",
           "stage": "Etappe 1", "planned_start": "2024-05-09T12:00:00+02:00"}),
}


@pytest.fixture
def orders(host: Amsflow, users: dict[str, Any]) -> dict[str, Any]:
    """A..D; B and D assigned to installer, A planned; history from T0."""
    session = host.db.session()
    clock = {"now": T0}
    host.clock = lambda: clock["now"]
    made = {}
    for name, (project, kind, summary, fields) in ORDERS.items():
        made[name] = create_issue(host, session, users["planner"], project, kind, summary,
                                  dict(fields), description=f"Ordre {name}", system=True)
    host.db.commit(session)
    clock["now"] = T0.replace(hour=7)
    for name in ("B", "D"):
        edit_issue(host, session, users["planner"], made[name], {"assignee": "installer"})
    transition_issue(host, session, users["planner"], made["A"], "START_PLANNING")
    host.db.commit(session)
    host.clock = None
    return made


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        msg = message_from_bytes(envelope.content)
        msg["X-Rcpt-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(msg)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def inbox(config_dict: dict[str, Any]) -> Iterator[_Inbox]:
    """A real SMTP server on a loopback port, set as the instance's ``smtp`` server.

    Take it before ``app``/``host`` so the config has it when the app is built.
    """
    box = _Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    config_dict["smtp"] = {"host": "127.0.0.1", "port": controller.port,
                           "sender": "amsflow@example.no"}
    config_dict.setdefault("plugins", {})["filters"] = {"base_url": "https://ams.example.no"}
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def live_server(app: Any) -> Iterator[str]:
    """The app served on a loopback port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
