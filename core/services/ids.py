"""Row ids as callers write them: ASCII digits within the id column's range.

``"²".isdigit()`` is true and ``int("²")`` fails; ``99999999999999999999`` overflows
the integer column. Either names no row, so lookups answer 404, never 500.
"""

from __future__ import annotations

from typing import Any

ID_MAX = 2**31 - 1  # INTEGER on PostgreSQL; SQLite's is wider


def as_id(value: Any) -> int | None:
    """The id ``value`` names, or None when it names none (not digits, out of range)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= ID_MAX else None
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if number <= ID_MAX else None


def is_id(value: Any) -> bool:
    return as_id(value) is not None
