"""Customer replies: matched by reply code, each delivery processed once.

A reply acts on an order only when its code belongs to an open order of the project
whose webhook received it, and its sender is the order's mobile number (both E.164).
A code from another number is kept as unmatched, for a person, with a comment on
the order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.i18n import _
from core.models import Issue, User
from core.services.errors import Conflict, InvalidInput, NotFound
from core.services.issues import get_issue, values_of
from plugins.sms.encoding import analyse
from plugins.sms.flows import add_comment, try_transition
from plugins.sms.models import ATTACHED, IN, PROCESSED, UNMATCHED, SmsMessage
from plugins.sms.phone import PhoneError, normalise_mobile
from plugins.sms.providers.base import InboundSms
from plugins.sms.replies import ParsedReply, Verdict, parse_reply, verdict_for
from plugins.sms.store import find_open_by_code, set_system_fields, settings_for

if TYPE_CHECKING:
    from core.host import Amsflow


def existing_inbound(session: Session, provider: str, provider_id: str) -> SmsMessage | None:
    return session.scalar(select(SmsMessage).where(
        SmsMessage.direction == IN, SmsMessage.provider == provider,
        SmsMessage.provider_id == provider_id))


def apply_verdict(host: Amsflow, session: Session, issue: Issue, verdict: Verdict,
                  row: SmsMessage, actor: User) -> str:
    """Comment with the reply and move the order; returns what happened (for the log)."""
    add_comment(host, session, issue, f"SMS-svar fra {row.phone}: «{row.body}»", actor)
    if verdict is Verdict.CONFIRM:
        moved = try_transition(host, session, issue, "confirm", actor)
        return "bekreftet" if moved else "bekreftelse uten statusendring"
    if verdict is Verdict.OPT_OUT:
        set_system_fields(host, session, issue, {"sms_opt_out": True}, actor)
        add_comment(host, session, issue, "Kunden svarte STOPP: SMS-reservasjon er satt.",
                    actor)
    moved = try_transition(host, session, issue, "follow_up", actor)
    return "manuell oppfølging" if moved else "kommentar"


def same_sender(host: Amsflow, issue: Issue, sender: str) -> bool:
    """True when ``sender`` is the order's mobile number, compared in E.164 (the stored
    number usually is E.164 already, and so is Link's ``source``: then no parsing)."""
    stored = values_of(host, issue).get("mobile")
    if not stored:
        return False
    if stored == sender:
        return True
    region = settings_for(host, issue.project.key).get("region", "NO")
    try:
        return normalise_mobile(sender, region) == normalise_mobile(stored, region)
    except PhoneError:
        return False


def receive_reply(host: Amsflow, session: Session, provider: str, message: InboundSms,
                  project_key: str | None = None) -> tuple[SmsMessage, bool]:
    """Log and act on one inbound SMS; (row, False) when this delivery was seen before.
    ``project_key``: the project whose webhook it came to, which bounds the orders it
    may act on (None: any project enabling sms, for callers inside the app).

    The caller's one transaction holds it all. The log row goes in first with
    ``ON CONFLICT DO NOTHING`` on its unique (provider, provider_id) key: a repeated
    delivery, even one racing the first, inserts nothing and changes nothing, and a
    new one costs no separate look-up.
    """
    parsed: ParsedReply = parse_reply(message.text)
    issue = (find_open_by_code(host, session, parsed.code, project_key) if parsed.code
             else None)
    foreign = issue if issue is not None and not same_sender(host, issue, message.sender) \
        else None
    if foreign is not None:
        issue = None
    info = analyse(message.text)
    now = host.now()
    values = {"direction": IN, "provider": provider, "provider_id": message.provider_id,
              "phone": message.sender, "body": message.text, "encoding": info.encoding,
              "segments": info.segments, "created": message.received_at or now,
              "status_at": now, "kind": "reply", "error": "", "idempotency_key": None,
              "status": PROCESSED if issue is not None else UNMATCHED,
              "issue_id": issue.id if issue else None,
              "project_key": (project_key or (issue.project.key if issue else "")).upper(),
              "author_id": None,
              "send_after": None, "sent_at": None}
    row_id = _insert_new(session, values)
    if row_id is None:
        seen = existing_inbound(session, provider, message.provider_id)
        if seen is not None:
            return seen, False
        raise Conflict(_("Svaret ble registrert samtidig av en annen forespørsel."))
    row = SmsMessage(id=row_id, **values)  # written; kept out of the session's flush
    if foreign is not None:
        add_comment(host, session, foreign, f"Et SMS-svar med ordrens svarkode kom fra "
                    f"{message.sender}, som ikke er ordrens mobilnummer. Svaret er ikke "
                    "brukt; det ligger under SMS-svar uten ordre.", host.system_user(session))
    if issue is not None:
        apply_verdict(host, session, issue, parsed.verdict, row, host.system_user(session))
    return row, True


def _insert_new(session: Session, values: dict[str, Any]) -> int | None:
    """Insert an inbound log row unless its (provider, provider_id, direction) exists;
    the new row's id, or None."""
    conn = session.connection()
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    table = SmsMessage.__table__
    stmt = dialect_insert(table).values(**values).on_conflict_do_nothing(
        index_elements=[table.c.provider, table.c.provider_id, table.c.direction]
    ).returning(table.c.id)
    return conn.execute(stmt).scalar()


def unmatched(session: Session, limit: int = 200) -> list[SmsMessage]:
    """Replies no order claimed, newest first."""
    stmt = (select(SmsMessage).where(SmsMessage.direction == IN,
                                     SmsMessage.status == UNMATCHED)
            .order_by(SmsMessage.created.desc()).limit(limit))
    return list(session.scalars(stmt))


def attach_reply(host: Amsflow, session: Session, user: User, message_id: int,
                 issue_key: str) -> Issue:
    """A planner says which order an unmatched reply belongs to; it then acts as a reply."""
    row = session.get(SmsMessage, message_id)
    if row is None or row.direction != IN or row.status != UNMATCHED:
        raise NotFound(_("Svaret finnes ikke, eller er allerede knyttet til en ordre."))
    issue = get_issue(host, session, user, issue_key, permission="edit")
    if not host.plugins.enabled(issue.project.key, "sms"):
        raise InvalidInput(_("%(key)s er i et prosjekt uten SMS.", key=issue.key))
    parsed = parse_reply(row.body)
    verdict = verdict_for(parsed.body if parsed.code else row.body)
    row.issue_id, row.project_key, row.status = issue.id, issue.project.key, ATTACHED
    row.status_at = host.now()
    apply_verdict(host, session, issue, verdict, row, user)
    return issue
