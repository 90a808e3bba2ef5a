"""CSV that a spreadsheet cannot run: OWASP's rule against formula injection.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read
by Excel and LibreOffice as a formula (``=HYPERLINK(...)``, ``-2+3+cmd|...``); such a
cell gets a leading ``'`` and every cell is quoted, so the value shows as text.
Every export (core or plugin) writes through :func:`writer`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class SafeWriter:
    """``csv.writer`` whose rows are neutralised (semicolons for Excel in Norway)."""

    def __init__(self, out: TextIO, delimiter: str = ";") -> None:
        self._writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n",
                                  quoting=csv.QUOTE_ALL)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([cell(v) for v in row])


def writer(out: TextIO, delimiter: str = ";") -> SafeWriter:
    return SafeWriter(out, delimiter)
