"""Booking letters to PDF, fast enough for a bulk run of a thousand orders.

Starting wkhtmltopdf costs about a third of a second, so letters are rendered
in chunks: one process turns a chunk of N letters into one PDF with a page
break between them, and pypdf splits it into one PDF per letter. Letters are
designed to fit one page; if a chunk's page count is not exactly N (some
letter ran over), that chunk is rendered again one letter per process, which
is slower but always right. Chunks run in parallel processes.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

from pypdf import PdfReader, PdfWriter

from .letterdata import LetterData, Sender
from .templating import default_template, render_document
from .wkhtml import html_to_pdf, mm_zoom


@dataclass(frozen=True)
class RenderSettings:
    """How to run the converter; defaults suit a two-core machine."""

    wkhtmltopdf: str | None = None
    chunk_size: int = 50
    workers: int = max(1, min(4, os.cpu_count() or 1))
    timeout: float = 300.0


@dataclass(frozen=True)
class RenderedLetter:
    """One letter's PDF next to the data it was made from."""

    letter: LetterData
    pdf: bytes


def render_pdf(
    letter: LetterData,
    sender: Sender,
    template_source: str | None = None,
    settings: RenderSettings = RenderSettings(),
    today: date | None = None,
) -> bytes:
    """One letter as a PDF (used for single orders and the admin's preview)."""
    return render_pdfs([letter], sender, template_source, settings, today)[0].pdf


def render_pdfs(
    letters: Sequence[LetterData],
    sender: Sender,
    template_source: str | None = None,
    settings: RenderSettings = RenderSettings(),
    today: date | None = None,
) -> list[RenderedLetter]:
    """A PDF per letter, in the order given; raises a LetterError if any fails."""
    return render_run(letters, sender, template_source, settings, today).letters


@dataclass(frozen=True)
class RenderRun:
    """A bulk run's letters, plus the chunk PDFs that make its print file cheaply."""

    letters: list[RenderedLetter]
    parts: list[bytes]

    def print_file(self) -> bytes:
        """All letters in one PDF; joins the chunk PDFs, which share their fonts."""
        return self.parts[0] if len(self.parts) == 1 else combine_pdfs(self.parts)


def render_run(
    letters: Sequence[LetterData],
    sender: Sender,
    template_source: str | None = None,
    settings: RenderSettings = RenderSettings(),
    today: date | None = None,
) -> RenderRun:
    """Render ``letters`` in chunks across parallel wkhtmltopdf processes."""
    if not letters:
        return RenderRun([], [])
    source = template_source if template_source is not None else default_template()
    size = max(1, settings.chunk_size)
    chunks = [list(letters[i : i + size]) for i in range(0, len(letters), size)]
    zoom = mm_zoom(settings.wkhtmltopdf, settings.timeout)
    # Build all HTML first so a template error surfaces before any letter is converted.
    documents = [render_document(chunk, sender, source, today, zoom) for chunk in chunks]

    def work(index: int) -> tuple[list[bytes], bytes]:
        return _render_chunk(chunks[index], documents[index], sender, source, settings, zoom, today)

    workers = max(1, min(settings.workers, len(chunks)))
    if workers == 1:
        results = [work(i) for i in range(len(chunks))]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(work, range(len(chunks))))
    pdfs = [pdf for chunk_pdfs, _ in results for pdf in chunk_pdfs]
    rendered = [RenderedLetter(letter, pdf) for letter, pdf in zip(letters, pdfs, strict=True)]
    return RenderRun(rendered, [part for _, part in results])


def _render_chunk(
    chunk: list[LetterData],
    document: str,
    sender: Sender,
    source: str,
    settings: RenderSettings,
    zoom: float,
    today: date | None,
) -> tuple[list[bytes], bytes]:
    """(one PDF per letter, the chunk as one PDF)."""
    combined = html_to_pdf(document, settings.wkhtmltopdf, settings.timeout)
    if len(chunk) == 1:
        return [combined], combined
    reader = PdfReader(io.BytesIO(combined))
    if len(reader.pages) == len(chunk):
        return [_page_pdf(reader, i) for i in range(len(chunk))], combined
    # Some letter ran over a page: page boundaries no longer tell letters apart.
    singles = [
        html_to_pdf(
            render_document([one], sender, source, today, zoom),
            settings.wkhtmltopdf,
            settings.timeout,
        )
        for one in chunk
    ]
    return singles, combined


def _page_pdf(reader: PdfReader, index: int) -> bytes:
    writer = PdfWriter()
    writer.add_page(reader.pages[index])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def combine_pdfs(pdfs: Sequence[bytes]) -> bytes:
    """One print file from many letters, in order (for the bulk run's printer)."""
    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(PdfReader(io.BytesIO(pdf)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
