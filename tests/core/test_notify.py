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


def test_an_order_read_with_its_watchers_is_mailed_without_a_probe(host, session, users,
                                                                  smtp):
    """get_issue reads whether the order has watchers; the commit then asks nothing more
    (the probe would be a second query), and the watcher is still mailed."""
    from sqlalchemy import event

    from core.services.issues import get_issue

    _, inbox = smtp
    planner, installer = users["planner"], users["installer"]
    issue = create_issue(host, session, planner, "ELV", "Målerbytte", "Målerbytte Lia 2",
                         {"assignee": installer.username})
    host.db.commit(session)
    uow.run(host, session, lambda: watchers.add_watcher(host, session, installer, issue))
    probes: list[str] = []

    def count(_c, _cur, sql: str, *_a) -> None:  # noqa: ANN001
        if "FROM watchers" in sql and "EXISTS" not in sql:
            probes.append(sql)

    event.listen(host.db.engine, "before_cursor_execute", count)
    try:
        key = issue.key
        session.expunge_all()
        uow.run(host, session, lambda: edit_issue(
            host, session, planner, get_issue(host, session, planner, key), {"estimate": "1h"}))
    finally:
        event.remove(host.db.engine, "before_cursor_execute", count)
    assert probes == []
    assert [m["To"] for m in inbox.messages] == ["mona@example.no"]


def test_a_watcher_added_in_the_same_transaction_is_mailed(host, session, users, smtp):
    """The order was read without watchers; a watcher added before the edit in the
    same transaction makes that stale, and the commit asks again."""
    from core.services.issues import get_issue

    _, inbox = smtp
    planner, installer = users["planner"], users["installer"]
    issue = create_issue(host, session, planner, "ELV", "Målerbytte", "Målerbytte Lia 4",
                         {"assignee": installer.username})
    host.db.commit(session)
    key = issue.key
    session.expunge_all()

    def work() -> None:
        loaded = get_issue(host, session, planner, key)
        watchers.add_watcher(host, session, installer, loaded)
        edit_issue(host, session, planner, loaded, {"estimate": "2h"})

    uow.run(host, session, work)
    assert [m["To"] for m in inbox.messages] == ["mona@example.no"]
