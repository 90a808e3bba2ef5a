"""*Fra montørens telefon* on the issue view: installer input that met a conflict
(the order changed or was cancelled while the phone was offline), kept for a planner
to act on. Installers see only their own orders anyway; the panel is for planners."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from flask import render_template
from markupsafe import Markup
from sqlalchemy import select

from core import permissions as perms
from core.fields import OSLO
from core.i18n import _
from core.models import Issue, User
from core.registries import IssuePanel

from .models import CONFLICT, MobileAction

if TYPE_CHECKING:
    from core.host import Amsflow


def kind_labels() -> dict[str, str]:
    return {"start": _("Start"), "resolve": _("Løst"), "comment": _("Kommentar"),
            "photo": _("Bilde"), "extra": _("Tilleggsarbeid"), "deviation": _("Avvik")}


def kept(host: Amsflow, issue: Issue) -> list[dict[str, Any]]:
    """The conflicting input kept on this order, oldest first."""
    s = host.db.session()
    rows = s.execute(select(MobileAction, User.display_name)
                     .join(User, User.id == MobileAction.user_id)
                     .where(MobileAction.issue_id == issue.id,
                            MobileAction.outcome == CONFLICT)
                     .order_by(MobileAction.id)).all()
    labels = kind_labels()
    return [{"who": who, "when": row.created.astimezone(OSLO).strftime("%d.%m.%Y %H:%M"),
             "kind": labels.get(row.kind, row.kind),
             "input": {k: v for k, v in json.loads(row.payload).items()
                       if v not in (None, "") and k not in ("clientId", "issue", "type")},
             "answer": " ".join(json.loads(row.result).get("errorMessages", []))}
            for row, who in rows]


def panel(host: Amsflow, issue: Issue, user: User | None) -> list[IssuePanel]:
    if user is None or not perms.allowed(host, host.db.session(), user, "edit",
                                         issue.project_id):
        return []
    rows = kept(host, issue)
    if not rows:
        return []
    html = render_template("mobile/panel.html", rows=rows)
    return [IssuePanel(title=_("Fra montørens telefon"), html=Markup(html), id="mobile",
                       order=30)]
