"""The customer's page ``/b/<token>``: no login, one order, confirm / pick / call me.

Refusals (tampered, unknown, expired or used link; order no longer waiting for an
answer; slot just taken) are shown in words on the page with a 4xx status, and
change nothing.
"""

from __future__ import annotations

from typing import Any

from babel.dates import format_datetime
from flask import Blueprint, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from core.app import secret_key
from core.fields import OSLO
from core.models import Issue, User
from core.services.issues import get_value

from . import selfservice as ss
from . import tokens
from .slots import Slot

bp = Blueprint("bookit_public", __name__, template_folder="templates",
               static_folder="static", static_url_path="/static/bookit-public")


def _host() -> Any:
    return current_app.extensions["amsflow"]


def _refusal(reason: str) -> tuple[str, str, int]:
    texts = {
        tokens.TAMPERED: (_("This link is not valid"),
                          _("Check that the whole link from the message was copied."), 404),
        tokens.UNKNOWN: (_("This link is not valid"),
                         _("Check that the whole link from the message was copied."), 404),
        tokens.EXPIRED: (_("This link has expired"),
                         _("Reply to the message, or call us, and we will find a time."), 410),
        tokens.USED: (_("This link has already been used"),
                      _("Your answer is registered. Call us if you want to change it."), 410),
        ss.NOT_ASKING: (_("This order is no longer waiting for your answer"),
                        _("Call us if you want to change the time."), 409),
    }
    return texts.get(reason, texts[tokens.TAMPERED])


@bp.route("/b/<token>", methods=["GET", "POST"])
def page(token: str) -> Any:
    host = _host()
    session: Session = host.db.session()
    key = secret_key(host)
    try:
        link = tokens.resolve(host, session, key, token, lock=request.method == "POST")
        issue = session.get(Issue, link.issue_id)
        if issue is None or ss.status_of(host, issue) not in ss.ASKING:
            raise ss.ChoiceRefused(ss.NOT_ASKING)
    except (tokens.LinkRefused, ss.ChoiceRefused) as exc:
        session.rollback()
        title, text, status = _refusal(exc.reason)
        return render_template("bookit/selfservice.html", refused=True, refused_title=title,
                               refused_text=text), status
    settings = _settings(host, issue)
    message, is_error, done = "", False, ""
    if request.method == "POST":
        choice = request.form.get("choice", "")
        slot = _slot_from(request.form.get("slot", ""), settings.offered(session, issue))
        try:
            ss.choose(host, session, link, choice, settings.workflow, slot=slot,
                      holds=settings.holds(session))
            host.db.commit(session)
            done = {ss.CONFIRM: _("Thank you! The time is confirmed."),
                    ss.PICK: _("Thank you! Your new time is booked."),
                    ss.CALL_ME: _("Thank you! We will call you to find a time.")}[choice]
        except ss.ChoiceRefused as exc:
            session.rollback()
            message, is_error = {
                ss.SLOT_TAKEN: _("Sorry, that time was just taken. Please choose another."),
                ss.NO_SUCH_SLOT: _("Choose one of the times in the list."),
                ss.NOT_ASKING: _refusal(ss.NOT_ASKING)[0],
            }[exc.reason], True
            status = 409 if exc.reason in (ss.SLOT_TAKEN, ss.NOT_ASKING) else 400
            return _render(host, session, issue, settings, message, is_error, ""), status
    return _render(host, session, issue, settings, message, is_error, done)


def _render(host: Any, session: Session, issue: Issue, settings: Any, message: str,
            is_error: bool, done: str) -> str:
    start = get_value(host, issue, "planned_start")
    installer = session.get(User, issue.assignee_id) if issue.assignee_id else None
    slots = [] if done else [{"value": _slot_value(s), "label": _slot_label(s, session)}
                             for s in settings.offered(session, issue)]
    return render_template(
        "bookit/selfservice.html", refused=False, message=message,
        message_is_error=is_error, done=done, address=get_value(host, issue, "address"),
        when=_when(start), installer=installer.display_name if installer else "",
        slots=slots)


def _slot_value(slot: Slot) -> str:
    return f"{slot.installer}|{slot.start.isoformat()}"


def _slot_from(value: str, offered: list[Slot]) -> Slot | None:
    """The offered slot the form names; anything else is no slot."""
    return next((s for s in offered if _slot_value(s) == value), None)


def _when(moment: Any) -> str:
    """A time as the customer reads it: «mandag 7. desember kl. 09:00» (their language)."""
    if moment is None:
        return ""
    return format_datetime(moment, _("EEEE d. MMMM 'at' HH:mm"), tzinfo=OSLO,
                           locale=str(get_locale() or "nb"))


def _slot_label(slot: Slot, session: Session) -> str:
    return f"{_when(slot.start)}–{slot.end.astimezone(OSLO):%H:%M}"


def _settings(host: Any, issue: Issue) -> Any:
    from .offers import Offers

    return Offers.for_issue(host, issue)



def autoplan_page(host: Any, first: Any) -> dict[str, Any]:
    """What the calendar page's auto-planning panel needs (``_autoplan.html``)."""
    from flask import url_for

    from ..sidelist import DEFAULT_JQL

    projects = host.plugins.projects_enabling("bookit")
    return {
        "projects": projects, "jql": DEFAULT_JQL.replace(" ORDER BY key", ""),
        "firstDay": first.isoformat(), "lastDay": first.isoformat(),
        "center": [59.91, 10.75],
        "urls": {"proposals": url_for("api.post_api_post_proposal"),
                 "proposal": url_for("api.get_api_get_proposal", proposal_id="ID"),
                 "cancel": url_for("api.post_api_cancel_proposal", proposal_id="ID"),
                 "apply": url_for("api.post_api_apply_proposal", proposal_id="ID"),
                 "installers": url_for("api.get_api_get_installers"),
                 "browse": url_for("web.issue", key="KEY"),
                 "atlas": url_for("web.vendor_file",
                                  filename="world-atlas/countries-50m.json")}}
