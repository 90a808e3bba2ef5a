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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

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
class OrderAhead:
    """What was prepared for one order: its window, and until its post-function takes
    it the letter data it was rendered for with the PDF (or the render's error)."""

    window: Window
    letter: LetterData | None
    code: str | None = None  # a reply code reserved for it, not written yet
    pdf: bytes | None = None
    error: LetterError | None = None


@dataclass
class AheadState:
    """The render-ahead state of one app (``host.plugins.state``): per order what was
    prepared, and the core bulk tasks' queues of orders in run order."""

    orders: dict[int, OrderAhead] = field(default_factory=dict)
    tasks: dict[str, list[int]] = field(default_factory=dict)  # task id -> order ids
    task_of: dict[int, str] = field(default_factory=dict)  # order id -> its task

    def reserved_codes(self) -> set[str]:
        return {o.code for o in self.orders.values() if o.code is not None}


def prepared(host: Amsflow) -> AheadState:
    return host.plugins.state(PLUGIN, AheadState)


def _code_taken(host: Amsflow, session: Session, code: str) -> bool:
    fdef = host.fields["reply_code"]
    stmt = select(FieldValue.issue_id).where(
        FieldValue.field_id == fdef.id, FieldValue.value_str == code
    )
    with session.no_autoflush:  # the answer cannot depend on this order's pending changes
        return session.scalar(stmt.limit(1)) is not None


def reserved_code(host: Amsflow, session: Session, issue_id: int) -> str | None:
    """The code reserved for this order, if nobody took it since (then it is dropped)."""
    order = prepared(host).orders.get(issue_id)
    if order is None or order.code is None:
        return None
    code, order.code = order.code, None
    if _code_taken(host, session, code):
        return None
    return code


def prepare(host: Amsflow, session: Session, issues: Sequence[Issue], managed: bool) -> Window:
    """Reserve codes and render letters for one project's orders; writes nothing."""
    state = prepared(host)
    project = issues[0].project.key
    reserved = state.reserved_codes()
    window = Window(project, [], None, managed=managed)
    planned: list[OrderAhead] = []
    for issue in issues:
        values = values_of(host, issue)
        if values.get("planned_start") is None or issue.assignee_id is None:
            continue  # the transition's validator refuses it
        code, new_code = values.get("reply_code"), None
        if not code:
            code = new_code = generate_reply_code(
                lambda c: c in reserved or _code_taken(host, session, c))
            reserved.add(code)
        order = OrderAhead(window, letter_data(host, issue, code), code=new_code)
        state.orders[issue.id] = order
        window.ids.append(issue.id)
        planned.append(order)
    if not planned:
        return window
    try:
        window.run = render_run(
            [order.letter for order in planned],
            sender_for(host, project),
            template_source(host, session, project),
            render_settings(host.plugins.plugin_settings(project, PLUGIN)),
        )
    except LetterError as exc:
        log.error("rendering letters ahead for %s failed: %s", project, exc)
        for order in planned:
            order.error = exc
        return window
    for order, item in zip(planned, window.run.letters, strict=True):
        order.pdf = item.pdf
    return window


def take(host: Amsflow, issue_id: int, data: LetterData) -> bytes | None:
    """The letter made ahead for exactly ``data`` (or its error), else None. Either
    way the order's letter is used up; its window stays until ``forget``."""
    order = prepared(host).orders.get(issue_id)
    if order is None:
        return None
    letter, pdf, error = order.letter, order.pdf, order.error
    order.letter = order.pdf = order.error = None
    if letter != data:
        return None
    if error is not None:
        raise error
    if pdf is not None:
        order.window.taken.append(issue_id)
    return pdf


def window_of(host: Amsflow, issue_id: int) -> Window | None:
    order = prepared(host).orders.get(issue_id)
    return order.window if order is not None else None


def forget(host: Amsflow, issue_ids: Sequence[int]) -> None:
    orders = prepared(host).orders
    for issue_id in issue_ids:
        orders.pop(issue_id, None)


def task_starting(host: Amsflow, task_id: str, issues: Sequence[Issue]) -> None:
    """Note a core bulk task's pending orders of one project, in run order (from the
    ``bulk_task_starting`` hook), so a post-function can render its window ahead.

    With several runners per task only the runner that ends it hears
    ``bulk_task_finished``; the others' leftovers (letters rendered for orders another
    runner took) are dropped here, when this process starts its next task. An rq
    worker runs one task at a time; in process, an older task still running loses
    its letters made ahead and renders the rest one by one (still right, slower).
    """
    state = prepared(host)
    for other in [t for t in state.tasks if t != task_id]:
        task_finished(host, other)
    state.tasks.setdefault(task_id, []).extend(issue.id for issue in issues)
    for issue in issues:
        state.task_of[issue.id] = task_id


def task_finished(host: Amsflow, task_id: str) -> None:
    """Drop a finished core bulk task's queue and whatever was prepared but not taken."""
    state = prepared(host)
    ids = state.tasks.pop(task_id, [])
    for issue_id in ids:
        if state.task_of.get(issue_id) == task_id:
            del state.task_of[issue_id]
    forget(host, ids)


def pending_in_core_bulk(
    host: Amsflow, session: Session, issue: Issue, status_id: int, window: int = DEFAULT_WINDOW
) -> list[Issue]:
    """Orders queued after ``issue`` in the running core bulk task that holds it
    (itself included), in the same project and still in ``status_id``.

    ``status_id`` is the status the orders move from; the issue itself has already
    left it when its post-function runs.
    """
    state = prepared(host)
    task_id = state.task_of.get(issue.id)
    if task_id is None:
        return []
    queue = state.tasks.get(task_id, [])
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
