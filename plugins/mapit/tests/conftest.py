"""Orders placed on the map for the mapit tests: a few in and around Oslo in known
statuses, one without a position, one in the other grid company."""

from __future__ import annotations

from typing import Any

import pytest

from core.demo.bulk import bulk_insert_orders
from core.filters.service import create_filter

# (summary, status, assignee, (lat, lon) or None); keys are ELV-1 ... in this order.
ELV_ORDERS = [
    ("Målerbytte Karl Johans gate 1", "open", None, (59.9133, 10.7389)),
    ("Målerbytte Storgata 2", "ready", "installer", (59.9150, 10.7500)),
    ("Målerbytte Grünerløkka 3", "manual_followup", None, (59.9230, 10.7590)),
    ("Målerbytte Bygdøy allé 4", "rejected_quant", "installer", (59.9140, 10.7100)),
    ("Målerbytte Tromsø 5", "planning", "installer2", (69.6496, 18.9560)),
    ("Målerbytte uten posisjon 6", "open", "installer", None),
    ("Målerbytte Bergen 7", "awaiting_response", None, (60.3913, 5.3221)),
]
OSLO_BOX = "10.6,59.85,10.85,59.95"


def place(host: Any, project: str, rows: list[tuple[Any, ...]]) -> None:
    """Orders in given statuses and positions, written as the demo loader writes them."""
    orders = [{"summary": summary, "status": status, "assignee": assignee,
               "position": pos, "customer_name": f"Kunde {n}", "address": f"Gate {n}",
               "postcode": "0150", "post_town": "Oslo"}
              for n, (summary, status, assignee, pos) in enumerate(rows, 1)]
    bulk_insert_orders(host, project, orders, trust_rows=False)


@pytest.fixture
def placed(host: Any, users: dict[str, Any]) -> dict[str, Any]:
    place(host, "ELV", ELV_ORDERS)
    place(host, "FJN", [("Målerbytte Fjordveien 1", "open", None, (59.9100, 10.7300))])
    return users


@pytest.fixture
def oslo_filter(host: Any, placed: dict[str, Any]) -> int:
    """The planner's favourite filter of ELV's open and alert orders."""
    s = host.db.session()
    f = create_filter(host, s, placed["planner"], "Oslo åpne",
                      'project = ELV AND status in (Åpen, "Manuell oppfølging")')
    host.db.commit(s)
    return f.id


# The web tests' logged-in test client, shared rather than written again.
from tests.web.conftest import as_user  # noqa: E402, F401
