"""The bulk-change wizard's state and choices, apart from the pages.

The wizard keeps no server-side state between steps: each page posts the choices
so far (selection, operation, its parameters as JSON, notify) in hidden fields,
and every step checks them again; the service checks everything once more on
submit, so a tampered form can do nothing a REST call could not.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from ..fields import FieldValueError
from ..models import Issue, User
from ..services.errors import InvalidInput
from ..services.issues import find_user
from ..workflow.engine import usable
from ..workflow.model import Transition
from . import service
from .operations import OPERATIONS

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..host import Amsflow

PREVIEW_ROWS = 500


@dataclass
class State:
    """Everything chosen so far, as the hidden fields carry it."""

    jql: str = ""
    scope: str = "all"  # all: every order the JQL finds; chosen: the checked keys
    keys: list[str] = field(default_factory=list)
    operation: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    notify: bool = True

    @classmethod
    def from_form(cls, form: MultiDict[str, str]) -> State:
        keys = [k.strip() for k in form.getlist("issue") if k.strip()]
        scope = form.get("scope") or ("chosen" if keys else "all")
        try:
            params = json.loads(form.get("params") or "{}")
        except ValueError:
            params = {}
        operation = form.get("operation", "")
        return cls(jql=form.get("jql", ""), scope="chosen" if scope == "chosen" else "all",
                   keys=list(dict.fromkeys(keys)),
                   operation=operation if operation in OPERATIONS else "",
                   params=params if isinstance(params, dict) else {},
                   notify="1" in form.getlist("notify") if "notify" in form else True)

    def hidden(self, upto: str) -> list[tuple[str, str]]:
        """Hidden inputs carrying the state up to (not including) step ``upto``."""
        out = [("jql", self.jql), ("scope", self.scope)]
        if self.scope == "chosen":
            out += [("issue", k) for k in self.keys]
        if upto in ("details", "notify", "confirm", "submit"):
            out.append(("operation", self.operation))
        if upto in ("notify", "confirm", "submit"):
            out.append(("params", json.dumps(self.params, ensure_ascii=False)))
        if upto in ("confirm", "submit"):
            out.append(("notify", "1" if self.notify else "0"))
        return out


def _known(s: Session, name: str) -> bool:
    try:
        return find_user(s, name) is not None
    except InvalidInput:
        return False


def issues_of(host: Amsflow, s: Session, user: User, state: State) -> list[Issue]:
    """The selected orders (browse permission and the selection limit apply)."""
    if state.scope == "chosen":
        if not state.keys:
            raise InvalidInput(errors={"issues": _("Choose at least one order.")})
        return service.select_issues(host, s, user, keys=state.keys)
    return service.select_issues(host, s, user, jql=state.jql)


@dataclass
class Choice:
    """A transition the wizard offers, with how many selected orders can take it."""

    transition: Transition
    count: int
    inputs: list[dict[str, Any]]

    @property
    def prefix(self) -> str:
        return f"t{self.transition.id}-"


def transition_choices(host: Amsflow, issues: list[Issue]) -> list[Choice]:
    """Every transition a person may run in the selection's workflows, in workflow
    order, counted over the orders' (project, type, status) groups."""
    from ..web.transitions import screen_inputs

    groups = Counter((i.project.key, i.issue_type.name, host.catalog.status_keys[i.status_id])
                     for i in issues)
    samples = {(i.project.key, i.issue_type.name): i for i in issues}
    seen: dict[int, Choice] = {}
    for (project, type_name), sample in samples.items():
        workflow = host.workflow_for(project, type_name)
        for t in workflow.transitions:
            if t.system or t.automatic or not usable(host, sample, t):
                continue
            choice = seen.setdefault(t.id, Choice(t, 0, screen_inputs(t)))
            choice.count += sum(n for (p, ty, st), n in groups.items()
                                if (p, ty) == (project, type_name)
                                and workflow.find(st, t.id) is t)
    return sorted(seen.values(), key=lambda c: c.transition.id)


def edit_params(host: Amsflow, s: Session, form: MultiDict[str, str]
                ) -> tuple[dict[str, Any], dict[str, str]]:
    """({"fields": {key: value or None}}, errors by input). A ticked field with an
    empty value is cleared."""
    from ..web.common import editable_fields

    changes: dict[str, Any] = {}
    errors: dict[str, str] = {}
    ticked = set(form.getlist("change"))
    if "assignee" in ticked:
        name = form.get("assignee", "").strip()
        if name and not _known(s, name):
            errors["assignee"] = _("No such user: %(name)s", name=name)
        changes["assignee"] = name or None
    for fdef in editable_fields():
        if fdef.key not in ticked:
            continue
        raw = form.get(f"f_{fdef.key}", "")
        if fdef.type == "flag":
            changes[fdef.key] = bool(raw)
            continue
        try:
            fdef.parse(raw)
        except FieldValueError as exc:
            errors[fdef.key] = str(exc)
        changes[fdef.key] = raw.strip() or None
    if not changes and not errors:
        errors["change"] = _("Tick at least one field to change.")
    return {"fields": changes}, errors


def transition_params(form: MultiDict[str, str], choices: list[Choice]
                      ) -> tuple[dict[str, Any], dict[str, str]]:
    """The chosen transition with its screen's inputs and an optional comment."""
    wanted = form.get("transition", "")
    choice = next((c for c in choices if str(c.transition.id) == wanted), None)
    if choice is None:
        return {}, {"transition": _("Choose a workflow transition.")}
    inputs: dict[str, Any] = {}
    for spec in choice.inputs:
        raw = form.get(choice.prefix + spec["name"], "").strip()
        if spec["kind"] == "assignee":
            inputs["assignee"] = raw or None
        elif raw:
            inputs[spec["key"]] = raw
    comment = form.get("comment", "").strip() or None
    return {"transition": str(choice.transition.id), "fields": inputs, "comment": comment}, {}


def watch_params(s: Session, me: User, form: MultiDict[str, str]
                 ) -> tuple[dict[str, Any], dict[str, str]]:
    name = form.get("watcher", "").strip() or me.username
    if not _known(s, name):
        return {}, {"watcher": _("No such user: %(name)s", name=name)}
    return {"user": name}, {}


def describe(host: Amsflow, state: State) -> list[str]:
    """What the operation does, line by line, for the confirmation page."""
    from ..web.common import field_label, transition_name

    op, params = state.operation, state.params
    if op == "transition":
        lines = []
        for wf in host.workflows.values():
            t = wf.by_ref(params.get("transition", ""))
            if t is not None:
                lines.append(_("Workflow transition: %(name)s", name=transition_name(t)))
                break
        lines += [f"{k}: {v}" for k, v in (params.get("fields") or {}).items() if v]
        if params.get("comment"):
            lines.append(_("Comment: %(text)s", text=params["comment"]))
        return lines
    if op == "edit":
        lines = []
        for key, value in (params.get("fields") or {}).items():
            fdef = host.fields.get(key)
            label = field_label(fdef) if fdef else _("Assignee")
            lines.append(_("Clear %(field)s", field=label) if value in (None, "") else
                         _("Set %(field)s to %(value)s", field=label, value=value))
        return lines
    if op in ("watch", "unwatch"):
        who = params.get("user") or ""
        return [_("Start watching as %(user)s", user=who) if op == "watch" else
                _("Stop watching as %(user)s", user=who)]
    return [_("Delete the orders for good")]
