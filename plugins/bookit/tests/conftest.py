"""Installers and orders for the Bookit tests: the shared test users (``installer``
and ``installer2`` are Montør in both grid companies), a week in December 2026 and a
clock set to its Monday morning."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from core.demo.bulk import bulk_insert_orders
from core.fields import OSLO

MONDAY = date(2026, 12, 7)


def at(day: int, hh: int, mm: int = 0) -> datetime:
    """A wall-clock time in Oslo on 2026-12-``day``."""
    return datetime(2026, 12, day, hh, mm, tzinfo=OSLO)


def orders(host: Any, project: str, rows: list[dict[str, Any]]) -> list[str]:
    """Orders written as the demo loader writes them; returns their keys in order."""
    stats = bulk_insert_orders(host, project, [
        {"summary": f"Målerbytte {n}", "customer_name": f"Kunde {n}",
         "address": f"Gate {n}", "postcode": "0150", "post_town": "Oslo", **row}
        for n, row in enumerate(rows, 1)], trust_rows=False)
    first = int(stats.first_key.rsplit("-", 1)[1])
    return [f"{project}-{first + i}" for i in range(len(rows))]


@pytest.fixture
def clocked(host: Any) -> Any:
    host.clock = lambda: at(7, 7, 0)
    return host


from tests.web.conftest import as_user  # noqa: E402, F401
