"""The *Quant* panel on the issue view: Quant's id and the last validation result."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from core.fields import OSLO
from core.registries import IssuePanel

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


def quant_panel(host: Amsflow, issue: Any) -> IssuePanel | None:
    """A panel when Quant knows the order (it sent it, or it was sent for validation)."""
    ref = ref_of(host.db.session(), issue)
    if ref is None:
        return None
    rows = [("Quant-ID", ref.external_id or "–"),
            (_("Validering"), LABELS.get(ref.validation_status, _("Ikke sendt")))]
    if ref.validation_reason:
        rows.append((_("Årsak"), ref.validation_reason))
    if ref.validation_at:
        rows.append((_("Tidspunkt"), ref.validation_at.astimezone(OSLO).strftime("%d.%m.%Y %H:%M")))
    if ref.cancelled_at:
        rows.append((_("Kansellert"), ref.cancelled_at.astimezone(OSLO).strftime("%d.%m.%Y %H:%M")))
    body = Markup("").join(
        Markup('<dt>{}</dt><dd data-quant="{}">{}</dd>').format(label, label.lower(), value)
        for label, value in rows)
    html = Markup('<dl class="quant-panel">{}</dl>').format(body)
    return IssuePanel(title="Quant", html=html, id="quant-panel", order=60)
