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
from core.services.issues import values_of
from core.workflow.engine import transition_issue

from .errors import LetterError
from .letterdata import LOCAL_TZ
from .models import LetterRecord
from .orders import (
    PLUGIN,
    ensure_reply_code,
    letter_data,
    letter_folder,
    render_settings,
    sender_for,
    template_source,
)
from .output import combined_name, write_print_file
from .render import RenderRun, render_run
from .workflow import prepared

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
) -> BulkResult:
    """Move ``issues`` through *Klar til utskrift*, each with its letter, plus print files."""
    started = time.perf_counter()
    result = BulkResult()
    by_project: dict[str, list[Issue]] = defaultdict(list)
    for issue in issues:
        by_project[issue.project.key].append(issue)
    for project, group in by_project.items():
        if host.plugins.enabled(project, PLUGIN):
            prepare(host, session, group)
    made: dict[str, list[int]] = defaultdict(list)
    runs = list(prepared(host).runs)
    for issue in issues:
        try:
            uow.run(
                host, session, lambda i=issue: transition_issue(host, session, user, i, transition)
            )
        except ServiceError as exc:
            result.failed[issue.key] = str(exc)
            continue
        result.moved.append(issue.key)
        made[issue.project.key].append(issue.id)
    _forget(host, issues, runs)
    for project, ids in made.items():
        if host.plugins.plugin_settings(project, PLUGIN).get("combined_file", True):
            whole = next((run for run_ids, run in runs if run_ids == ids), None)
            path = _print_file(host, session, project, ids, whole)
            if path is not None:
                result.print_files[project] = path
    result.seconds = time.perf_counter() - started
    return result


def prepare(host: Amsflow, session: Session, issues: Sequence[Issue]) -> None:
    """Reserve reply codes and render the letters of one project's orders ahead."""
    ahead = prepared(host)
    project = issues[0].project.key
    planned = [i for i in issues if values_of(host, i).get("planned_start") is not None]
    # Codes are kept once made (as the SMS plugin does), so one commit stores them all;
    # orders without a planned start are left for the transition's validator to refuse.
    system = host.system_user(session)
    codes = uow.run(
        host, session, lambda: [ensure_reply_code(host, session, i, system) for i in planned]
    )
    letters = []
    for issue, code in zip(planned, codes, strict=True):
        data = letter_data(host, issue, code)
        ahead.letters[issue.id] = data
        letters.append((issue.id, data))
    if not letters:
        return
    try:
        run = render_run(
            [data for _, data in letters],
            sender_for(host, project),
            template_source(host, session, project),
            render_settings(host.plugins.plugin_settings(project, PLUGIN)),
        )
    except LetterError as exc:
        log.error("bulk letter rendering for %s failed: %s", project, exc)
        for issue_id, _ in letters:
            ahead.errors[issue_id] = exc
        return
    for (issue_id, _), item in zip(letters, run.letters, strict=True):
        ahead.pdfs[issue_id] = item.pdf
    ahead.runs.append(([issue_id for issue_id, _ in letters], run))


def _forget(host: Amsflow, issues: Sequence[Issue], runs: list) -> None:
    ahead = prepared(host)
    ahead.runs = [entry for entry in ahead.runs if entry not in runs]
    for issue in issues:
        for store in (ahead.letters, ahead.pdfs, ahead.errors):
            store.pop(issue.id, None)


def _print_file(
    host: Amsflow, session: Session, project: str, ids: list[int], whole: RenderRun | None
) -> Path | None:
    """One PDF of the letters just made, in run order; noted on their letter records.

    When every rendered letter's order moved, the run's chunk PDFs make the file
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
    try:
        target = write_print_file(
            [p.read_bytes() for p in paths], letter_folder(host, project), name
        )
    except (OSError, LetterError) as exc:
        log.error("print file for %s failed: %s", project, exc)
        return None

    def note() -> None:
        for issue_id in ids:
            if issue_id in records:
                records[issue_id].combined_file = name

    uow.run(host, session, note)
    return target
