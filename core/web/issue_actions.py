"""The issue view's small write actions: *Tildel meg*, comment, attach files, link,
watch. Each is one unit of work; a refusal is shown on the issue page with what
the person typed kept in the form."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, send_file, url_for
from flask_babel import gettext as _

from ..services.attachments import add_attachment, get_attachment, path_of
from ..services.comments import add_comment
from ..services.errors import InvalidInput, ServiceError
from ..services.issues import edit_issue, get_issue
from ..services.links import delete_link, link_issues
from ..services.watchers import add_watcher, remove_watcher
from . import bp
from .common import db, host, login_required, run, user
from .issue_view import render_issue


def _back(key: str, anchor: str = "") -> Any:
    return redirect(url_for("web.issue", key=key) + (f"#{anchor}" if anchor else ""))


def _refused(key: str, exc: ServiceError, **state: Any) -> Any:
    """Show the issue page again with the service's messages (after the rollback)."""
    issue = get_issue(host(), db(), user(), key)
    messages = list(exc.messages) + [m for k, m in exc.errors.items()
                                     if k not in state.get("errors", {})]
    return render_issue(issue, status=exc.status, messages=messages, **state)


@bp.post("/browse/<key>/assign-to-me")
@login_required
def assign_to_me(key: str) -> Any:
    h, s, me = host(), db(), user()
    issue = get_issue(h, s, me, key)
    try:
        run(lambda: edit_issue(h, s, me, issue, {"assignee": me.username}))
    except ServiceError as exc:
        return _refused(key, exc)
    flash(_("%(key)s is now assigned to you.", key=issue.key), "success")
    return _back(issue.key)


@bp.post("/browse/<key>/comment")
@login_required
def comment(key: str) -> Any:
    h, s, me = host(), db(), user()
    issue = get_issue(h, s, me, key)
    body = request.form.get("body", "")
    try:
        run(lambda: add_comment(h, s, me, issue, body))
    except ServiceError as exc:
        return _refused(key, exc, comment_text=body,
                        errors={"comment": exc.errors.get("comment", "")})
    flash(_("Your comment was added."), "success")
    return _back(issue.key, "comments")


@bp.post("/browse/<key>/attachments")
@login_required
def attach(key: str) -> Any:
    """*Legg ved filer*: one or more files in one go, all or none."""
    h, s, me = host(), db(), user()
    issue = get_issue(h, s, me, key)
    files = [f for f in request.files.getlist("file") if f and f.filename]

    def store() -> int:
        if not files:
            raise InvalidInput(errors={"file": _("Choose at least one file.")})
        for f in files:
            add_attachment(h, s, me, issue, f.filename, f.stream, f.mimetype)
        return len(files)

    try:
        count = run(store)
    except ServiceError as exc:
        return _refused(key, exc, errors={"file": exc.errors.get("file", "")})
    flash(_("%(n)d file(s) attached.", n=count), "success")
    return _back(issue.key, "attachments")


@bp.get("/attachments/<int:attachment_id>/<path:name>")
@login_required
def download(attachment_id: int, name: str) -> Any:
    """Always a download (never shown inline), under the name it was uploaded with."""
    att = get_attachment(host(), db(), user(), attachment_id)
    return send_file(path_of(host(), att), mimetype=att.mime_type, as_attachment=True,
                     download_name=att.filename, max_age=0)


@bp.post("/browse/<key>/links")
@login_required
def add_link(key: str) -> Any:
    h, s, me = host(), db(), user()
    issue = get_issue(h, s, me, key)
    link_type = request.form.get("link_type", "")
    other_key = request.form.get("other", "").strip()

    def link() -> None:
        if not other_key:
            raise InvalidInput(errors={"issuelinks": _("Enter the key of a work order.")})
        other = get_issue(h, s, me, other_key)
        link_issues(h, s, me, link_type, issue, other)

    try:
        run(link)
    except ServiceError as exc:
        return _refused(key, exc, link_other=other_key, link_type_chosen=link_type,
                        errors={"issuelinks": exc.errors.get("issuelinks", "")})
    flash(_("The link was added."), "success")
    return _back(issue.key, "links")


@bp.post("/browse/<key>/links/<int:link_id>/delete")
@login_required
def remove_link(key: str, link_id: int) -> Any:
    h, s, me = host(), db(), user()
    issue = get_issue(h, s, me, key)
    try:
        run(lambda: delete_link(h, s, me, link_id))
    except ServiceError as exc:
        return _refused(key, exc)
    flash(_("The link was removed."), "success")
    return _back(issue.key, "links")


@bp.post("/browse/<key>/watch")
@login_required
def watch(key: str) -> Any:
    h, s, me = host(), db(), user()
    issue = get_issue(h, s, me, key)
    stop = request.form.get("stop") == "1"
    try:
        run(lambda: (remove_watcher if stop else add_watcher)(h, s, me, issue))
    except ServiceError as exc:
        return _refused(key, exc)
    flash(_("You no longer watch %(key)s.", key=issue.key) if stop else
          _("You now watch %(key)s.", key=issue.key), "success")
    return _back(issue.key)
