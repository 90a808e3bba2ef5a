"""Orders on the installers' phones: the test installer's day in known statuses and
times, one of them with important info and a difficult meter, and orders of
another installer and of nobody that must never reach the phone."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from core.demo.bulk import bulk_insert_orders
from core.fields import OSLO

TODAY = datetime.now(OSLO).replace(hour=0, minute=0, second=0, microsecond=0)


def at(days: int, hour: int, minute: int = 0) -> datetime:
    return TODAY + timedelta(days=days, hours=hour, minutes=minute)


# (summary, status, assignee, planned start, important, difficult); ELV-1 ... in order.
ORDERS = [
    ("Målerbytte Storgata 2", "ready", "installer", at(0, 12), False, False),
    ("Målerbytte Karl Johans gate 1", "ready", "installer", at(0, 8), True, True),
    ("Målerbytte Bygdøy allé 4", "in_progress", "installer", at(0, 10), False, False),
    ("Målerbytte Tromsø 5", "ready", "installer", at(1, 9), False, False),
    ("Målerbytte Grünerløkka 3", "ready", "installer2", at(0, 9), False, False),
    ("Målerbytte Bergen 7", "awaiting_response", "installer", at(0, 14), False, False),
    ("Målerbytte Lukket 8", "closed", "installer", at(-1, 9), False, False),
]


def place(host: Any, project: str, rows: list[tuple[Any, ...]]) -> None:
    orders = [{"summary": summary, "status": status, "assignee": assignee,
               "planned_start": start, "important_info": important,
               "difficult_meter": difficult, "customer_name": f"Kunde {n}",
               "address": f"Gate {n}", "postcode": "0150", "post_town": "Oslo",
               "mobile": f"+479000000{n}", "meter_number": f"M-{n}",
               "metering_point_id": f"70705700000000000{n}", "position": (59.91, 10.75),
               "description": f"Beskrivelse {n}"}
              for n, (summary, status, assignee, start, important, difficult)
              in enumerate(rows, 1)]
    bulk_insert_orders(host, project, orders, trust_rows=False)


@pytest.fixture
def day(host: Any, users: dict[str, Any]) -> dict[str, Any]:
    place(host, "ELV", ORDERS)
    return users


from tests.web.conftest import as_user  # noqa: E402, F401
