"""The comment, attachment, link and watcher services (the API and web both call them)."""

from __future__ import annotations

import io

import pytest

from core.models import Attachment, Comment, IssueLink, Watcher
from core.services import attachments, comments, links, watchers
from core.services.errors import Forbidden, InvalidInput, NotFound, TooLarge
from core.services.issues import create_issue
from core.services.uow import run


def _order(host, session, user, summary="Målerbytte Storgata 1", **fields):
    return run(host, session, lambda: create_issue(
        host, session, user, "ELV", "Målerbytte", summary, fields))


def test_comment_add_edit_delete_and_event(host, session, users, backend):
    planner = users["planner"]
    issue = _order(host, session, planner)
    heard = []

    class Listener:
        from core.hookspecs import hookimpl

        @hookimpl
        def issue_commented(self, issue, user, comment):  # noqa: ANN001, ANN201
            heard.append((issue.key, user.username, comment.body))

    host.plugins.pm.register(Listener(), "listener")
    host.plugins.settings["ELV"]["listener"] = {}  # enable it for ELV only
    host.plugins._subsets.clear()
    try:
        c = run(host, session, lambda: comments.add_comment(host, session, planner, issue,
                                                            "  <b>Hei</b> "))
    finally:
        host.plugins.pm.unregister(name="listener")
    assert c.body == "<b>Hei</b>"
    assert heard == [(issue.key, "planner", "<b>Hei</b>")]
    run(host, session, lambda: comments.edit_comment(host, session, planner, issue, c.id, "Ny"))
    session.expire_all()
    assert session.get(Comment, c.id).body == "Ny"
    with pytest.raises(InvalidInput):
        run(host, session, lambda: comments.add_comment(host, session, planner, issue, "  "))
    run(host, session, lambda: comments.delete_comment(host, session, planner, issue, c.id))
    assert session.get(Comment, c.id) is None


def test_only_author_or_admin_changes_a_comment(host, session, users):
    planner = users["planner"]
    issue = _order(host, session, planner, assignee="installer")
    c = run(host, session, lambda: comments.add_comment(host, session, planner, issue, "Plan"))
    with pytest.raises(Forbidden):
        run(host, session, lambda: comments.edit_comment(host, session, users["installer"],
                                                         issue, c.id, "Endret"))
    run(host, session, lambda: comments.delete_comment(host, session, users["admin"], issue,
                                                       c.id))
    with pytest.raises(NotFound):
        comments.get_comment(session, issue, c.id)


def test_attachment_named_dot_dot_lands_inside_the_folder(host, session, users, backend):
    planner = users["planner"]
    issue = _order(host, session, planner)
    att = run(host, session, lambda: attachments.add_attachment(
        host, session, planner, issue, "../../x", io.BytesIO(b"data"), "text/html"))
    path = attachments.path_of(host, att)
    assert att.filename == "x"
    assert path.parent == (host.data_dir / "attachments")
    assert path.read_bytes() == b"data"
    assert not (host.data_dir.parent / "x").exists()
    run(host, session, lambda: attachments.delete_attachment(host, session, planner, att.id))
    assert not path.exists()


def test_oversize_attachment_keeps_nothing(host, session, users):
    planner = users["planner"]
    issue = _order(host, session, planner)
    too_big = attachments.max_bytes(host) + 1
    with pytest.raises(TooLarge) as err:
        run(host, session, lambda: attachments.add_attachment(
            host, session, planner, issue, "stor.bin", io.BytesIO(b"0" * too_big)))
    assert err.value.status == 413
    assert session.query(Attachment).count() == 0
    assert list(attachments.folder(host).iterdir()) == []


def test_attachment_file_removed_when_transaction_rolls_back(host, session, users):
    planner = users["planner"]
    issue = _order(host, session, planner)

    def add_then_fail():
        attachments.add_attachment(host, session, planner, issue, "a.txt", io.BytesIO(b"a"))
        raise InvalidInput("nei")

    with pytest.raises(InvalidInput):
        run(host, session, add_then_fail)
    assert list(attachments.folder(host).iterdir()) == []


def test_links_use_configured_types(host, session, users, backend):
    planner = users["planner"]
    a, b = _order(host, session, planner), _order(host, session, planner, "Tillegg")
    kinds = [lt.name for lt in links.link_types(host)]
    assert kinds == [t["name"] for t in host.config["link_types"]]
    link = run(host, session, lambda: links.link_issues(host, session, planner,
                                                        {"name": kinds[-1]}, a, b))
    assert [lk.id for lk in links.links_of(session, b)] == [link.id]
    with pytest.raises(InvalidInput):
        links.link_issues(host, session, planner, "Finnes ikke", a, b)
    with pytest.raises(Forbidden):
        links.link_issues(host, session, users["installer"], kinds[0], a, b)
    session.rollback()
    run(host, session, lambda: links.delete_link(host, session, planner, link.id))
    assert session.query(IssueLink).count() == 0


def test_watchers_self_and_others(host, session, users, backend):
    planner, installer = users["planner"], users["installer"]
    issue = _order(host, session, planner, assignee="installer")
    run(host, session, lambda: watchers.add_watcher(host, session, installer, issue))
    run(host, session, lambda: watchers.add_watcher(host, session, planner, issue, "admin"))
    names = [u.username for u in watchers.list_watchers(session, issue)]
    assert names == ["admin", "installer"]
    with pytest.raises(Forbidden):
        watchers.add_watcher(host, session, installer, issue, "planner")
    session.rollback()
    with pytest.raises(InvalidInput):
        watchers.add_watcher(host, session, planner, issue, "installer2")
    session.rollback()
    run(host, session, lambda: watchers.remove_watcher(host, session, installer, issue))
    assert session.query(Watcher).count() == 1
