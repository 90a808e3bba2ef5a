"""The e-mail of a filter subscription: a plain-text and an HTML table of the
first results, with a link to the search in the navigator (in Norwegian)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from ..fields import OSLO

if TYPE_CHECKING:
    from ..host import Amsflow
    from ..models import Issue, User
    from .models import FilterSubscription


def base_url(host: Amsflow) -> str:
    """Where links in mails point: ``plugins.filters.base_url`` in the instance config."""
    from .settings import settings

    return settings(host)["base_url"].rstrip("/")


def _row(host: Amsflow, issue: Issue) -> list[str]:
    st = host.all_statuses().get(issue.status.key)
    planned = ""
    fdef = host.fields.get("planned_start")
    if fdef is not None:
        for row in issue.values:
            if row.field_id == fdef.id and row.value_date is not None:
                planned = row.value_date.astimezone(OSLO).strftime("%d.%m.%Y %H:%M")
    return [issue.key, issue.summary, st.name if st else issue.status.name,
            issue.assignee.display_name if issue.assignee else "Ikke tildelt", planned]


def compose(host: Amsflow, sub: FilterSubscription, person: User, issues: list[Issue],
            total: int) -> tuple[str, str, str]:
    """Subject, text and HTML of one subscription mail."""
    f = sub.filter
    link = f"{base_url(host)}/navigator/?{urlencode({'filter': f.id})}"
    shown = len(issues)
    subject = f"[amsflow] {f.name}: {total} saker"
    head = ["Nøkkel", "Sammendrag", "Status", "Tildelt", "Planlagt start"]
    rows = [_row(host, i) for i in issues]
    more = f"Viser de {shown} første av {total} sakene." if total > shown else \
        f"{total} saker."
    text_lines = [f"Hei {person.display_name},", "",
                  f"Filteret «{f.name}» ({f.jql or 'alle saker'}): {more}", ""]
    text_lines += ["  ".join(r) for r in rows]
    text_lines += ["", f"Åpne søket: {link}"]
    cells: list[Any] = []
    for r in rows:
        cells.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>")
    html = (f"<p>Hei {escape(person.display_name)},</p>"
            f"<p>Filteret <b>{escape(f.name)}</b> (<code>{escape(f.jql)}</code>): "
            f"{escape(more)}</p>"
            "<table border='1' cellpadding='4' cellspacing='0'><tr>"
            + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>"
            + "".join(cells) + "</table>"
            f"<p><a href='{escape(link)}'>Åpne søket i amsflow</a></p>")
    return subject, "\n".join(text_lines), html
