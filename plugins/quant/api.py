"""Quant's REST API: order intake, cancellations and validation results.

Authenticated by ``Authorization: Bearer <secret>``, the secret read from the
environment variable each project's ``token_env`` names; the projects whose secret
matches are the ones the caller may touch. Exempt from CSRF (no cookies involved).
Every write is one unit of work (``core.services.uow.run``).
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from marshmallow import ValidationError

from core.app import host
from core.i18n import _
from core.services.errors import Conflict, InvalidInput, ServiceError
from core.services.uow import run

from .cancel import cancel_order
from .intake import BatchSchema, OrderSchema, upsert_order
from .refs import PLUGIN, find_ref, issue_of, state_of
from .results import ResultSchema, record_result

log = logging.getLogger("amsflow.quant")


def authorised_projects(secret: str) -> list[str]:
    """Projects enabling quant whose configured secret equals the one presented."""
    h = host()
    out = []
    for key in h.plugins.projects_enabling(PLUGIN):
        expected = h.config.secret(h.plugins.plugin_settings(key, PLUGIN).get("token_env"))
        if expected and hmac.compare_digest(expected.encode(), secret.encode()):
            out.append(key)
    return out


def _error(status: int, *messages: str, errors: dict[str, Any] | None = None) -> Response:
    response = jsonify({"errorMessages": list(messages), "errors": errors or {}})
    response.status_code = status
    return response


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput(_("Forventet et JSON-objekt i forespørselen."))
    return data


def _load(schema: Any, data: dict[str, Any]) -> dict[str, Any]:
    try:
        return schema.load(data)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_": exc.messages}
        raise InvalidInput(errors={k: "; ".join(map(str, v)) if isinstance(v, list) else str(v)
                                   for k, v in messages.items()}) from exc


def _upsert(data: dict[str, Any]) -> dict[str, Any]:
    """One order in its own unit of work; a lost create race is retried as an update."""
    h, s = host(), host().db.session()
    try:
        return run(h, s, lambda: upsert_order(h, s, g.quant_projects, data))
    except Conflict:
        return run(h, s, lambda: upsert_order(h, s, g.quant_projects, data))


def make_blueprint() -> Blueprint:
    """A fresh blueprint per app, so test apps never share registration state."""
    bp = Blueprint("quant_api", __name__, url_prefix="/rest/quant/1")

    @bp.before_request
    def _authenticate() -> Response | None:
        header = request.headers.get("Authorization", "")
        secret = header[7:].strip() if header.startswith("Bearer ") else ""
        projects = authorised_projects(secret) if secret else []
        if not projects:
            log.warning("quant: refused request to %s (bad or missing token)", request.path)
            response = _error(401, _("Mangler gyldig nøkkel (Authorization: Bearer)."))
            response.headers["WWW-Authenticate"] = 'Bearer realm="amsflow-quant"'
            return response
        g.quant_projects = projects
        return None

    @bp.errorhandler(ServiceError)
    def _service_error(exc: ServiceError) -> Response:
        response = jsonify(exc.to_json())
        response.status_code = exc.status
        return response

    @bp.post("/orders")
    def create_or_update() -> Any:
        result = _upsert(_load(OrderSchema(), _body()))
        return jsonify(result), 201 if result["created"] else 200

    @bp.post("/orders/bulk")
    def bulk() -> Any:
        """Many orders; each is its own unit of work, failures listed Jira-style."""
        orders = _load(BatchSchema(), _body())["orders"]
        done, errors = [], []
        for number, raw in enumerate(orders):
            try:
                done.append(_upsert(_load(OrderSchema(), raw)))
            except ServiceError as exc:
                errors.append({"status": exc.status, "failedElementNumber": number,
                               "externalId": raw.get("externalId"),
                               "elementErrors": exc.to_json()})
        return jsonify({"issues": done, "errors": errors}), 201 if done else 400

    @bp.get("/orders/<path:external_id>")
    def show(external_id: str) -> Any:
        s = host().db.session()
        ref = find_ref(s, g.quant_projects, external_id, request.args.get("project"))
        return jsonify(state_of(host(), issue_of(s, ref), ref))

    @bp.post("/orders/<path:external_id>/cancel")
    def cancel(external_id: str) -> Any:
        data = request.get_json(silent=True) or {}
        h, s = host(), host().db.session()
        project = request.args.get("project") or data.get("project")
        ref = find_ref(s, g.quant_projects, external_id, project)
        return jsonify(run(h, s, lambda: cancel_order(h, s, ref, str(data.get("reason") or ""))))

    @bp.post("/orders/<path:external_id>/validation")
    def validation(external_id: str) -> Any:
        data = _load(ResultSchema(), _body())
        h, s = host(), host().db.session()
        ref = find_ref(s, g.quant_projects, external_id,
                       request.args.get("project") or data["project"])
        return jsonify(run(h, s, lambda: record_result(h, s, ref, data["result"],
                                                      data["reason"])))

    return bp
