"""Attachments: files kept under generated names in ``data_dir/attachments``.

The uploaded name is only a label (sanitised for display); the stored name is
random, so ``../../x`` cannot escape the folder. The size limit is
``max_attachment_mb``; a file over it is refused with 413 and nothing is kept.
A file written in a transaction that rolls back is removed again.
"""

from __future__ import annotations

import mimetypes
import re
import secrets
import unicodedata
from pathlib import Path
from typing import IO, TYPE_CHECKING

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from .. import permissions as perms
from ..i18n import _
from ..models import Attachment, Issue, User
from .errors import Forbidden, NotFound, TooLarge
from .ids import as_id, is_id

if TYPE_CHECKING:
    from ..host import Amsflow

CHUNK = 64 * 1024
_PENDING = "amsflow_new_attachment_files"
_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")


def folder(host: Amsflow) -> Path:
    path = host.data_dir / "attachments"
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(host: Amsflow, attachment: Attachment) -> Path:
    return folder(host) / attachment.stored_name


def display_name(raw: str | None) -> str:
    """The last path part of an uploaded name, without control or reserved characters."""
    name = unicodedata.normalize("NFC", str(raw or "")).replace("\\", "/").split("/")[-1]
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    return name[:200] or "vedlegg"


def max_bytes(host: Amsflow) -> int:
    return int(host.config["max_attachment_mb"] * 1024 * 1024)


def too_large(host: Amsflow, name: str) -> TooLarge:
    mb = host.config["max_attachment_mb"]
    return TooLarge(_("Filen '%(name)s' er for stor til å legges ved: største tillatte "
                      "størrelse er %(mb).2f MB.", name=name, mb=mb))


def add_attachment(host: Amsflow, session: Session, user: User | None, issue: Issue,
                   filename: str | None, stream: IO[bytes],
                   content_type: str | None = None) -> Attachment:
    """Store one uploaded file on the order (needs *attach*)."""
    perms.require(host, session, user, "attach", issue)
    name = display_name(filename)
    stored = secrets.token_hex(16)
    target = folder(host) / stored
    limit, size = max_bytes(host), 0
    try:
        with target.open("xb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise too_large(host, name)
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    _remove_on_rollback(session, target)
    mime = (content_type or "").split(";")[0].strip().lower()
    if not mime or mime == "application/octet-stream" or "/" not in mime:
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    now = host.now()
    att = Attachment(issue_id=issue.id, filename=name, stored_name=stored, size=size,
                     mime_type=mime[:100], author_id=user.id if user else None, created=now)
    att.author = user
    session.add(att)
    issue.updated = now
    session.flush()
    return att


def _remove_on_rollback(session: Session, target: Path) -> None:
    """Delete the written file if this transaction rolls back; forget it on commit."""
    pending: list[Path] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []

        def rolled_back(_session: Session) -> None:
            while pending:
                pending.pop().unlink(missing_ok=True)

        event.listen(session, "after_rollback", rolled_back)
        event.listen(session, "after_commit", lambda _s: pending.clear())
    pending.append(target)


def list_attachments(session: Session, issue: Issue) -> list[Attachment]:
    return list(session.scalars(select(Attachment).where(Attachment.issue_id == issue.id)
                                .order_by(Attachment.created, Attachment.id)))


def get_attachment(host: Amsflow, session: Session, user: User | None,
                   attachment_id: int | str) -> Attachment:
    """An attachment on an order the user can see; otherwise 404."""
    text = str(attachment_id)
    att = session.get(Attachment, as_id(text)) if is_id(text) else None
    if att is None:
        raise NotFound(_("Vedlegget '%(id)s' finnes ikke.", id=attachment_id))
    issue = session.get(Issue, att.issue_id)
    if issue is None or not perms.can_browse(host, session, user, issue):
        raise NotFound(_("Vedlegget '%(id)s' finnes ikke.", id=attachment_id))
    return att


def delete_attachment(host: Amsflow, session: Session, user: User | None,
                      attachment_id: int | str) -> None:
    """Delete (author with *attach*, or *administer*); the file goes after commit."""
    att = get_attachment(host, session, user, attachment_id)
    issue = session.get(Issue, att.issue_id)
    perms.require(host, session, user, "attach", issue)
    own = user is not None and att.author_id == user.id
    if not own and not perms.allowed(host, session, user, "administer", issue.project_id):
        raise Forbidden(_("Du kan bare slette dine egne vedlegg."))
    target = path_of(host, att)
    session.delete(att)
    session.flush()
    host.db.after_commit(session, lambda: target.unlink(missing_ok=True))



def delete_files_after_commit(host: Amsflow, session: Session, issue: Issue) -> None:
    """When an order is deleted its attachment rows go by cascade; remove the files
    once that is committed."""
    paths = [path_of(host, a) for a in list_attachments(session, issue)]
    host.db.after_commit(session, lambda: [p.unlink(missing_ok=True) for p in paths])
