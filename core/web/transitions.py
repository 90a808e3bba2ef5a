"""Workflow transitions from the issue view, with their screens.

A transition without screen fields is a button that posts straight away; one with
a screen (resolution on *Løs sak*/*Lukk sak*, date and assignee on *Sett på vent*)
opens a page with those inputs and an optional comment.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..models import Issue
from ..services.errors import ServiceError
from ..services.issues import get_issue
from ..workflow.engine import available_transitions, transition_issue
from ..workflow.model import Transition
from . import bp
from .common import assignable_users, db, host, login_required, run, transition_name, user
from .fieldforms import initial_values, input_name
from .issue_view import render_issue


def _find(issue: Issue, tid: int) -> Transition | None:
    for t in available_transitions(host(), db(), user(), issue):
        if t.id == tid:
            return t
    return None


def screen_inputs(t: Transition) -> list[dict[str, Any]]:
    """The screen's inputs: kind (resolution, assignee, field), name and field def."""
    out = []
    for name in t.screen:
        if name in ("resolution", "assignee"):
            out.append({"kind": name, "name": name, "key": name, "fdef": None})
        else:
            fdef = host().fields[name]
            out.append({"kind": "field", "name": input_name(fdef), "key": fdef.key,
                        "fdef": fdef})
    return out


def _inputs(t: Transition) -> tuple[dict[str, Any], dict[str, str]]:
    """(what the engine gets, what was typed by input key)."""
    inputs: dict[str, Any] = {}
    typed: dict[str, str] = {}
    for spec in screen_inputs(t):
        raw = request.form.get(spec["name"], "").strip()
        typed[spec["key"]] = raw
        if spec["kind"] == "assignee":
            inputs["assignee"] = raw or None
        elif raw:
            inputs[spec["key"]] = raw
    return inputs, typed


def _errors_by_key(t: Transition, exc: ServiceError) -> tuple[dict[str, str], list[str]]:
    by_key: dict[str, str] = {}
    top = list(exc.messages)
    keys = {s["key"] for s in screen_inputs(t)}
    for key, message in exc.errors.items():
        fdef = host().fields.get(key)
        k = fdef.key if fdef else key
        if k in keys:
            by_key[k] = message
        else:
            top.append(message)
    return by_key, top


def _screen(issue: Issue, t: Transition, values: dict[str, str], comment: str,
            errors: dict[str, str], messages: list[str], status: int = 200) -> Any:
    return render_template(
        "issues/transition.html", issue=issue, transition=t, inputs=screen_inputs(t),
        values=values, comment=comment, errors=errors, messages=messages,
        resolutions=[r["name"] for r in host().config["resolutions"]],
        people=assignable_users(issue.project_id)), status


@bp.route("/browse/<key>/transition/<int:tid>", methods=["GET", "POST"])
@login_required
def transition(key: str, tid: int) -> Any:
    h, s, me = host(), db(), user()
    issue = get_issue(h, s, me, key)
    t = _find(issue, tid)
    if t is None:
        return render_issue(issue, status=400, messages=[
            _("This workflow step is not available for %(key)s now.", key=issue.key)])
    if request.method == "GET":
        return _screen(issue, t, initial_values(issue), "", {}, [])
    inputs, typed = _inputs(t)
    comment = request.form.get("comment", "")
    try:
        run(lambda: transition_issue(h, s, me, issue, t.id, inputs, comment or None))
    except ServiceError as exc:
        issue = get_issue(h, s, me, key)
        errors, messages = _errors_by_key(t, exc)
        if not t.screen and not comment:
            return render_issue(issue, status=exc.status, messages=messages +
                                list(errors.values()))
        return _screen(issue, t, {**initial_values(issue), **typed}, comment, errors,
                       messages, exc.status)
    s.expire_all()
    issue = get_issue(h, s, me, key)
    flash(_("%(key)s: %(step)s done.", key=issue.key, step=transition_name(t)), "success")
    return redirect(url_for("web.issue", key=issue.key))
