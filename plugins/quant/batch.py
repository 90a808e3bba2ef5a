"""Batch intake (``POST /orders/bulk``, at most 1,000 orders): each element checked
on its own, the new orders written together, failures listed Jira-style.

Every element is validated first (the contract's schema, the project, each field
parsed as ``create_issue`` would), so an element's error names its field
(``failedElementNumber``, ``elementErrors``). New orders of a project are then
written in one go (``core.services.batch_create``); updates, and a repeat of an
``externalId`` within the batch, go one by one on a savepoint each through the same
path as a single message. One log row per element. A big intake leaves fresh
planner statistics (``core.analyze``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core.analyze import after_load
from core.i18n import _
from core.services.batch_create import NewIssue, create_prepared, prepare_new
from core.services.errors import Conflict, ServiceError

from .intake import apply_waiting_cancel, upsert_order
from .log import PAYLOAD_LIMIT
from .models import IN, PROCESSED, REFUSED, STALE, WAITING, QuantMessage, QuantOrderRef
from .refs import PLUGIN, choose_project

if TYPE_CHECKING:
    from core.host import Amsflow

TOUCHED = ("issues", "field_values", "issue_search", "search_history_values",
           "quant_order_refs", "quant_messages", "quant_inbox")


def intake_batch(host: Amsflow, session: Session, projects: list[str], contract: Any,
                 elements: list[Any], message_id: str,
                 sent_at: datetime | None) -> dict[str, Any]:
    """Apply a batch (no commit here); returns ``{"issues": [...], "errors": [...]}``."""
    done: dict[int, dict[str, Any]] = {}
    errors: dict[int, dict[str, Any]] = {}
    parsed: list[tuple[int, Any, dict[str, Any], str]] = []
    for number, raw in enumerate(elements):
        try:
            data = contract.load_order(raw)
            parsed.append((number, raw, data, choose_project(projects, data.get("project"))))
        except ServiceError as exc:
            errors[number] = _failure(number, raw, exc)
    wanted = {(p, d["externalId"].strip()) for _n, _r, d, p in parsed}
    existing = _existing(session, wanted)
    fresh: dict[str, list[tuple[int, Any, dict[str, Any], NewIssue]]] = defaultdict(list)
    later, seen = [], set()
    for number, raw, data, project in parsed:
        key = (project, data["externalId"].strip())
        if key in existing or key in seen:
            later.append((number, raw, data))
            continue
        issue_type = data.get("issueType") or host.plugins.plugin_settings(
            project, PLUGIN).get("issue_type", "Målerbytte")
        try:
            prepared = prepare_new(host, project, issue_type, data.get("summary"),
                                   data.get("description"), data["values"])
        except ServiceError as exc:
            errors[number] = _failure(number, raw, exc)
            continue
        seen.add(key)
        fresh[project].append((number, raw, data, prepared))
    system = host.system_user(session)
    for project, items in fresh.items():
        if not _create_group(host, session, system, project, items, sent_at, done):
            later.extend((n, r, d) for n, r, d, _p in items)
    for number, raw, data in sorted(later, key=lambda item: item[0]):
        _one(host, session, projects, number, raw, data, sent_at, done, errors)
    _log(host, session, elements, done, errors, message_id, sent_at)
    created = sum(1 for r in done.values() if r["created"])
    if created:
        threshold = min(int(host.plugins.plugin_settings(p, PLUGIN).get("analyze_after", 5000))
                        for p in projects)
        host.db.after_commit(session, lambda: after_load(host.db.engine, TOUCHED, threshold,
                                                         written=created))
    return {"issues": [done[n] for n in sorted(done)],
            "errors": [errors[n] for n in sorted(errors)]}


def _existing(session: Session, wanted: set[tuple[str, str]]) -> set[tuple[str, str]]:
    if not wanted:
        return set()
    found = session.execute(select(QuantOrderRef.project_key, QuantOrderRef.external_id)
                            .where(QuantOrderRef.project_key.in_({p for p, _e in wanted}),
                                   QuantOrderRef.external_id.in_({e for _p, e in wanted})))
    return {tuple(row) for row in found} & wanted


def _create_group(host: Amsflow, session: Session, system: Any, project: str,
                  items: list[tuple[int, Any, dict[str, Any], NewIssue]],
                  sent_at: datetime | None, done: dict[int, dict[str, Any]]) -> bool:
    """Write a project's new orders together; False (nothing written) if one of them
    was created meanwhile by another message, so they go one by one instead."""
    mark = host.db.after_commit_mark(session)
    savepoint = session.begin_nested()
    try:
        create_prepared(host, session, system, [p for _n, _r, _d, p in items])
        now = host.now()
        session.execute(insert(QuantOrderRef.__table__), [
            {"issue_id": p.id, "project_key": project, "external_id": d["externalId"].strip(),
             "created": now, "updated": now, "message_at": sent_at, "validation_status": "",
             "validation_reason": ""} for _n, _r, d, p in items])
        savepoint.commit()
    except IntegrityError:
        savepoint.rollback()
        host.db.after_commit_reset(session, mark)
        return False
    for number, _raw, data, prepared in items:
        done[number] = {"id": str(prepared.id), "key": prepared.key,
                        "externalId": data["externalId"].strip(), "project": project,
                        "created": True, "changed": sorted(prepared.columns), "ignored": []}
    _waiting_cancels(host, session, project, items, done)
    return True


def _waiting_cancels(host: Amsflow, session: Session, project: str,
                     items: list[tuple[int, Any, dict[str, Any], NewIssue]],
                     done: dict[int, dict[str, Any]]) -> None:
    """Cancellations that came before their orders, applied now (one query to find)."""
    by_external = {d["externalId"].strip(): n for n, _r, d, _p in items}
    waiting = set(session.scalars(select(QuantMessage.external_id).where(
        QuantMessage.direction == IN, QuantMessage.kind == "cancel",
        QuantMessage.status == WAITING, QuantMessage.project_key == project,
        QuantMessage.external_id.in_(list(by_external)))))
    for external_id in waiting:
        ref = session.scalar(select(QuantOrderRef).where(
            QuantOrderRef.project_key == project, QuantOrderRef.external_id == external_id))
        from core.models import Issue

        if apply_waiting_cancel(host, session, ref, session.get(Issue, ref.issue_id)):
            done[by_external[external_id]]["cancelled"] = True


def _one(host: Amsflow, session: Session, projects: list[str], number: int, raw: Any,
         data: dict[str, Any], sent_at: datetime | None, done: dict[int, dict[str, Any]],
         errors: dict[int, dict[str, Any]]) -> None:
    mark = host.db.after_commit_mark(session)
    savepoint = session.begin_nested()
    try:
        done[number] = upsert_order(host, session, projects, data, sent_at)
        session.flush()
        savepoint.commit()
    except (ServiceError, IntegrityError, StaleDataError) as exc:
        savepoint.rollback()
        host.db.after_commit_reset(session, mark)
        if not isinstance(exc, ServiceError):
            exc = Conflict(_("Ordren ble endret av en annen melding samtidig. Send den igjen."))
        errors[number] = _failure(number, raw, exc)


def _failure(number: int, raw: Any, exc: ServiceError) -> dict[str, Any]:
    external_id = raw.get("externalId") if isinstance(raw, dict) else None
    return {"status": exc.status, "failedElementNumber": number,
            "externalId": external_id if isinstance(external_id, str) else None,
            "elementErrors": exc.to_json()}


def _log(host: Amsflow, session: Session, elements: list[Any],
         done: dict[int, dict[str, Any]], errors: dict[int, dict[str, Any]],
         message_id: str, sent_at: datetime | None) -> None:
    """One log row per element, in one statement."""
    now = host.now()
    rows = []
    fallback = next((r["project"] for r in done.values()), "")
    for number, raw in enumerate(elements):
        result, failure = done.get(number), errors.get(number)
        if result is not None:
            status = STALE if result.get("stale") else PROCESSED
            code, error, issue_id = 201 if result["created"] else 200, "", int(result["id"])
            project, external_id = result["project"], result["externalId"]
        elif failure is not None:
            status, code, issue_id = REFUSED, failure["status"], None
            error = json.dumps(failure["elementErrors"], ensure_ascii=False)
            project = (raw.get("project") if isinstance(raw, dict) else None) or fallback
            external_id = failure["externalId"]
        else:
            continue
        rows.append({"direction": IN, "message_id": message_id[:100], "element": number,
                     "kind": "order", "project_key": str(project)[:40],
                     "external_id": external_id and str(external_id)[:100],
                     "issue_id": issue_id, "status": status, "http_status": code,
                     "attempts": 1, "last_error": error[:2000],
                     "payload": json.dumps(raw, ensure_ascii=False,
                                           default=str)[:PAYLOAD_LIMIT],
                     "sent_at": sent_at, "created": now, "updated": now})
    if rows:
        session.execute(insert(QuantMessage.__table__), rows)
