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
from pathlib import Path
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from core.i18n import _
from core.services.attachments import add_attachment
from core.workflow.context import WorkflowContext

from . import ahead
from .errors import LetterError
from .letterdata import LOCAL_TZ, LetterData
from .models import LetterRecord
from .orders import (
    ensure_reply_code,
    letter_data,
    letter_folder,
    render_settings,
    sender_for,
    template_source,
)
from .output import combined_name, write_letters, write_print_file
from .render import RenderedLetter, render_pdf

log = logging.getLogger(__name__)
_WRITTEN = "letters_written_files"


def register(registry: Any) -> None:
    """Fill the registry (called from the ``register_workflow_functions`` hook)."""
    registry.post_function("letters.generate_letter")(generate_letter)
    registry.post_function("letters.mark_printed")(mark_printed)


def generate_letter(ctx: WorkflowContext, args: dict[str, Any]) -> None:
    """Give the order its reply code and its PDF letter (folder, attachment, log)."""
    host, session, issue = ctx.host, ctx.session, ctx.issue
    if ctx.value("planned_start") is None:
        raise ctx.abort("Brevet kunne ikke lages: ordren mangler planlagt starttid.")
    code = ctx.value("reply_code")
    if not code:
        code = ahead.reserved_code(host, session, issue.id)
        if code:
            ctx.set_fields({"reply_code": code})
        else:
            code = ensure_reply_code(host, session, issue)
    data = letter_data(host, issue, code)
    try:
        pdf = _letter_pdf(ctx, data, int(args.get("bulk_window", ahead.DEFAULT_WINDOW)))
        files = write_letters([RenderedLetter(data, pdf)], letter_folder(host, ctx.project_key))
        path = files.letters[data.key]
        _remove_on_rollback(session, path)
    except LetterError as exc:
        log.error("letter for %s failed: %s", issue.key, exc)
        raise ctx.abort(exc.user_message, comment=exc.user_message) from exc
    with session.no_autoflush:
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
    _print_window_when_done(ctx, issue.id)


def mark_printed(ctx: WorkflowContext, args: dict[str, Any]) -> None:
    """*Generer brev*: the order's latest letter is marked as produced."""
    record = latest_letter(ctx.session, ctx.issue.id)
    if record is None:
        raise ctx.abort(
            _("%(key)s har ikke noe brev ennå. Flytt ordren til «Klar til utskrift» "
              "for å lage brevet først.", key=ctx.issue.key)
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


def _letter_pdf(ctx: WorkflowContext, data: LetterData, window: int) -> bytes:
    """The letter made ahead, else made now, together with the rest of a core bulk task."""
    host, session, issue = ctx.host, ctx.session, ctx.issue
    pdf = ahead.take(host, issue.id, data)
    if pdf is not None:
        return pdf
    if window > 1 and ahead.window_of(host, issue.id) is None:
        from_id = host.catalog.status_ids[ctx.from_status]
        queued = ahead.pending_in_core_bulk(host, session, issue, from_id, window)
        if len(queued) > 1:
            ahead.prepare(host, session, queued, managed=False)
            pdf = ahead.take(host, issue.id, data)
            if pdf is not None:
                return pdf
    return render_pdf(
        data,
        sender_for(host, ctx.project_key),
        template_source(host, session, ctx.project_key),
        render_settings(ctx.settings),
    )


def _print_window_when_done(ctx: WorkflowContext, issue_id: int) -> None:
    """Once every letter of a window prepared for a core bulk task is used, write its
    print file (after commit, so a rolled-back chunk writes none)."""
    host = ctx.host
    window = ahead.window_of(host, issue_id)
    if window is None or window.managed or window.run is None:
        return
    if set(window.taken) != set(window.ids):
        return
    ahead.forget(host, window.ids)
    if not ctx.settings.get("combined_file", True):
        return
    folder = letter_folder(host, window.project)
    name = combined_name(len(window.ids), host.now().astimezone(LOCAL_TZ))
    parts = window.run.parts

    def write() -> None:
        try:
            write_print_file(parts, folder, name)
        except LetterError as exc:
            log.error("print file %s failed: %s", name, exc)

    host.db.after_commit(ctx.session, write)


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
