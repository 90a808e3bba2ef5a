"""Shared letter fixtures: a sender with an embedded logo and a letter factory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from plugins.letters.letterdata import LetterData, Sender

STATIC = Path(__file__).resolve().parent.parent / "static"


@pytest.fixture
def sender() -> Sender:
    return Sender(
        name="Nettselskapet Ås AS",
        address_lines=("Postboks 12", "1430 Ås"),
        reply_number="2222",
        logo_data_uri=Sender.logo_from_file(STATIC / "logo.svg"),
        phone="64 00 00 00",
    )


@pytest.fixture
def make_letter() -> Callable[..., LetterData]:
    def make(number: int = 1, **overrides: object) -> LetterData:
        values: dict[str, object] = {
            "key": f"AMS-{number}",
            "customer_name": f"Åse Øvrebø Ærlig {number}",
            "address": f"Blåbærstien {number}",
            "postcode": "1430",
            "city": "Ås",
            "planned_start": datetime(2025, 4, 22, 10, 0) + timedelta(minutes=30 * (number % 8)),
            "reply_code": f"K{number:05d}",
            "installer": "Øystein Måløy",
            "estimate": timedelta(hours=1),
        }
        values.update(overrides)
        return LetterData(**values)  # type: ignore[arg-type]

    return make
