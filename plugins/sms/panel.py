"""The issue view's SMS panel and menu entry."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from core import permissions as perms
from core.models import Issue, User
from core.registries import IssueAction, IssuePanel
from core.services.issues import values_of
from plugins.sms import templates as tpl
from plugins.sms.flows import can_send
from plugins.sms.store import messages_of, order_phone, settings_for

if TYPE_CHECKING:
    from core.host import Amsflow

STATUS_LABELS = {
    "held": _l("Venter (stilletid)"), "sending": _l("Sendes"), "accepted": _l("Sendt"),
    "refused": _l("Avvist"), "failed": _l("Feilet"), "pending": _l("Underveis"),
    "unknown": _l("SMS-status ukjent"),
    "delivered": _l("Levert"), "undelivered": _l("Ikke levert"), "processed": _l("Mottatt"),
    "unmatched": _l("Uknyttet"), "attached": _l("Knyttet av planlegger"),
}


def sms_time(value: datetime | None) -> str:
    """dd.mm.yyyy hh:mm in Oslo time (the log's time column)."""
    return value.astimezone(ZoneInfo("Europe/Oslo")).strftime("%d.%m.%Y %H:%M") if value else ""


def panel(host: Amsflow, issue: Issue, user: User | None) -> IssuePanel:
    session = host.db.session()
    ok, why = can_send(host, session, user, issue)
    settings = settings_for(host, issue.project.key)
    kinds = [(tpl.FREE_TEXT, _("Fritekst")), (tpl.BOOKING_CONFIRMATION, _("Bookingbekreftelse"))]
    html = render_template(
        "sms/panel.html", issue=issue, can_send=ok, why=why, kinds=kinds,
        nonce=uuid.uuid4().hex, phone=order_phone(host, issue)[0] or "",
        messages=messages_of(session, issue), status_labels=STATUS_LABELS,
        typed_replies=settings.get("provider") == "local",
        can_resolve=user is not None and perms.allowed(host, session, user, "edit",
                                                       issue.project_id),
        reply_code=values_of(host, issue).get("reply_code"))
    return IssuePanel(title="SMS", html=Markup(html), id="sms", order=20)


def actions(host: Amsflow, issue: Issue, user: User | None) -> list[IssueAction]:
    """*Send SMS* in the menu only where the panel can send (status, mobile, no opt-out)."""
    ok, _why = can_send(host, host.db.session(), user, issue)
    if not ok:
        return []
    url = url_for("web.issue", key=issue.key) + "#panel-sms"
    return [IssueAction(label="Send SMS", url=url, id="send-sms")]
