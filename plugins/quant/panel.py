"""The *Quant* panel on the issue view: Quant's id, the last validation result and
the order's message log (in and out, status, attempts, last error)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from core.fields import OSLO
from core.registries import IssuePanel

from .labels import DIRECTIONS, kind_label, status_label
from .log import rows_of_issue
from .models import ACCEPTED, PENDING, REJECTED, SEND_FAILED, SENT
from .refs import ref_of

if TYPE_CHECKING:
    from core.host import Amsflow

LABELS = {
    PENDING: _l("Venter på utsending"),
    SENT: _l("Sendt til validering"),
    SEND_FAILED: _l("Utsending feilet"),
    ACCEPTED: _l("Godkjent"),
    REJECTED: _l("Avvist"),
}


def _when(moment: Any) -> str:
    return moment.astimezone(OSLO).strftime("%d.%m.%Y %H:%M") if moment else "–"


def quant_panel(host: Amsflow, issue: Any) -> IssuePanel | None:
    """A panel when Quant knows the order (it sent it, or it was sent for validation)."""
    session = host.db.session()
    ref = ref_of(session, issue)
    if ref is None:
        return None
    rows = [("Quant-ID", ref.external_id or "–"),
            (_("Validering"), LABELS.get(ref.validation_status, _("Ikke sendt")))]
    if ref.validation_reason:
        rows.append((_("Årsak"), ref.validation_reason))
    if ref.validation_at:
        rows.append((_("Tidspunkt"), _when(ref.validation_at)))
    if ref.cancelled_at:
        rows.append((_("Kansellert"), _when(ref.cancelled_at)))
    body = Markup("").join(
        Markup('<dt>{}</dt><dd data-quant="{}">{}</dd>').format(label, label.lower(), value)
        for label, value in rows)
    html = Markup('<dl class="quant-panel">{}</dl>').format(body) + _log_table(
        rows_of_issue(session, issue.id))
    return IssuePanel(title="Quant", html=html, id="quant-panel", order=60)


def _log_table(messages: list[Any]) -> Markup:
    if not messages:
        return Markup("")
    head = Markup("").join(Markup("<th>{}</th>").format(h) for h in (
        _("Tid"), _("Retning"), _("Melding"), _("Status"), _("Forsøk"), _("Siste feil")))
    body = Markup("").join(
        Markup('<tr data-message="{}" data-status="{}"><td class="nowrap">{}</td><td>{}</td>'
               '<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>').format(
            m.message_id, m.status, _when(m.created), DIRECTIONS.get(m.direction, ""),
            kind_label(m.kind), status_label(m.direction, m.status), m.attempts,
            m.last_error[:300])
        for m in messages)
    return Markup('<h4>{}</h4><table class="table quant-log"><thead><tr>{}</tr></thead>'
                  '<tbody>{}</tbody></table>').format(_("Meldingslogg"), head, body)
