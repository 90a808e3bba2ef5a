"""What the SMS plugin reads and writes on orders: settings, phone, reply code, log rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defaultload, lazyload

from core.models import FieldValue, Issue, Project, Status, User
from core.notify import remember_watched, watched_column
from core.services.issues import set_fields, values_of
from plugins.sms.keep import codes_made, known_keys, spare_codes
from plugins.sms.models import SmsMessage
from plugins.sms.phone import check_mobile
from plugins.sms.replycodes import candidates, generate_reply_code, normalise_code

if TYPE_CHECKING:
    from core.host import Amsflow

PLUGIN = "sms"
BOOKING_FUNCTION = "sms.send_booking"
OPT_OUT_REASON = "Kunden har reservert seg mot SMS (SMS-reservasjon)."


def settings_for(host: Amsflow, project_key: str) -> dict[str, Any]:
    """The project's validated sms settings ({} when the project does not enable sms)."""
    return host.plugins.plugin_settings(project_key, PLUGIN)


def order_phone(host: Amsflow, issue: Issue) -> tuple[str | None, str | None]:
    """(E.164 mobile, None) when the order may get SMS, else (None, why not)."""
    values = values_of(host, issue)
    if values.get("sms_opt_out"):
        return None, OPT_OUT_REASON
    region = settings_for(host, issue.project.key).get("region", "NO")
    return check_mobile(values.get("mobile"), region)


def _open_with_code(host: Amsflow, code: str | set[str]) -> Any:
    """Open orders holding this reply code, or any of a set of them (the (field_id,
    value_str) index finds them)."""
    fdef = host.fields["reply_code"]
    test = (FieldValue.value_str.in_(sorted(code)) if isinstance(code, set)
            else FieldValue.value_str == code)
    return (select(Issue)
            .join(FieldValue, FieldValue.issue_id == Issue.id)
            .join(Status, Status.id == Issue.status_id)
            .where(FieldValue.field_id == fdef.id, test, Status.category != "done"))


def code_taken(host: Amsflow, session: Session, code: str) -> bool:
    """True when an open order already has this code."""
    stmt = _open_with_code(host, code).with_only_columns(Issue.id).limit(1)
    with session.no_autoflush:  # a lookup must not write the caller's pending changes
        return session.scalar(stmt) is not None


def ensure_reply_code(host: Amsflow, session: Session, issue: Issue,
                      user: Any = None, code: str | None = None) -> str:
    """The order's reply code; made once (unique among open orders) and then kept.

    The one implementation: the letters plugin prints the same code. ``user`` is who
    the history names (default: the system user). ``code`` is the one to give an
    order that has none when a message sent already carries it.
    """
    current = values_of(host, issue).get("reply_code")
    if current:
        return normalise_code(current)
    made, spare = codes_made(session), spare_codes(session)
    code = code or (spare.pop() if spare else None) or generate_reply_code(
        lambda c: c in made or code_taken(host, session, c))
    made.add(code)
    author = user if user is not None else host.system_user(session)
    set_system_fields(host, session, issue, {"reply_code": code}, author)
    return code


def set_system_fields(host: Amsflow, session: Session, issue: Issue,
                      changes: dict[str, Any], user: Any = None) -> None:
    """Write fields as the system (reply code, opt-out) through the core service:
    history (in the transition's change group), ``issue_updated`` after commit, and no
    flush of its own (the caller's next flush writes them)."""
    set_fields(host, session, user, issue, changes)


def find_open_by_code(host: Amsflow, session: Session, code: str,
                      project_key: str | None = None) -> Issue | None:
    """The open order (in a project enabling sms; in ``project_key`` when given: the
    project of the webhook a reply came to) with this reply code, if exactly one.

    One query: the assignee's and reporter's groups stay unloaded (a reply never
    needs them), field values load on first use, and whether the order has watchers
    comes along (so the commit does not probe for them).
    """
    stmt = _open_with_code(host, normalise_code(code)).add_columns(
        watched_column(Issue.id)).options(
        defaultload(Issue.assignee).lazyload(User.groups),
        defaultload(Issue.reporter).lazyload(User.groups), lazyload(Issue.values))
    if project_key is not None:
        stmt = stmt.join(Project, Project.id == Issue.project_id).where(
            Project.key == project_key.upper())
    found = [(issue, watched) for issue, watched in session.execute(stmt).unique()
             if host.plugins.enabled(issue.project.key, PLUGIN)]
    if len(found) != 1:
        return None
    issue, watched = found[0]
    remember_watched(session, issue.id, watched)
    return issue


def messages_of(session: Session, issue: Issue) -> list[SmsMessage]:
    """The order's SMS log, newest first."""
    stmt = (select(SmsMessage).where(SmsMessage.issue_id == issue.id)
            .order_by(SmsMessage.created.desc(), SmsMessage.id.desc()))
    return list(session.scalars(stmt))


def by_key(session: Session, key: str) -> SmsMessage | None:
    known = known_keys(session)
    if key in known:
        return known[key]
    return session.scalar(select(SmsMessage).where(SmsMessage.idempotency_key == key))


def booking_key(issue: Issue) -> str:
    """Same order version, same key: a retry after a rolled-back attempt never sends twice."""
    return f"booking:{issue.key}:v{issue.version}"


def prepare_chunk(host: Amsflow, session: Session, issues: list[Issue],
                  transition: str) -> None:
    """For a bulk chunk of bookings: read the log rows of the chunk's booking keys in
    one query, and find free reply codes for the orders that have none in one more,
    instead of two lookups per order. The codes are set aside for this transaction
    (``codes_made``); between this check and the chunk's commit another order could
    take one, as between any check and write, with 1 in 32⁴ odds per pair."""
    booking = [i for i in issues if _books(host, i, transition)]
    if not booking:
        return
    keys = [booking_key(i) for i in booking]
    with session.no_autoflush:
        found = {r.idempotency_key: r for r in session.scalars(
            select(SmsMessage).where(SmsMessage.idempotency_key.in_(keys)))}
        known_keys(session).update({k: found.get(k) for k in keys})
        lacking = sum(1 for i in booking if not values_of(host, i).get("reply_code"))
        if not lacking:
            return
        made = codes_made(session)
        wanted = candidates(2 * lacking) - made
        taken = set(session.scalars(
            _open_with_code(host, wanted).with_only_columns(FieldValue.value_str)))
    free = sorted(wanted - taken)
    made.update(free)
    spare_codes(session).extend(free)


def _books(host: Amsflow, issue: Issue, transition: str) -> bool:
    found = host.workflow_of(issue).by_ref(transition)
    return found is not None and any(p.name == BOOKING_FUNCTION for p in found.post_functions)
