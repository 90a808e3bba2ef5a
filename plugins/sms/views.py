"""The SMS plugin's pages and API: panel sends, preview, typed replies, unmatched list,
and the SMS log as JSON."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core.permissions import is_admin
from core.services.errors import InvalidInput, NotAuthenticated, ServiceError
from core.services.issues import get_issue
from core.web.common import db, host, login_required, run, user
from plugins.sms.encoding import analyse
from plugins.sms.flows import LABEL, PANEL_KINDS, resolve_unknown, send_from_panel
from plugins.sms.inbound import attach_reply, receive_reply, unmatched
from plugins.sms.models import PROCESSED, UNKNOWN, SmsMessage
from plugins.sms.panel import STATUS_LABELS
from plugins.sms.providers.base import InboundSms
from plugins.sms.sending import check_text, compose
from plugins.sms.store import messages_of, order_phone
from plugins.sms.visibility import acting_projects, may_see

bp = Blueprint("sms", __name__, url_prefix="/sms", template_folder="templates",
               static_folder="static", static_url_path="/static")
api = Blueprint("sms_api", __name__, url_prefix="/rest/sms/1")


def _back(key: str) -> Any:
    return redirect(url_for("web.issue", key=key) + "#panel-sms")


@bp.post("/browse/<key>/send")
@login_required
def send(key: str) -> Any:
    h, s, me = host(), db(), user()
    kind = request.form.get("kind", "free_text")
    text = request.form.get("text", "")
    nonce = request.form.get("nonce", "")
    try:
        issue = get_issue(h, s, me, key)
        row = run(lambda: send_from_panel(h, s, me, issue, kind, text, nonce))
    except ServiceError as exc:
        flash(str(exc), "error")
        return _back(key)
    if row.status == UNKNOWN:
        flash(_("SMS-status ukjent: %(kind)s til %(phone)s fikk ikke svar i tide. Den kan "
                "være sendt, og sendes ikke på nytt automatisk.", kind=LABEL[row.kind],
                phone=row.phone), "warning")
        return _back(key)
    flash(_("%(kind)s til %(phone)s: %(status)s.", kind=LABEL[row.kind], phone=row.phone,
            status=STATUS_LABELS.get(row.status, row.status)), "success")
    return _back(key)


@bp.post("/browse/<key>/messages/<int:message_id>/resolve")
@login_required
def resolve(key: str, message_id: int) -> Any:
    """A planner settles an SMS whose status is unknown (got there, or did not)."""
    h, s, me = host(), db(), user()
    sent = request.form.get("outcome") == "sent"
    try:
        issue = get_issue(h, s, me, key, permission="edit")
        run(lambda: resolve_unknown(h, s, me, issue, message_id, sent))
    except ServiceError as exc:
        flash(str(exc), "error")
        return _back(key)
    flash(_("SMS-statusen er avklart."), "success")
    return _back(key)


def preview_json(key: str, kind: str, text: str) -> dict[str, Any]:
    """The text an SMS would have, its encoding and segments (nothing is saved)."""
    h, s = host(), db()
    issue = get_issue(h, s, user(), key)
    try:
        body = compose(h, s, issue, kind if kind in PANEL_KINDS else "free_text", text, user())
    finally:
        s.rollback()  # composing may make a reply code; a preview keeps nothing
    info = analyse(body)
    try:
        check_text(body)
        problem = ""
    except InvalidInput as exc:  # shown in the preview before anyone presses send
        problem = "; ".join((exc.errors or {}).values()) or str(exc)
    return {"body": body, "encoding": info.encoding, "segments": info.segments,
            "units": info.units, "remaining": info.remaining, "problem": problem}


@bp.get("/browse/<key>/preview")
@login_required
def preview(key: str) -> Any:
    try:
        return jsonify(preview_json(key, request.args.get("kind", "free_text"),
                                    request.args.get("text", "")))
    except ServiceError as exc:
        return jsonify(exc.to_json()), exc.status


@bp.post("/browse/<key>/reply")
@login_required
def typed_reply(key: str) -> Any:
    """Local provider only: a person types the customer's reply (the embedded default)."""
    h, s, me = host(), db(), user()
    try:
        issue = get_issue(h, s, me, key, permission="edit")
        phone = order_phone(h, issue)[0] or ""
        text = request.form.get("text", "")
        message = InboundSms(provider_id=f"typed-{uuid.uuid4().hex}", sender=phone,
                             recipient="", text=text)
        row, _new = run(lambda: receive_reply(h, s, "local", message, issue.project.key))
    except ServiceError as exc:
        flash(str(exc), "error")
        return _back(key)
    if row.status == PROCESSED:
        flash(_("Svaret er registrert."), "success")
    else:
        flash(_("Svaret hadde ingen kjent svarkode og ligger blant uknyttede svar."), "warning")
    return _back(key)


@bp.get("/unmatched")
@login_required
def unmatched_list() -> Any:
    h, s, me = host(), db(), user()
    if not acting_projects(h, s, me) and not is_admin(h, me):
        abort(403)
    replies = [r for r in unmatched(s) if may_see(h, s, me, r)]
    return render_template("sms/unmatched.html", replies=replies)


@bp.post("/unmatched/<int:message_id>/attach")
@login_required
def attach(message_id: int) -> Any:
    h, s, me = host(), db(), user()
    key = request.form.get("issue", "").strip()
    row = s.get(SmsMessage, message_id)
    if row is not None and not may_see(h, s, me, row):
        abort(404)
    try:
        issue = run(lambda: attach_reply(h, s, me, message_id, key))
    except ServiceError as exc:
        flash(str(exc), "error")
        return redirect(url_for("sms.unmatched_list"))
    flash(_("Svaret er knyttet til %(key)s.", key=issue.key), "success")
    return redirect(url_for("sms.unmatched_list"))


# -- REST -------------------------------------------------------------------------


def _api_user() -> Any:
    me = user()
    if me is None:
        raise NotAuthenticated(_("Du må logge inn."))
    return me


@api.errorhandler(ServiceError)
def _service_error(exc: ServiceError) -> Any:
    return jsonify(exc.to_json()), exc.status


@api.get("/issue/<key>/messages")
def api_messages(key: str) -> Any:
    issue = get_issue(host(), db(), _api_user(), key)
    return jsonify({"issue": issue.key,
                    "messages": [m.to_json() for m in messages_of(db(), issue)]})


@api.post("/issue/<key>/messages/<int:message_id>/resolve")
def api_resolve(key: str, message_id: int) -> Any:
    """``{"sent": true|false}``: a planner's answer for an SMS in status unknown."""
    h, s, me = host(), db(), _api_user()
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("sent"), bool):
        raise InvalidInput(errors={"sent": _("Oppgi sent: true eller false.")})
    issue = get_issue(h, s, me, key, permission="edit")
    row = run(lambda: resolve_unknown(h, s, me, issue, message_id, data["sent"]))
    return jsonify(row.to_json())


@api.post("/issue/<key>/messages")
def api_send(key: str) -> Any:
    h, s, me = host(), db(), _api_user()
    data = request.get_json(silent=True) or {}
    issue = get_issue(h, s, me, key)
    row = run(lambda: send_from_panel(h, s, me, issue, str(data.get("kind", "free_text")),
                                      str(data.get("text", "")),
                                      str(data.get("idempotencyKey", ""))))
    return jsonify(row.to_json()), 201
