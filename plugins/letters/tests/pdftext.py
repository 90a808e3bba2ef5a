"""Reading generated letters back the way a test (or a person) would."""

from __future__ import annotations

import io
import re
from pathlib import Path

from pypdf import PdfReader


def pdf_pages(pdf: bytes | Path) -> list[str]:
    """Text per page, with wkhtmltopdf's tabs and line breaks folded to single spaces."""
    data = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    reader = PdfReader(io.BytesIO(data))
    return [re.sub(r"\s+", " ", page.extract_text()).strip() for page in reader.pages]


def pdf_text(pdf: bytes | Path) -> str:
    return " ".join(pdf_pages(pdf))


def text_position_mm(pdf: bytes, needle: str) -> tuple[float, float]:
    """(left, top) in millimetres of the first text run containing ``needle`` on page 1."""
    found: list[tuple[float, float]] = []
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    height = float(page.mediabox.height)

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if needle in re.sub(r"\s+", " ", text):
            x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            found.append((x / 72 * 25.4, (height - y) / 72 * 25.4))

    page.extract_text(visitor_text=visit)
    assert found, f"{needle!r} not found on the page"
    return found[0]
