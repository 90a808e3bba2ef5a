"""Gateway callbacks: inbound replies and delivery reports, authenticated per provider.

A bad signature or token is 401 and changes nothing. Each message is its own unit
of work, and a repeated delivery (same provider message id) is processed once,
also when two copies race each other (the log's unique key settles it).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, request

from core.app import host as current_host
from core.services.errors import Conflict
from core.services.uow import run
from plugins.sms.delivery import apply_report
from plugins.sms.gateway import provider_for
from plugins.sms.inbound import receive_reply
from plugins.sms.providers.base import SmsProvider, WebhookError, WebhookRequest
from plugins.sms.store import PLUGIN

bp = Blueprint("sms_hooks", __name__, url_prefix="/sms/hooks")


def _provider(project: str) -> SmsProvider:
    """The provider of the project in the URL: its secret, and only its orders."""
    h = current_host()
    if project.upper() not in h.catalog.project_ids or not h.plugins.enabled(project.upper(),
                                                                              PLUGIN):
        abort(404)
    return provider_for(h, project.upper())


def _request() -> WebhookRequest:
    return WebhookRequest(request.get_data(), dict(request.headers), dict(request.args))


@bp.post("/<project>/inbound")
def inbound(project: str) -> Any:
    provider = _provider(project)
    req = _request()
    if not provider.verify_webhook(req):
        return jsonify({"error": "invalid signature"}), 401
    try:
        messages = provider.parse_inbound(req)
    except WebhookError as exc:
        return jsonify({"error": str(exc)}), 400
    h = current_host()
    session = h.db.session()
    counts = {"processed": 0, "duplicates": 0, "unmatched": 0}
    for message in messages:
        try:
            row, new = run(h, session, lambda m=message: receive_reply(
                h, session, provider.name, m, project.upper()))
        except Conflict:
            counts["duplicates"] += 1
            continue
        if not new:
            counts["duplicates"] += 1
        elif row.issue_id is None:
            counts["unmatched"] += 1
        else:
            counts["processed"] += 1
    return jsonify(counts)


@bp.post("/<project>/delivery")
def delivery(project: str) -> Any:
    provider = _provider(project)
    req = _request()
    if not provider.verify_webhook(req):
        return jsonify({"error": "invalid signature"}), 401
    try:
        reports = provider.parse_delivery_report(req)
    except WebhookError as exc:
        return jsonify({"error": str(exc)}), 400
    h = current_host()
    session = h.db.session()
    counts: dict[str, int] = {"updated": 0, "ignored": 0, "unknown": 0}
    for report in reports:
        try:
            outcome = run(h, session, lambda r=report: apply_report(
                h, session, provider.name, r, project.upper()))
        except Conflict:
            outcome = "ignored"
        counts[outcome] += 1
    # A report for a message not in the log (yet: its send may not have committed)
    # is not acknowledged, so Link sends it again (its gate retries until 200 OK).
    return jsonify(counts), 503 if counts["unknown"] else 200
