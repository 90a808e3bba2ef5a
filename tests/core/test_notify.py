"""Watchers get e-mail through a real SMTP server on loopback; the actor does not,
and a bulk change with notifications off sends nothing."""

from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from core.services import uow, watchers
from core.services.issues import create_issue, edit_issue


class _Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list = []

    def handle_message(self, message) -> None:  # noqa: ANN001
        self.messages.append(message)


@pytest.fixture
def smtp():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox
    controller.stop()


@pytest.fixture
def config_dict(config_dict, smtp):
    config_dict["smtp"] = {"host": "127.0.0.1", "port": smtp[0], "sender": "ams@example.no"}
    return config_dict


def test_watchers_are_mailed_but_not_the_actor(host, session, users, smtp):
    _, inbox = smtp
    planner, installer = users["planner"], users["installer"]
    issue = create_issue(host, session, planner, "ELV", "Målerbytte", "Målerbytte Åsveien 3",
                         {"assignee": installer.username})
    host.db.commit(session)
    uow.run(host, session, lambda: watchers.add_watcher(host, session, installer, issue))
    uow.run(host, session, lambda: watchers.add_watcher(host, session, planner, issue))
    uow.run(host, session, lambda: edit_issue(host, session, planner, issue,
                                              {"estimate": "2h"}))
    assert [m["To"] for m in inbox.messages] == ["mona@example.no"]
    from email.header import decode_header, make_header

    assert "Målerbytte Åsveien 3" in str(make_header(decode_header(
        inbox.messages[0]["Subject"])))


def test_silent_changes_send_nothing(host, session, users, smtp):
    _, inbox = smtp
    planner, installer = users["planner"], users["installer"]
    issue = create_issue(host, session, planner, "ELV", "Målerbytte", "Målerbytte",
                         {"assignee": installer.username})
    host.db.commit(session)
    uow.run(host, session, lambda: watchers.add_watcher(host, session, planner, issue,
                                                        installer.username))
    session.info["amsflow_silent"] = True
    try:
        uow.run(host, session, lambda: edit_issue(host, session, planner, issue,
                                                  {"estimate": "3h"}))
    finally:
        session.info.pop("amsflow_silent")
    assert inbox.messages == []
