"""Letters rendered ahead of their transitions, so bulk runs are fast.

Starting wkhtmltopdf costs about a third of a second, so rendering each order's
letter when its own transition runs would cap a bulk run at a few letters a
second. Instead a bulk run (ours in ``bulk.py``, or the core's bulk task, whose
pending orders the ``bulk_task_starting`` hook hands us) renders a window of
letters in parallel chunks first, with reply codes reserved but not yet written;
each order's post-function then takes its letter, provided the data it would
print is exactly the same.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import FieldValue, Issue
from core.services.issues import values_of
from plugins.sms.replycodes import generate_reply_code

from .errors import LetterError
from .letterdata import LetterData
from .orders import PLUGIN, letter_data, render_settings, sender_for, template_source
from .render import RenderRun, render_run

if TYPE_CHECKING:
    from core.host import Amsflow

log = logging.getLogger(__name__)
DEFAULT_WINDOW = 200


@dataclass
class Window:
    """One prepared group of letters, in order; ``taken`` grows as orders move."""

    project: str
    ids: list[int]
    run: RenderRun | None
    taken: list[int] = field(default_factory=list)
    managed: bool = False  # True when bulk.ready_to_print writes the print file itself


@dataclass
class Prepared:
    codes: dict[int, str] = field(default_factory=dict)
    letters: dict[int, LetterData] = field(default_factory=dict)
    pdfs: dict[int, bytes] = field(default_factory=dict)
    errors: dict[int, LetterError] = field(default_factory=dict)
    windows: dict[int, Window] = field(default_factory=dict)
    tasks: dict[str, list[int]] = field(default_factory=dict)  # core bulk task -> order ids
    task_of: dict[int, str] = field(default_factory=dict)


_prepared: weakref.WeakKeyDictionary[Any, Prepared] = weakref.WeakKeyDictionary()


def prepared(host: Amsflow) -> Prepared:
    if host not in _prepared:
        _prepared[host] = Prepared()
    return _prepared[host]


def _code_taken(host: Amsflow, session: Session, code: str) -> bool:
    fdef = host.fields["reply_code"]
    stmt = select(FieldValue.issue_id).where(
        FieldValue.field_id == fdef.id, FieldValue.value_str == code
    )
    with session.no_autoflush:  # the answer cannot depend on this order's pending changes
        return session.scalar(stmt.limit(1)) is not None


def reserved_code(host: Amsflow, session: Session, issue_id: int) -> str | None:
    """The code reserved for this order, if nobody took it since (then it is dropped)."""
    code = prepared(host).codes.pop(issue_id, None)
    if code is not None and _code_taken(host, session, code):
        return None
    return code


def prepare(host: Amsflow, session: Session, issues: Sequence[Issue], managed: bool) -> Window:
    """Reserve codes and render letters for one project's orders; writes nothing."""
    ahead = prepared(host)
    project = issues[0].project.key
    reserved = set(ahead.codes.values())
    letters: list[tuple[int, LetterData]] = []
    for issue in issues:
        values = values_of(host, issue)
        if values.get("planned_start") is None or issue.assignee_id is None:
            continue  # the transition's validator refuses it
        code = values.get("reply_code")
        if not code:
            code = generate_reply_code(lambda c: c in reserved or _code_taken(host, session, c))
            reserved.add(code)
            ahead.codes[issue.id] = code
        data = letter_data(host, issue, code)
        ahead.letters[issue.id] = data
        letters.append((issue.id, data))
    window = Window(project, [i for i, _ in letters], None, managed=managed)
    for issue_id in window.ids:
        ahead.windows[issue_id] = window
    if not letters:
        return window
    try:
        window.run = render_run(
            [data for _, data in letters],
            sender_for(host, project),
            template_source(host, session, project),
            render_settings(host.plugins.plugin_settings(project, PLUGIN)),
        )
    except LetterError as exc:
        log.error("rendering letters ahead for %s failed: %s", project, exc)
        for issue_id in window.ids:
            ahead.errors[issue_id] = exc
        return window
    for issue_id, item in zip(window.ids, window.run.letters, strict=True):
        ahead.pdfs[issue_id] = item.pdf
    return window


def take(host: Amsflow, issue_id: int, data: LetterData) -> bytes | None:
    """The letter made ahead for exactly ``data`` (or its error), else None."""
    ahead = prepared(host)
    planned = ahead.letters.pop(issue_id, None)
    pdf = ahead.pdfs.pop(issue_id, None)
    error = ahead.errors.pop(issue_id, None)
    if planned != data:
        return None
    if error is not None:
        raise error
    window = ahead.windows.get(issue_id)
    if window is not None and pdf is not None:
        window.taken.append(issue_id)
    return pdf


def forget(host: Amsflow, issue_ids: Sequence[int]) -> None:
    ahead = prepared(host)
    for issue_id in issue_ids:
        for store in (ahead.codes, ahead.letters, ahead.pdfs, ahead.errors, ahead.windows):
            store.pop(issue_id, None)


def task_starting(host: Amsflow, task_id: str, issues: Sequence[Issue]) -> None:
    """Note a core bulk task's pending orders of one project, in run order (from the
    ``bulk_task_starting`` hook), so a post-function can render its window ahead.

    With several runners per task only the runner that ends it hears
    ``bulk_task_finished``; the others' leftovers (letters rendered for orders another
    runner took) are dropped here, when this process starts its next task. An rq
    worker runs one task at a time; in process, an older task still running loses
    its letters made ahead and renders the rest one by one (still right, slower).
    """
    for other in [t for t in prepared(host).tasks if t != task_id]:
        task_finished(host, other)
    queue = prepared(host).tasks.setdefault(task_id, [])
    queue.extend(issue.id for issue in issues)
    position = prepared(host).task_of
    for issue in issues:
        position[issue.id] = task_id


def task_finished(host: Amsflow, task_id: str) -> None:
    """Drop a finished core bulk task's queue and whatever was prepared but not taken."""
    ahead = prepared(host)
    ids = ahead.tasks.pop(task_id, [])
    for issue_id in ids:
        if ahead.task_of.get(issue_id) == task_id:
            del ahead.task_of[issue_id]
    forget(host, ids)


def pending_in_core_bulk(
    host: Amsflow, session: Session, issue: Issue, status_id: int, window: int = DEFAULT_WINDOW
) -> list[Issue]:
    """Orders queued after ``issue`` in the running core bulk task that holds it
    (itself included), in the same project and still in ``status_id``.

    ``status_id`` is the status the orders move from; the issue itself has already
    left it when its post-function runs.
    """
    ahead = prepared(host)
    task_id = ahead.task_of.get(issue.id)
    if task_id is None:
        return []
    queue = ahead.tasks.get(task_id, [])
    try:
        at = queue.index(issue.id)
    except ValueError:
        return []
    out = []
    for issue_id in queue[at : at + window]:
        other = session.get(Issue, issue_id)
        if other is issue or (
            other is not None
            and other.project_id == issue.project_id
            and other.status_id == status_id
        ):
            out.append(other)
    return out
