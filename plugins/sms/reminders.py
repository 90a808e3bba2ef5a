"""Periodic SMS work: held messages at the end of quiet hours, and reminders.

Every reminder has a key made from what it reminds about (the moment the order
started waiting, or its planned start), and the log's unique key makes it go
out once however often the task runs.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import ChangeGroup, ChangeItem, Issue, Project
from core.services.uow import run
from plugins.sms import templates as tpl
from plugins.sms.flows import LABEL, add_comment, try_transition
from plugins.sms.gateway import provider_for, quiet_hours
from plugins.sms.models import FAILED, HELD, OUT, REFUSED, SmsMessage
from plugins.sms.providers.base import OutboundSms, SendStatus
from plugins.sms.sending import NoMobile, describe_sent, send_to_order
from plugins.sms.store import PLUGIN, by_key, order_phone, settings_for

if TYPE_CHECKING:
    from core.host import Amsflow

log = logging.getLogger("amsflow.sms")


def _issues_in(host: Amsflow, session: Session, project_key: str, status: str) -> list[Issue]:
    stmt = (select(Issue).join(Project, Project.id == Issue.project_id)
            .where(Project.key == project_key,
                   Issue.status_id == host.catalog.status_ids[status]))
    return list(session.scalars(stmt))


def waiting_since(host: Amsflow, session: Session, issue: Issue) -> datetime | None:
    """When the order last entered its current status (from the change history)."""
    stmt = (select(func.max(ChangeGroup.created)).join(ChangeItem)
            .where(ChangeGroup.issue_id == issue.id, ChangeItem.field == "status",
                   ChangeItem.to_value == str(issue.status_id)))
    return session.scalar(stmt)


def _booked_by_sms(session: Session, issue: Issue, since: datetime) -> bool:
    stmt = select(SmsMessage.id).where(SmsMessage.issue_id == issue.id,
                                       SmsMessage.kind == tpl.BOOKING,
                                       SmsMessage.direction == OUT,
                                       SmsMessage.created >= since - timedelta(seconds=5))
    return session.scalar(stmt.limit(1)) is not None


def _letter_hours(host: Amsflow, issue: Issue) -> float | None:
    """The delay after a letter is the letters plugin's setting, read from the host
    (None: letters not enabled, no reminder); SMS does not import letters."""
    settings = host.plugins.plugin_settings(issue.project.key, "letters")
    return settings.get("booking_reminder_hours") if settings else None


def booking_reminder(host: Amsflow, session: Session, issue: Issue, now: datetime) -> bool:
    """Remind (when there is a mobile) and move to follow-up once the delay has run out."""
    settings = settings_for(host, issue.project.key)
    since = waiting_since(host, session, issue)
    if since is None:
        return False
    by_sms = _booked_by_sms(session, issue, since)
    hours = settings["booking_reminder_sms_hours"] if by_sms else _letter_hours(host, issue)
    if hours is None or now - since < timedelta(hours=hours):
        return False
    system = host.system_user(session)
    key = f"booking_reminder:{issue.key}:{since.isoformat()}"
    how = "SMS" if by_sms else "brev"
    note = f"Ingen svar på booking ({how}) innen {hours:g} timer."
    if by_key(session, key) is None:
        try:
            row = send_to_order(host, session, issue, tpl.BOOKING_REMINDER, user=system, key=key)
        except NoMobile as exc:
            note += f" Påminnelse ble ikke sendt: {exc}"
        else:
            if row.status in (REFUSED, FAILED):
                note += f" Påminnelse kunne ikke sendes: {row.error}"
            else:
                add_comment(host, session, issue, describe_sent(row, "Bookingpåminnelse"), system)
    add_comment(host, session, issue, note, system)
    try_transition(host, session, issue, "follow_up", system)
    return True


def appointment_reminder(host: Amsflow, session: Session, issue: Issue, now: datetime) -> bool:
    """The day before the planned start (local date), once per planned start."""
    settings = settings_for(host, issue.project.key)
    fdef = host.fields["planned_start"]
    row = next((v for v in issue.values if v.field_id == fdef.id), None)
    start = row.value_date if row else None
    if start is None or start <= now:
        return False
    quiet = quiet_hours(settings)
    zone = ZoneInfo(settings["timezone"])
    send_at = quiet.next_allowed(now)
    if send_at.astimezone(zone).date() != start.astimezone(zone).date() - timedelta(days=1):
        return False
    key = f"appointment_reminder:{issue.key}:{start.isoformat()}"
    if by_key(session, key) is not None or order_phone(host, issue)[0] is None:
        return False
    system = host.system_user(session)
    sms = send_to_order(host, session, issue, tpl.APPOINTMENT_REMINDER, user=system, key=key)
    if sms.status in (REFUSED, FAILED):
        add_comment(host, session, issue,
                    f"Avtalepåminnelse kunne ikke sendes til {sms.phone}: {sms.error}", system)
    else:
        add_comment(host, session, issue, describe_sent(sms, "Avtalepåminnelse"), system)
    return True


def run_reminders(host: Amsflow) -> dict[str, int]:
    """The periodic task: each order in its own transaction, so one failure stays local."""
    session = host.db.session()
    now = host.now()
    done = {"booking": 0, "appointment": 0}
    for project_key in host.plugins.projects_enabling(PLUGIN):
        settings = settings_for(host, project_key)
        jobs = []
        if settings["booking_reminder"]:
            jobs.append(("booking", settings["waiting_status"], booking_reminder))
        if settings["appointment_reminder"]:
            jobs.append(("appointment", settings["ready_status"], appointment_reminder))
        for name, status, fn in jobs:
            ids = [i.id for i in _issues_in(host, session, project_key, status)]
            for issue_id in ids:
                issue = session.get(Issue, issue_id)
                try:
                    if run(host, session, lambda i=issue, f=fn: f(host, session, i, now)):
                        done[name] += 1
                except Exception:  # noqa: BLE001 - one order must not stop the others
                    log.exception("%s reminder failed for %s", name, issue_id)
    return done


def flush_held(host: Amsflow) -> int:
    """Send held messages whose quiet hours are over, in one batch per project."""
    session = host.db.session()
    now = host.now()
    rows = list(session.scalars(select(SmsMessage).where(
        SmsMessage.status == HELD, SmsMessage.send_after <= now)))
    by_project: dict[str, list[SmsMessage]] = {}
    for row in rows:
        by_project.setdefault(row.project_key, []).append(row)
    for project_key, group in by_project.items():
        sender = settings_for(host, project_key).get("sender", "AMS")
        results = provider_for(host, project_key).send_batch(
            [OutboundSms(r.idempotency_key or "", r.phone, r.body, sender) for r in group])
        for row, result in zip(group, results, strict=True):
            row.status_at = host.now()
            if result.status is SendStatus.ACCEPTED:
                row.status, row.provider_id, row.sent_at = "accepted", result.provider_id, now
                continue
            row.status = REFUSED if result.status is SendStatus.REFUSED else FAILED
            row.error = result.error or row.status
            issue = session.get(Issue, row.issue_id) if row.issue_id else None
            if issue is not None:
                system = host.system_user(session)
                add_comment(host, session, issue, f"{LABEL.get(row.kind, 'SMS')} kunne ikke "
                            f"sendes til {row.phone}: {row.error}", system)
                try_transition(host, session, issue, "follow_up", system)
    host.db.commit(session)
    return len(rows)
