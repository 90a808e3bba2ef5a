"""The workflow functions: ``letters.generate_letter`` and ``letters.mark_printed``.

Entering *Klar til utskrift* renders the order's letter (or takes the one a bulk
run rendered ahead, see ``bulk.py``), writes it to the project's folder, attaches
it and logs it. Any failure aborts the transition: the order keeps its status and
the core writes our comment after the rollback. Files written in a transaction
that rolls back are removed again.
"""

from __future__ import annotations

import io
import logging
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from core.services.attachments import add_attachment
from core.workflow.context import WorkflowContext

from .errors import LetterError
from .letterdata import LetterData
from .models import LetterRecord
from .orders import (
    ensure_reply_code,
    letter_data,
    letter_folder,
    render_settings,
    sender_for,
    template_source,
)
from .output import write_letters
from .render import RenderedLetter, RenderRun, render_pdf

if TYPE_CHECKING:
    from core.host import Amsflow

log = logging.getLogger(__name__)
_WRITTEN = "letters_written_files"


@dataclass
class Prepared:
    """Letters a bulk run rendered before moving its orders (per host)."""

    letters: dict[int, LetterData] = field(default_factory=dict)
    pdfs: dict[int, bytes] = field(default_factory=dict)
    errors: dict[int, LetterError] = field(default_factory=dict)
    # issue ids of each bulk run, in order, with the run (for a cheap print file)
    runs: list[tuple[list[int], RenderRun]] = field(default_factory=list)


_prepared: weakref.WeakKeyDictionary[Any, Prepared] = weakref.WeakKeyDictionary()


def prepared(host: Amsflow) -> Prepared:
    if host not in _prepared:
        _prepared[host] = Prepared()
    return _prepared[host]


def register(registry: Any) -> None:
    """Fill the registry (called from the ``register_workflow_functions`` hook)."""
    registry.post_function("letters.generate_letter")(generate_letter)
    registry.post_function("letters.mark_printed")(mark_printed)


def generate_letter(ctx: WorkflowContext, args: dict[str, Any]) -> None:
    """Give the order its reply code and its PDF letter (folder, attachment, log)."""
    host, session, issue = ctx.host, ctx.session, ctx.issue
    code = ensure_reply_code(host, session, issue)
    if ctx.value("planned_start") is None:
        raise ctx.abort("Brevet kunne ikke lages: ordren mangler planlagt starttid.")
    data = letter_data(host, issue, code)
    try:
        pdf = _take_or_render(host, session, issue.id, ctx.project_key, data)
        folder = letter_folder(host, ctx.project_key)
        files = write_letters([RenderedLetter(data, pdf)], folder)
        path = files.letters[data.key]
        _remove_on_rollback(session, path)
    except LetterError as exc:
        log.error("letter for %s failed: %s", issue.key, exc)
        raise ctx.abort(exc.user_message, comment=exc.user_message) from exc
    system = host.system_user(session)
    attachment = add_attachment(
        host, session, system, issue, path.name, io.BytesIO(pdf), "application/pdf"
    )
    session.add(
        LetterRecord(
            issue_id=issue.id,
            reply_code=code,
            filename=path.name,
            path=str(path),
            attachment_id=attachment.id,
            planned_start=data.planned_start,
            created=host.now(),
        )
    )
    ctx.add_comment(f"Brev laget: {path.name} (svarkode {code}). Brevet er lagt ved ordren.")


def mark_printed(ctx: WorkflowContext, args: dict[str, Any]) -> None:
    """*Generer brev*: the order's latest letter is marked as produced."""
    record = latest_letter(ctx.session, ctx.issue.id)
    if record is None:
        raise ctx.abort(
            f"{ctx.issue.key} har ikke noe brev ennå. Flytt ordren til «Klar til utskrift» "
            "for å lage brevet først."
        )
    record.printed = ctx.host.now()
    ctx.add_comment(f"Brev markert som produsert: {record.filename}.")


def latest_letter(session: Session, issue_id: int) -> LetterRecord | None:
    stmt = (
        select(LetterRecord)
        .where(LetterRecord.issue_id == issue_id)
        .order_by(LetterRecord.created.desc(), LetterRecord.id.desc())
    )
    return session.scalars(stmt.limit(1)).first()


def _take_or_render(
    host: Amsflow, session: Session, issue_id: int, project: str, data: LetterData
) -> bytes:
    """The PDF a bulk run made ahead for exactly this data, else a fresh render."""
    ahead = prepared(host)
    planned = ahead.letters.pop(issue_id, None)
    pdf = ahead.pdfs.pop(issue_id, None)
    error = ahead.errors.pop(issue_id, None)
    if planned == data:
        if error is not None:
            raise error
        if pdf is not None:
            return pdf
    return render_pdf(
        data,
        sender_for(host, project),
        template_source(host, session, project),
        render_settings(host.plugins.plugin_settings(project, "letters")),
    )


def _remove_on_rollback(session: Session, path: Path) -> None:
    pending: list[Path] | None = session.info.get(_WRITTEN)
    if pending is None:
        pending = session.info[_WRITTEN] = []

        def rolled_back(_session: Session) -> None:
            while pending:
                pending.pop().unlink(missing_ok=True)

        event.listen(session, "after_rollback", rolled_back)
        event.listen(session, "after_commit", lambda _s: pending.clear())
    pending.append(path)
