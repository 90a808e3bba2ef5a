"""Filter subscriptions: who gets a filter by e-mail and when, and the periodic
sender that mails each due time once.

Each recipient gets the results *they* may browse (a group subscription searches
once per member). A due time is claimed with a conditional UPDATE before mailing,
so two workers never send the same due time twice.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ..i18n import _
from ..jql import JqlError, search
from ..mail import MailError, send_mail
from ..models import Group, User
from ..services.errors import InvalidInput, NotFound
from . import schedule
from .mail_body import compose
from .models import FilterSubscription, SavedFilter
from .sharing import require_edit

if TYPE_CHECKING:
    from ..host import Amsflow

log = logging.getLogger("amsflow.filters")
MAIL_LIMIT = 200


def subscriptions_of(s: Session, f: SavedFilter) -> list[FilterSubscription]:
    return list(s.scalars(select(FilterSubscription).where(FilterSubscription.filter_id == f.id)
                          .order_by(FilterSubscription.id)))


def subscribe(host: Amsflow, s: Session, actor: User, f: SavedFilter, *, kind: str = "daily",
              time: str = "07:00", days: str | list[str] = "", cron: str = "",
              username: str | None = None, group: str | None = None,
              email_on_empty: bool = False) -> FilterSubscription:
    """Subscribe ``actor`` (or another user or a group: owner only) to ``f``."""
    day_text = ",".join(days) if isinstance(days, list) else (days or "")
    try:
        schedule.validate(kind, time, day_text, cron)
        day_text = ",".join(schedule.parse_days(day_text))
    except schedule.ScheduleError as exc:
        raise InvalidInput(errors={"schedule": str(exc)}) from None
    sub = FilterSubscription(filter_id=f.id, owner_id=actor.id, kind=kind, time=time or "",
                             days=day_text, cron=cron or "", email_on_empty=email_on_empty,
                             created=host.now())
    if group:
        require_edit(host, actor, f)
        found = s.scalar(select(Group).where(Group.name == group))
        if found is None:
            raise InvalidInput(errors={"group": f"Gruppen «{group}» finnes ikke."})
        sub.group_id = found.id
    elif username and username != actor.username:
        require_edit(host, actor, f)
        target = s.scalar(select(User).where(User.username == username))
        if target is None:
            raise InvalidInput(errors={"user": _("Brukeren «%(name)s» finnes ikke.",
                                                 name=username)})
        sub.user_id = target.id
    else:
        sub.user_id = actor.id
    s.add(sub)
    s.flush()
    return sub


def unsubscribe(host: Amsflow, s: Session, actor: User, f: SavedFilter, sub_id: int) -> None:
    sub = s.get(FilterSubscription, sub_id)
    if sub is None or sub.filter_id != f.id:
        raise NotFound(f"Abonnementet {sub_id} finnes ikke.")
    if actor.id not in (sub.owner_id, sub.user_id):
        require_edit(host, actor, f)
    s.delete(sub)
    s.flush()


def _recipients(s: Session, sub: FilterSubscription) -> list[User]:
    if sub.group is not None:
        people = s.scalars(select(User).where(User.groups.any(Group.id == sub.group_id)))
    else:
        people = [sub.user] if sub.user is not None else []
    return [u for u in people if u.active and u.email]


def deliver(host: Amsflow, s: Session, sub: FilterSubscription) -> int:
    """Mail the filter's first results to each recipient now; returns mails sent."""
    sent = 0
    for person in _recipients(s, sub):
        try:
            issues, total = search(host, s, sub.filter.jql, person, 0, MAIL_LIMIT)
        except JqlError as exc:
            raise MailError(f"filteret kan ikke kjøres: {exc.message}") from exc
        if not issues and not sub.email_on_empty:
            continue
        subject, text, html = compose(host, sub, person, issues, total)
        send_mail(host, [person.email], subject, text, html)
        sent += 1
    return sent


def _claim(s: Session, sub_id: int, due: object) -> bool:
    result = s.execute(update(FilterSubscription).where(
        FilterSubscription.id == sub_id,
        or_(FilterSubscription.last_due.is_(None), FilterSubscription.last_due < due))
        .values(last_due=due).execution_options(synchronize_session=False))
    s.commit()
    return result.rowcount == 1


def send_due(host: Amsflow) -> int:
    """The periodic task: mail every subscription whose latest due time is unsent."""
    now = host.now()
    sent = 0
    with host.db.new_session() as s:
        ids = list(s.scalars(select(FilterSubscription.id).order_by(FilterSubscription.id)))
    for sub_id in ids:
        with host.db.new_session() as s:
            sub = s.get(FilterSubscription, sub_id)
            if sub is None:
                continue
            try:
                due = schedule.latest_due(sub.kind, sub.time, sub.days, sub.cron, now)
            except (schedule.ScheduleError, ValueError, KeyError) as exc:
                log.warning("subscription %s: bad schedule: %s", sub_id, exc)
                continue
            if due < sub.created or (sub.last_due is not None and due <= sub.last_due):
                continue
            if not _claim(s, sub_id, due):
                continue
            sub = s.get(FilterSubscription, sub_id)
            try:
                sent += deliver(host, s, sub)
                sub.last_error = ""
            except MailError as exc:
                log.warning("subscription %s: %s", sub_id, exc)
                sub.last_error = str(exc)[:2000]
    return sent
