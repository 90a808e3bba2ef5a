"""The SMS plugin's workflow moves: booking post-function, panel sends, follow-up."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import flash, has_request_context, request
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from core import permissions as perms
from core.models import Issue, User
from core.services import comments
from core.services.errors import InvalidInput, NotFound
from core.workflow.context import WorkflowContext
from core.workflow.engine import transition_issue
from plugins.sms import templates as tpl
from plugins.sms.models import ACCEPTED, FAILED, OUT, REFUSED, UNKNOWN, SmsMessage
from plugins.sms.sending import abort_unsent, begin_send, describe_sent, send_to_order
from plugins.sms.store import booking_key, order_phone, settings_for

if TYPE_CHECKING:
    from core.host import Amsflow

PANEL_KINDS = (tpl.FREE_TEXT, tpl.BOOKING_CONFIRMATION)
LABEL = {kind: f"{label}-SMS" if kind != tpl.FREE_TEXT else "SMS"
         for kind, label in tpl.KIND_LABELS.items()}


def status_key(host: Amsflow, issue: Issue) -> str:
    return host.catalog.status_keys[issue.status_id]


UNKNOWN_NOTE = ("SMS-status ukjent: {what} til {phone} fikk ikke svar fra Link Mobility i tide "
                "({error}). Meldingen kan være sendt, og den sendes ikke på nytt automatisk. "
                "Statusen avklares av leveringsrapporten, eller av en planlegger i SMS-loggen.")


def add_comment(host: Amsflow, session: Session, issue: Issue, body: str,
                user: User | None) -> None:
    """A comment by the plugin, through the core service (``issue_commented`` after
    commit, so watchers hear of it), written with the caller's next flush."""
    comments.add_comment(host, session, user, issue, body, system=True, flush=False)


def try_transition(host: Amsflow, session: Session, issue: Issue, which: str,
                   user: User | None = None) -> bool:
    """Run the configured transition (confirm/follow_up/to_execution) when the order's
    status has it; False (and nothing changed) when it does not."""
    ref = settings_for(host, issue.project.key)["transitions"][which]
    if host.workflow_of(issue).find(status_key(host, issue), ref) is None:
        return False
    transition_issue(host, session, user or host.system_user(session), issue, ref,
                     system=True)
    return True


def booking_enabled(ctx: WorkflowContext, args: dict[str, Any]) -> bool:
    """Condition of PC_TRANSITION_BOOKING_SENT: the project books by SMS."""
    return bool(ctx.settings.get("booking", True))


def send_booking(ctx: WorkflowContext, args: dict[str, Any]) -> None:
    """Post-function of PC_TRANSITION_BOOKING_SENT.

    No valid mobile or opt-out: comment and chain to Manuell oppfølging. Gateway
    refuses or fails: abort (status stays), the comment and log row are kept.
    """
    host, session, issue = ctx.host, ctx.session, ctx.issue
    phone, reason = order_phone(host, issue)
    if phone is None:
        ctx.add_comment(f"Booking-SMS ble ikke sendt: {reason} "
                        "Ordren er satt til manuell oppfølging.")
        ctx.chain(ctx.settings["transitions"]["follow_up"])
        return
    sending = begin_send(host, session, issue, tpl.BOOKING, user=ctx.user,
                         key=booking_key(issue))

    def settle() -> None:  # after the transition's statements (a bulk chunk's batch)
        row = sending.settle(host, session)
        if row.status in (REFUSED, FAILED):
            raise abort_unsent(host, session, issue, row, ctx.user, "Booking-SMS")
        if row.status == UNKNOWN:  # may have reached the customer: the booking stands
            note = UNKNOWN_NOTE.format(what="Booking-SMS", phone=row.phone, error=row.error)
            add_comment(host, session, issue, note, ctx.user)
            if (has_request_context() and not request.path.startswith("/rest/")
                    and not host.db.deferring(session)):
                flash(note, "warning")  # the person who booked sees it at once

    ctx.add_comment(describe_sent(sending.row, "Booking-SMS"))  # undone if not sent
    ctx.settle_after_flush(settle)


def can_send(host: Amsflow, session: Session, user: User | None,
             issue: Issue) -> tuple[bool, str]:
    """Whether the panel may send now, and if not, why (shown in the panel)."""
    if not host.plugins.enabled(issue.project.key, "sms"):
        return False, _("SMS er ikke slått på for prosjektet.")
    if user is None or not perms.allowed(host, session, user, "edit", issue.project_id):
        return False, _("Du har ikke tilgang til å sende SMS.")
    settings = settings_for(host, issue.project.key)
    if status_key(host, issue) not in settings["send_statuses"]:
        return False, _("SMS kan ikke sendes i status «%(status)s».", status=issue.status.name)
    phone, reason = order_phone(host, issue)
    if phone is None:
        return False, reason or ""
    return True, ""


def send_from_panel(host: Amsflow, session: Session, user: User, issue: Issue, kind: str,
                    text: str, nonce: str) -> SmsMessage:
    """Free text or booking confirmation from the issue view (one form post = one SMS).

    A confirmation from Manuell oppfølging also moves the order to Klar til utførelse;
    that transition runs first so its validators can stop the send.
    """
    ok, why = can_send(host, session, user, issue)
    if not ok:
        raise InvalidInput(why)
    if kind not in PANEL_KINDS:
        raise InvalidInput(_("Ukjent meldingstype '%(kind)s'.", kind=kind))
    if kind == tpl.FREE_TEXT and not text.strip():
        raise InvalidInput(errors={"text": _("Skriv en tekst.")})
    if kind == tpl.BOOKING_CONFIRMATION:
        try_transition(host, session, issue, "to_execution", user)
    key = f"panel:{issue.key}:{nonce}" if nonce else None
    row = send_to_order(host, session, issue, kind, user=user, text=text.strip(), key=key)
    if row.status in (REFUSED, FAILED):
        raise abort_unsent(host, session, issue, row, user, LABEL[kind])
    add_comment(host, session, issue, describe_sent(row, LABEL[kind]), user)
    if row.status == UNKNOWN:
        add_comment(host, session, issue, UNKNOWN_NOTE.format(
            what=LABEL[kind], phone=row.phone, error=row.error), user)
    return row


def resolve_unknown(host: Amsflow, session: Session, user: User, issue: Issue,
                    message_id: int, sent: bool) -> SmsMessage:
    """A planner settles an SMS in state unknown: ``sent`` (the customer got it) or not.
    Not sent: the order goes to Manuell oppfølging, where it can be booked again."""
    if not perms.allowed(host, session, user, "edit", issue.project_id):
        raise InvalidInput(_("Du har ikke tilgang til å endre SMS-status."))
    row = session.get(SmsMessage, message_id)
    if row is None or row.issue_id != issue.id or row.direction != OUT:
        raise NotFound(_("Meldingen finnes ikke på denne ordren."))
    if row.status != UNKNOWN:
        raise InvalidInput(_("Meldingen har ikke ukjent status (lenger)."))
    row.status, row.status_at = (ACCEPTED if sent else FAILED), host.now()
    what = LABEL.get(row.kind, "SMS")
    if sent:
        add_comment(host, session, issue, f"{what} til {row.phone}: planleggeren bekreftet at "
                    "meldingen kom frem.", user)
        return row
    row.error = "Ikke sendt (avklart av planlegger)"
    add_comment(host, session, issue, f"{what} til {row.phone}: planleggeren avklarte at "
                "meldingen ikke kom frem. Ordren trenger manuell oppfølging.", user)
    try_transition(host, session, issue, "follow_up", user)
    return row
