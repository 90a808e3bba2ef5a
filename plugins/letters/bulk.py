"""*Klar til utskrift* for many orders at once, fast.

One wkhtmltopdf process per letter would cap a bulk run at a few letters a
second, so the run first renders every letter in parallel chunks
(``render_run``), then moves the orders one transaction each (as Jira's bulk
change does: one order's failure does not undo the others). The post-function
finds its order's letter already made, provided the data it would print is the
same. Finally the letters of the orders that moved go into one print file.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import User
from core.services import uow
from core.services.errors import ServiceError
from core.workflow.engine import transition_issue

from . import ahead
from .errors import LetterError
from .letterdata import LOCAL_TZ
from .models import LetterRecord
from .orders import PLUGIN, letter_folder
from .output import combined_name, write_print_file

if TYPE_CHECKING:
    from core.host import Amsflow
    from core.models import Issue

log = logging.getLogger(__name__)
TRANSITION = "READY_TO_PRINT"


@dataclass
class BulkResult:
    """What a bulk run did: orders moved, orders refused (key -> why), print files."""

    moved: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    print_files: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0


def ready_to_print(
    host: Amsflow,
    session: Session,
    user: User | None,
    issues: Sequence[Issue],
    transition: str = TRANSITION,
    notify: bool = True,
) -> BulkResult:
    """Move ``issues`` through *Klar til utskrift*, each with its letter, plus print files.

    ``notify=False`` is bulk change's "send no notifications" (watchers get no mail).
    """
    started = time.perf_counter()
    result = BulkResult()
    by_project: dict[str, list[Issue]] = defaultdict(list)
    for issue in issues:
        by_project[issue.project.key].append(issue)
    windows = {
        project: ahead.prepare(host, session, group, managed=True)
        for project, group in by_project.items()
        if host.plugins.enabled(project, PLUGIN)
    }
    made: dict[str, list[int]] = defaultdict(list)
    silent = session.info.get("amsflow_silent")
    session.info["amsflow_silent"] = silent or not notify
    try:
        for issue in issues:
            try:
                uow.run(host, session, lambda i=issue: transition_issue(
                    host, session, user, i, transition))  # fmt: skip
            except ServiceError as exc:
                result.failed[issue.key] = str(exc)
                continue
            result.moved.append(issue.key)
            made[issue.project.key].append(issue.id)
    finally:
        session.info["amsflow_silent"] = silent
        ahead.forget(host, [issue.id for issue in issues])
    for project, ids in made.items():
        if host.plugins.plugin_settings(project, PLUGIN).get("combined_file", True):
            path = _print_file(host, session, project, ids, windows.get(project))
            if path is not None:
                result.print_files[project] = path
    result.seconds = time.perf_counter() - started
    return result


def _print_file(
    host: Amsflow, session: Session, project: str, ids: list[int], window: ahead.Window | None
) -> Path | None:
    """One PDF of the letters just made, in run order; noted on their letter records.

    When every prepared letter's order moved, the run's chunk PDFs make the file
    (few documents, shared fonts); otherwise the single letters are joined.
    """
    records = {
        r.issue_id: r
        for r in session.scalars(
            select(LetterRecord).where(LetterRecord.issue_id.in_(ids)).order_by(LetterRecord.id)
        )
    }
    paths = [Path(records[i].path) for i in ids if i in records]
    if not paths:
        return None
    name = combined_name(len(paths), host.now().astimezone(LOCAL_TZ))
    whole = window is not None and window.run is not None and window.ids == ids
    try:
        pdfs = window.run.parts if whole else [p.read_bytes() for p in paths]  # type: ignore[union-attr]
        target = write_print_file(pdfs, letter_folder(host, project), name)
    except (OSError, LetterError) as exc:
        log.error("print file for %s failed: %s", project, exc)
        return None

    def note() -> None:
        for issue_id in ids:
            if issue_id in records:
                records[issue_id].combined_file = name

    uow.run(host, session, note)
    return target
