"""Quant's REST API (contract v1, see the README): order intake, cancellations and
validation results.

Every message is signed the Standard Webhooks way (``signing``); the projects whose
secret matches are the ones it may touch. The shared Bearer secret is accepted only
in projects that set ``allow_bearer``. A signed message's first answer is kept by
its ``webhook-id`` (``QuantInbox``) in the same transaction as its effect: the same
message again gets that answer (``Idempotent-Replayed: true``) and changes nothing.
A refusal rolls the work back and is logged on its own; sent again, it is checked
again and refused again. Exempt from CSRF (no cookies involved).
"""

from __future__ import annotations

import hmac
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, g, request
from sqlalchemy.orm import Session

from core.api.common import base_url
from core.app import host
from core.i18n import _
from core.services.errors import Conflict, NotFound, ServiceError
from core.services.uow import run

from . import outbox
from .batch import intake_batch
from .cancel import CancelRefused, cancel_order
from .contract import contract_for
from .intake import upsert_order
from .log import note_in
from .models import DUPLICATE, PROCESSED, REFUSED, STALE, WAITING, QuantInbox
from .refs import PLUGIN, choose_project, find_ref, issue_of, state_of
from .results import record_result
from .signing import verify

log = logging.getLogger("amsflow.quant")
Work = Callable[[Session], tuple[int, dict[str, Any]]]


def authorised_projects(secret: str) -> list[str]:
    """Projects allowing the Bearer secret whose configured secret is the one given."""
    h = host()
    out = []
    for key in h.plugins.projects_enabling(PLUGIN):
        settings = h.plugins.plugin_settings(key, PLUGIN)
        expected = h.config.secret(settings.get("token_env"))
        if settings.get("allow_bearer") and expected and \
                hmac.compare_digest(expected.encode(), secret.encode()):
            out.append(key)
    return out


def _json(status: int, body: Any, replayed: bool = False) -> Response:
    response = Response(json.dumps(body, ensure_ascii=False), status=status,
                        mimetype="application/json")
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def _refused(message: str) -> Response:
    response = _json(401, {"errorMessages": [message], "errors": {}})
    response.headers["WWW-Authenticate"] = 'Webhook realm="amsflow-quant"'
    return response


def _authenticate() -> Response | None:
    h = host()
    if request.path.endswith("/openapi.json") and request.method == "GET":
        return None  # the contract's description is public
    verified = verify(h, request.get_data(cache=True), request.headers)
    if verified is not None:
        g.quant_projects, g.message_id = verified.projects, verified.message_id
        g.sent_at, g.signed = verified.timestamp, True
        return None
    if any(k in request.headers for k in ("webhook-id", "webhook-signature")):
        log.warning("quant: refused %s: bad signature or stale timestamp", request.path)
        return _refused(_("Ugyldig eller utløpt signatur (webhook-signature, "
                          "webhook-timestamp)."))
    header = request.headers.get("Authorization", "")
    secret = header[7:].strip() if header.startswith("Bearer ") else ""
    projects = authorised_projects(secret) if secret else []
    if not projects:
        log.warning("quant: refused %s: unsigned", request.path)
        return _refused(_("Meldingen må være signert (webhook-id, webhook-timestamp, "
                          "webhook-signature)."))
    g.quant_projects, g.message_id = projects, f"bearer-{uuid.uuid4().hex}"
    g.sent_at, g.signed = None, False
    return None


def _body() -> Any:
    return request.get_json(silent=True)


def handle(kind: str, external_id: str | None, work: Work) -> Response:
    """Run ``work`` once per signed message: replay a stored answer, or do the work,
    log it and keep its answer in one transaction; log a refusal on its own."""
    h, s = host(), host().db.session()
    scope = ",".join(sorted(g.quant_projects))
    project = g.quant_projects[0]

    def replay() -> Response | None:
        stored = s.get(QuantInbox, (scope, g.message_id)) if g.signed else None
        if stored is None:
            return None
        with h.db.new_session() as other:
            note_in(h, other, kind=kind, project=project, status=DUPLICATE,
                    http_status=stored.http_status, message_id=g.message_id,
                    external_id=external_id, sent_at=g.sent_at)
        return _json(stored.http_status, json.loads(stored.response), replayed=True)

    answer = replay()
    if answer is not None:
        return answer

    def unit() -> tuple[int, dict[str, Any]]:
        status, body = work(s)
        if g.signed:
            s.add(QuantInbox(scope=scope, message_id=g.message_id, http_status=status,
                             response=json.dumps(body, ensure_ascii=False),
                             received=h.now()))
        return status, body

    try:
        status, body = run(h, s, unit)
    except ServiceError as exc:
        if isinstance(exc, Conflict):
            answer = replay()  # the same message, processed meanwhile by another request
            if answer is not None:
                return answer
        with h.db.new_session() as other:
            note_in(h, other, kind=kind, project=project, status=REFUSED,
                    http_status=exc.status, message_id=g.message_id,
                    external_id=external_id, error=str(exc), payload=_body(),
                    sent_at=g.sent_at)
        return _json(exc.status, exc.to_json())
    return _json(status, body)


def make_blueprint() -> Blueprint:
    """A fresh blueprint per app, so test apps never share registration state."""
    bp = Blueprint("quant_api", __name__, url_prefix="/rest/quant/1")
    bp.before_request(_authenticate)

    def contract() -> Any:
        return contract_for(host(), g.quant_projects[0])

    @bp.errorhandler(ServiceError)
    def _service_error(exc: ServiceError) -> Response:
        return _json(exc.status, exc.to_json())

    @bp.get("/openapi.json")
    def openapi() -> Any:
        from .openapi import document

        return _json(200, document(base_url() + (bp.url_prefix or "")))

    @bp.post("/orders")
    def create_or_update() -> Any:
        raw = _body()
        external_id = raw.get("externalId") if isinstance(raw, dict) else None

        def work(s: Session) -> tuple[int, dict[str, Any]]:
            h = host()
            data = contract().load_order(raw)
            result = upsert_order(h, s, g.quant_projects, data, g.sent_at)
            note_in(h, s, kind="order", project=result["project"],
                    status=STALE if result.get("stale") else PROCESSED,
                    http_status=201 if result["created"] else 200,
                    message_id=g.message_id, external_id=result["externalId"],
                    issue_id=int(result["id"]), payload=raw, sent_at=g.sent_at)
            return (201 if result["created"] else 200), result

        return handle("order", external_id, work)

    @bp.post("/orders/bulk")
    def bulk() -> Any:
        """Many orders, each checked on its own; failures listed Jira-style."""
        raw = _body()

        def work(s: Session) -> tuple[int, dict[str, Any]]:
            elements = contract().load_batch(raw)
            result = intake_batch(host(), s, g.quant_projects, contract(), elements,
                                  g.message_id, g.sent_at)
            return (201 if result["issues"] else 400), result

        return handle("batch", None, work)

    @bp.get("/orders/<path:external_id>")
    def show(external_id: str) -> Any:
        s = host().db.session()
        ref = find_ref(s, g.quant_projects, external_id, request.args.get("project"))
        return _json(200, state_of(host(), issue_of(s, ref), ref))

    @bp.post("/orders/<path:external_id>/cancel")
    def cancel(external_id: str) -> Any:
        raw = _body()

        def work(s: Session) -> tuple[int, dict[str, Any]]:
            h = host()
            data = contract().load_cancel(raw)
            project = request.args.get("project") or data["project"]
            try:
                ref = find_ref(s, g.quant_projects, external_id, project)
            except NotFound:
                return _cancel_waiting(s, external_id, project, data, raw)
            issue = issue_of(s, ref)
            try:
                result = cancel_order(h, s, ref, data["reason"])
            except CancelRefused as exc:
                s.rollback()
                outbox.add(h, s, outbox.CANCEL_REFUSED, issue, ref.external_id,
                           contract().event(outbox.CANCEL_REFUSED, h.now(),
                                            contract().cancel_refused(
                                                issue, ref.external_id, exc.status_name,
                                                str(exc))))
                note_in(h, s, kind="cancel", project=ref.project_key, status=REFUSED,
                        http_status=409, message_id=g.message_id,
                        external_id=external_id, issue_id=issue.id, error=str(exc),
                        payload=raw, sent_at=g.sent_at)
                return 409, exc.to_json()
            note_in(h, s, kind="cancel", project=ref.project_key, status=PROCESSED,
                    http_status=200, message_id=g.message_id, external_id=external_id,
                    issue_id=issue.id, payload=raw, sent_at=g.sent_at)
            return 200, result

        return handle("cancel", external_id, work)

    @bp.post("/orders/<path:external_id>/validation")
    def validation(external_id: str) -> Any:
        raw = _body()

        def work(s: Session) -> tuple[int, dict[str, Any]]:
            h = host()
            data = contract().load_result(raw)
            ref = find_ref(s, g.quant_projects, external_id,
                           request.args.get("project") or data["project"])
            result = record_result(h, s, ref, data["result"], data["reason"])
            note_in(h, s, kind="validation", project=ref.project_key, status=PROCESSED,
                    http_status=200, message_id=g.message_id, external_id=external_id,
                    issue_id=ref.issue_id, payload=raw, sent_at=g.sent_at)
            return 200, result

        return handle("validation", external_id, work)

    return bp


def _cancel_waiting(s: Session, external_id: str, project: str | None,
                    data: dict[str, Any], raw: Any) -> tuple[int, dict[str, Any]]:
    """A cancellation before its order: kept, and applied when the order comes."""
    key = choose_project(g.quant_projects, project)
    note_in(host(), s, kind="cancel", project=key, status=WAITING, http_status=202,
            message_id=g.message_id, external_id=external_id,
            payload={"reason": data["reason"]}, sent_at=g.sent_at)
    return 202, {"externalId": external_id, "project": key, "status": "waiting",
                 "message": _("Ordren '%(id)s' finnes ikke ennå; kanselleringen er lagret "
                              "og brukes når ordren kommer.", id=external_id)}
