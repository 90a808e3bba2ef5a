"""Comments on work orders: add, edit, delete, list.

Anyone with the *comment* permission on an order may comment; a comment may be
edited or deleted by its author, or by whoever may *administer* the project.
Plugins hear of a new comment through ``issue_commented`` after commit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import permissions as perms
from ..i18n import _
from ..models import Comment, Issue, User
from .errors import Forbidden, InvalidInput, NotFound
from .ids import as_id, is_id

if TYPE_CHECKING:
    from ..host import Amsflow

MAX_BODY = 32_000


def _clean(body: object) -> str:
    if not isinstance(body, str):
        raise InvalidInput(errors={"comment": _("Kommentaren må være tekst.")})
    text = body.strip()
    if not text:
        raise InvalidInput(errors={"comment": _("Kommentaren kan ikke være tom.")})
    if len(text) > MAX_BODY:
        raise InvalidInput(errors={"comment": _("Kommentaren kan ha høyst %(max)s tegn.",
                                                max=MAX_BODY)})
    return text


def list_comments(session: Session, issue: Issue) -> list[Comment]:
    """The order's comments, oldest first (browse permission is the caller's check)."""
    return list(session.scalars(select(Comment).where(Comment.issue_id == issue.id)
                                .order_by(Comment.created, Comment.id)))


def get_comment(session: Session, issue: Issue, comment_id: int | str) -> Comment:
    text = str(comment_id)
    comment = session.get(Comment, as_id(text)) if is_id(text) else None
    if comment is None or comment.issue_id != issue.id:
        raise NotFound(_("Kommentaren '%(id)s' finnes ikke.", id=comment_id))
    return comment


def add_comment(host: Amsflow, session: Session, user: User | None, issue: Issue,
                body: str, *, system: bool = False, flush: bool = True) -> Comment:
    """Add a comment, and tell plugins (watchers' mail too) once it is committed. The
    only way anything writes a comment: the API, the page, a transition's comment, a
    post-function (``ctx.add_comment``), an integration (``system``).

    ``flush=False`` leaves the INSERT to the caller's next flush: a transition writes
    its comment with its other statements (and a bulk chunk with the whole chunk's).
    """
    if not system:
        perms.require(host, session, user, "comment", issue)
    now = host.now()
    comment = Comment(issue_id=issue.id, body=_clean(body), author_id=user.id if user else None,
                      created=now, updated=now)
    comment.author = user
    session.add(comment)
    issue.updated = now
    if flush:
        host.db.flush(session)
    host.db.after_commit(session, lambda: host.plugins.issue_commented(
        host, issue, user, comment))
    return comment


def keep_abort_comment(host: Amsflow, session: Session, issue_id: int, body: str,
                       author_id: int | None) -> Comment | None:
    """The comment a ``ctx.abort(..., comment=...)`` keeps on the order after its
    transition was rolled back (in the caller's now clean transaction)."""
    issue = session.get(Issue, issue_id)
    if issue is None:
        return None
    author = session.get(User, author_id) if author_id else None
    return add_comment(host, session, author, issue, body, system=True)


def _may_change(host: Amsflow, session: Session, user: User | None, issue: Issue,
                comment: Comment) -> None:
    perms.require(host, session, user, "comment", issue)
    own = user is not None and comment.author_id == user.id
    if not own and not perms.allowed(host, session, user, "administer", issue.project_id):
        raise Forbidden(_("Du kan bare endre eller slette dine egne kommentarer."))


def edit_comment(host: Amsflow, session: Session, user: User | None, issue: Issue,
                 comment_id: int | str, body: str) -> Comment:
    comment = get_comment(session, issue, comment_id)
    _may_change(host, session, user, issue, comment)
    comment.body = _clean(body)
    comment.updated = host.now()
    session.flush()
    return comment


def delete_comment(host: Amsflow, session: Session, user: User | None, issue: Issue,
                   comment_id: int | str) -> None:
    comment = get_comment(session, issue, comment_id)
    _may_change(host, session, user, issue, comment)
    session.delete(comment)
    session.flush()
