"""Putting rendered letters into the project's letter folder.

Files are written to a temporary name and renamed, so a printer integration
watching the folder never picks up half a PDF; if any write fails, the files
of this run are removed again so a failed run leaves nothing behind.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .errors import FolderNotWritable
from .render import RenderedLetter, RenderRun, combine_pdfs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LetterFiles:
    """Where a run's letters went: one file per order, plus the combined print file."""

    letters: dict[str, Path]
    combined: Path | None = None


def check_folder(folder: Path) -> Path:
    """Create ``folder`` if needed and prove it can be written, else FolderNotWritable."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-", delete=True):
            pass
    except OSError as exc:
        log.error("letter folder %s is not writable: %s", folder, exc)
        raise FolderNotWritable(
            f"letter folder {folder} is not writable: {exc}",
            f"Brevet kunne ikke lagres: brevkatalogen «{folder}» finnes ikke "
            "eller er skrivebeskyttet.",
        ) from exc
    return folder


def _ensure_folder(folder: Path) -> None:
    """Cheaper than ``check_folder`` for every letter: a failed write is caught anyway."""
    if folder.is_dir():
        return
    check_folder(folder)


def combined_name(count: int, when: datetime | None = None) -> str:
    """``utskrift_2025-04-22_101500_25-brev.pdf``: sorts by time, tells how many."""
    moment = when or datetime.now()
    return f"utskrift_{moment:%Y-%m-%d_%H%M%S}_{count}-brev.pdf"


def write_letters(
    rendered: Sequence[RenderedLetter] | RenderRun, folder: Path, combined: str | None = None
) -> LetterFiles:
    """Write each letter as ``<stem>.pdf`` and, if ``combined`` is a name, the print file."""
    _ensure_folder(folder)
    run = rendered if isinstance(rendered, RenderRun) else None
    rendered = run.letters if run else rendered
    written: list[Path] = []
    paths: dict[str, Path] = {}
    try:
        for item in rendered:
            path = folder / f"{item.letter.file_stem}.pdf"
            _atomic_write(path, item.pdf)
            written.append(path)
            paths[item.letter.key] = path
        combined_path = None
        if combined:
            combined_path = folder / combined
            data = run.print_file() if run else combine_pdfs([item.pdf for item in rendered])
            _atomic_write(combined_path, data)
            written.append(combined_path)
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        raise FolderNotWritable(
            f"writing letters to {folder} failed: {exc}",
            f"Brevene kunne ikke lagres i brevkatalogen «{folder}»: {exc.strerror or exc}",
        ) from exc
    return LetterFiles(paths, combined_path)


def write_print_file(pdfs: Sequence[bytes], folder: Path, name: str) -> Path:
    """The print file of a bulk run: ``pdfs`` joined in order, as ``folder/name``."""
    check_folder(folder)
    target = folder / name
    try:
        _atomic_write(target, combine_pdfs(pdfs))
    except OSError as exc:
        raise FolderNotWritable(
            f"writing print file {target} failed: {exc}",
            f"Utskriftsfilen kunne ikke lagres i brevkatalogen «{folder}»: {exc.strerror or exc}",
        ) from exc
    return target


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pdf")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
