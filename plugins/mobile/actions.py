"""Applying what a phone sends: each action by its client id, once.

Every change goes through the core's services and the workflow engine as the
installer (their permissions, the workflow's conditions and validators), one unit
of work per action. The ledger row (``MobileAction``) is written in the same
transaction, so an action is either applied and recorded, or neither: sent again,
it answers what it answered before and changes nothing.

A state-changing action (start, resolve) carries ``base``, the newest history
revision of the order the phone had. If anyone but the installer changed the order
since (a planner moved it, Quant cancelled it), or its status no longer allows the
step, the answer is 409 with the order's current state, and the installer's input
is kept in the ledger for a planner to see: never applied over the change, never lost.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from core.i18n import _, in_language
from core.models import ChangeGroup, Issue, User
from core.services import attachments, comments, links
from core.services.errors import Conflict, InvalidInput, NotFound, ServiceError
from core.services.issues import create_issue, get_issue, values_of
from core.services.uow import run
from core.workflow.engine import transition_issue

from .models import APPLIED, CONFLICT, MobileAction
from .orders import PLUGIN, settings

if TYPE_CHECKING:
    from core.host import Amsflow

KINDS = ("start", "resolve", "comment", "photo", "extra", "deviation")
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")


class OrderChanged(Conflict):
    """The order moved on while the phone was offline."""


@dataclass
class Outcome:
    status: int
    body: dict[str, Any]


def apply_batch(host: Amsflow, session: Session, user: User,
                actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each action in order, each in its own transaction; a result per action."""
    return [apply_one(host, session, user, action) for action in actions]


def apply_one(host: Amsflow, session: Session, user: User,
              action: dict[str, Any]) -> dict[str, Any]:
    replay = _replayed(session, user, action)
    if replay is not None:
        return replay
    try:
        outcome = run(host, session, lambda: _apply(host, session, user, action))
    except Conflict as exc:  # the order changed, or the same action ran at once
        outcome = _replayed(session, user, action) or _keep_conflict(host, session, user,
                                                                     action, exc)
    except ServiceError as exc:
        outcome = Outcome(exc.status, exc.to_json())
    if isinstance(outcome, dict):
        return outcome
    return _answer(action["clientId"], action, outcome.status, outcome.body, False)


def _replayed(session: Session, user: User, action: dict[str, Any]) -> dict[str, Any] | None:
    """The answer of this action applied by another request meanwhile (the same batch
    sent twice at once: the other one won), if it was."""
    done = _ledger(session, user, action["clientId"])
    if done is None:
        return None
    return _answer(action["clientId"], action, done.status_code, json.loads(done.result), True)


def _answer(client_id: str, action: dict[str, Any], status: int, body: dict[str, Any],
            replayed: bool) -> dict[str, Any]:
    return {"clientId": client_id, "type": action.get("type"), "issue": action.get("issue"),
            "status": status, "replayed": replayed, **body}


def _ledger(session: Session, user: User, client_id: str) -> MobileAction | None:
    return session.scalar(select(MobileAction).where(MobileAction.user_id == user.id,
                                                     MobileAction.client_id == client_id))


def kept_input(action: dict[str, Any]) -> dict[str, Any]:
    """The action as the ledger keeps it: a photo's bytes live on as the attachment."""
    return {k: v for k, v in action.items() if k != "data"}


def _record(host: Amsflow, session: Session, user: User, action: dict[str, Any],
            issue: Issue | None, outcome: str, status: int, body: dict[str, Any]) -> None:
    session.add(MobileAction(
        user_id=user.id, client_id=action["clientId"], issue_id=issue.id if issue else None,
        kind=action["type"], outcome=outcome, status_code=status,
        payload=json.dumps(kept_input(action), ensure_ascii=False),
        result=json.dumps(body, ensure_ascii=False), created=host.now()))
    session.flush()


def _keep_conflict(host: Amsflow, session: Session, user: User, action: dict[str, Any],
                   exc: ServiceError) -> Outcome | dict[str, Any]:
    """Record the refused input (for a planner) and answer 409."""
    body = exc.to_json()

    def keep() -> None:
        issue = session.scalar(select(Issue).where(Issue.key == str(action["issue"]).upper()))
        _record(host, session, user, action, issue, CONFLICT, 409, body)

    try:
        run(host, session, keep)
    except Conflict:  # the same client id was recorded meanwhile
        replay = _replayed(session, user, action)
        if replay is None:
            raise
        return replay
    return Outcome(409, body)


def _apply(host: Amsflow, session: Session, user: User, action: dict[str, Any]) -> Outcome:
    kind = action["type"]
    issue = get_issue(host, session, user, action["issue"])
    if not host.plugins.enabled(issue.project.key, PLUGIN):
        raise NotFound(_("Saken finnes ikke, eller du har ikke tilgang til den."))
    conf = settings(host, issue.project.key)
    outcome = HANDLERS[kind](host, session, user, issue, action, conf)
    _record(host, session, user, action, issue, APPLIED, outcome.status, outcome.body)
    return outcome


def _check_unchanged(host: Amsflow, session: Session, user: User, issue: Issue,
                     action: dict[str, Any], transition: str) -> None:
    """409 if someone else changed the order since the phone's copy, or its status no
    longer has the step (an order cancelled or moved meanwhile)."""
    status = host.catalog.status_keys[issue.status_id]
    base = action.get("base")
    others = base is not None and session.scalar(select(exists().where(
        ChangeGroup.issue_id == issue.id, ChangeGroup.id > int(base),
        (ChangeGroup.author_id != user.id) | ChangeGroup.author_id.is_(None))))
    if others or host.workflow_of(issue).find(status, transition) is None:
        found = host.all_statuses()[status]
        raise OrderChanged(_("%(key)s ble endret mens du var frakoblet og er nå «%(status)s». "
                             "Det du registrerte er tatt vare på for planleggeren.",
                             key=issue.key, status=in_language(found.name, found.name_en)))


def _start(host: Amsflow, session: Session, user: User, issue: Issue,
           action: dict[str, Any], conf: dict[str, Any]) -> Outcome:
    _check_unchanged(host, session, user, issue, action, conf["start_transition"])
    transition_issue(host, session, user, issue, conf["start_transition"])
    return Outcome(200, {})


def _resolve(host: Amsflow, session: Session, user: User, issue: Issue,
             action: dict[str, Any], conf: dict[str, Any]) -> Outcome:
    resolution = str(action.get("resolution") or "").strip()
    inputs: dict[str, Any] = {"resolution": resolution}
    if resolution == conf["ok_resolution"]:
        inputs.update(_ok_inputs(host, session, user, issue, action, conf))
    elif resolution not in _reasons(host, conf):
        raise InvalidInput(errors={"resolution": _("Velg Ok eller en av årsakene.")})
    _check_unchanged(host, session, user, issue, action, conf["resolve_transition"])
    transition_issue(host, session, user, issue, conf["resolve_transition"], inputs,
                     comment=action.get("comment"))
    return Outcome(200, {})


def _reasons(host: Amsflow, conf: dict[str, Any]) -> list[str]:
    hidden = set(conf["hidden_resolutions"]) | {conf["ok_resolution"]}
    return [r["name"] for r in host.config["resolutions"] if r["name"] not in hidden]


def _ok_inputs(host: Amsflow, session: Session, user: User, issue: Issue,
               action: dict[str, Any], conf: dict[str, Any]) -> dict[str, Any]:
    """Ok needs the new meter's number and reading (the fields the screen takes)."""
    errors, inputs = {}, {}
    for name, field in (("newMeterNumber", conf["new_meter_field"]),
                        ("reading", conf["reading_field"])):
        if field not in host.fields:
            continue
        value = action.get(name)
        if value in (None, ""):
            errors[name] = _("Må fylles ut når målerbyttet er utført.")
        else:
            inputs[field] = value
    if conf["require_photo"] and not any(a.author_id == user.id
                                         for a in attachments.list_attachments(session, issue)):
        errors["photo"] = _("Ta et bilde av den nye måleren.")
    if errors:
        raise InvalidInput(errors=errors)
    return inputs


def _comment(host: Amsflow, session: Session, user: User, issue: Issue,
             action: dict[str, Any], conf: dict[str, Any]) -> Outcome:
    comment = comments.add_comment(host, session, user, issue, action.get("body") or "")
    return Outcome(201, {"comment": comment.id})


def _photo(host: Amsflow, session: Session, user: User, issue: Issue,
           action: dict[str, Any], conf: dict[str, Any]) -> Outcome:
    mime = str(action.get("contentType") or "").lower()
    if mime not in PHOTO_TYPES:
        raise InvalidInput(errors={"contentType": _("Bildet må være JPEG, PNG eller WebP.")})
    try:
        data = base64.b64decode(str(action.get("data") or ""), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(errors={"data": _("Bildet er ikke gyldig base64.")}) from None
    if not data:
        raise InvalidInput(errors={"data": _("Bildet er tomt.")})
    att = attachments.add_attachment(host, session, user, issue,
                                     action.get("filename") or "bilde.jpg", io.BytesIO(data),
                                     mime)
    return Outcome(201, {"attachment": att.id})


def _report(kind: str) -> Any:
    """Tilleggsarbeid or Avvik found on site: a new order of that type, reported by
    the installer, with the order's place and customer, linked to the order."""

    def handler(host: Amsflow, session: Session, user: User, issue: Issue,
                action: dict[str, Any], conf: dict[str, Any]) -> Outcome:
        summary = str(action.get("summary") or "").strip()
        if not summary:
            raise InvalidInput(errors={"summary": _("Skriv kort hva det gjelder.")})
        # The installer may report on an order they work (comment is the check);
        # creating and linking are the plugin's own, as Quant creates orders.
        from core import permissions as perms

        perms.require(host, session, user, "comment", issue)
        values = values_of(host, issue)
        copied = {k: values[k] for k in conf["copy_fields"] if values.get(k) is not None
                  and k in host.fields}
        created = create_issue(host, session, user, issue.project.key, conf[f"{kind}_type"],
                               summary, copied, description=action.get("description") or "",
                               system=True)
        links.link_issues(host, session, host.system_user(session), conf[f"{kind}_link"],
                          issue, created)
        return Outcome(201, {"created": created.key})

    return handler


HANDLERS = {"start": _start, "resolve": _resolve, "comment": _comment, "photo": _photo,
            "extra": _report("extra_work"), "deviation": _report("deviation")}
