"""Words for the message log's kinds and statuses (panel and admin page)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import (
    DEAD,
    DELIVERED,
    DUPLICATE,
    IN,
    PROCESSED,
    QUEUED,
    REFUSED,
    RETRYING,
    SENDING,
    STALE,
    WAITING,
)

KINDS = {
    "order": _l("Ordre"), "batch": _l("Masseinntak"), "cancel": _l("Kansellering"),
    "validation": _l("Valideringsresultat"),
    "order.validation_requested": _l("Til validering"),
    "order.cancel_refused": _l("Kansellering avvist"),
}
STATUSES = {
    (IN, PROCESSED): _l("Behandlet"), (IN, DUPLICATE): _l("Duplikat"),
    (IN, REFUSED): _l("Avvist"), (IN, WAITING): _l("Venter på ordren"),
    (IN, STALE): _l("Utdatert, ignorert"),
    ("out", QUEUED): _l("I kø"), ("out", SENDING): _l("Sendes"),
    ("out", RETRYING): _l("Feilet, prøver igjen"), ("out", DELIVERED): _l("Levert"),
    ("out", DEAD): _l("Død (gitt opp)"),
}
DIRECTIONS = {IN: _l("Inn"), "out": _l("Ut")}


def kind_label(kind: str) -> str:
    return str(KINDS.get(kind, kind))


def status_label(direction: str, status: str) -> str:
    return str(STATUSES.get((direction, status), status))
