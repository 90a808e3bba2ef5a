"""An installer's confirmed orders as an iCalendar feed (RFC 5545, the ``icalendar``
package), for the calendar app on their phone: ``/bookit/feed/<token>.ics``.

The feed needs no login (calendar apps cannot log in); its address holds a random
token that the installer or a planner makes, and making a new one retires the old.
Only orders in a project's ``feed_statuses`` (confirmed with the customer) are in it,
from 30 days back to 90 days ahead.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from icalendar import Calendar, Event, vGeo
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.i18n import _
from core.models import Issue, User
from core.services.errors import Forbidden
from core.services.issues import values_of

from . import availability as av
from .models import InstallerProfile
from .schedule import booked
from .settings import project

if TYPE_CHECKING:
    from core.host import Amsflow


def new_token(host: Amsflow, session: Session, actor: User | None, user_id: int) -> str:
    """A fresh feed token for the installer (they themselves, or a planner)."""
    if actor is None or (actor.id != user_id and not av.can_edit(host, session, actor)):
        raise Forbidden(_("Bare montøren selv og planleggere kan lage kalenderlenken."))
    av.installer(host, session, user_id)
    row = session.get(InstallerProfile, user_id)
    if row is None:
        row = InstallerProfile(user_id=user_id, team="", skills="")
        session.add(row)
    row.feed_token = secrets.token_urlsafe(24)
    session.flush()
    return row.feed_token


def installer_of(session: Session, token: str) -> int | None:
    if not token or len(token) > 64:
        return None
    return session.scalar(select(InstallerProfile.user_id).where(
        InstallerProfile.feed_token == token))


def feed(host: Amsflow, session: Session, user_id: int) -> bytes:
    person = av.installer(host, session, user_id)
    now = host.now()
    found = booked(host, session, [user_id], now - timedelta(days=30), now + timedelta(days=90))
    issues = {i.id: i for i in session.scalars(select(Issue).where(
        Issue.id.in_([b.id for b in found])))} if found else {}
    cal = Calendar()
    cal.add("prodid", "-//amsflow//Bookit//NB")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"amsflow: {person.name}")
    for b in found:
        issue = issues[b.id]
        status = host.catalog.status_keys[issue.status_id]
        if status not in project(host, issue.project.key).get("feed_statuses", []):
            continue
        values = values_of(host, issue)
        ev = Event()
        ev.add("uid", f"{issue.key}@amsflow")
        ev.add("dtstamp", issue.updated)
        ev.add("dtstart", b.start)
        ev.add("dtend", b.end)
        ev.add("summary", f"{'! ' if values.get('important_info') else ''}{issue.key}: "
                          f"{issue.summary}")
        address = " ".join(str(values[k]) for k in ("address", "postcode", "post_town")
                           if values.get(k))
        if address:
            ev.add("location", address)
        if values.get("position"):
            ev.add("geo", vGeo(values["position"]))
        ev.add("description", "\n".join(x for x in (
            values.get("customer_name") or "", values.get("mobile") or "") if x))
        ev.add("sequence", issue.version)
        cal.add_component(ev)
    return cal.to_ical()
