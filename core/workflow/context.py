"""What a condition, validator or post-function sees of the transition it serves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

from sqlalchemy.orm import Session

from ..models import Comment, Issue, User
from ..services.errors import InvalidInput, ServiceError
from .model import Transition, Workflow

if TYPE_CHECKING:
    from ..host import Amsflow


class ValidationFailed(InvalidInput):
    """A validator's verdict: field id -> message, shown next to the field."""


class WorkflowAbort(ServiceError):
    """A post-function stops the transition: everything rolls back, and ``comment``
    (if any) is then written on its own so the order keeps a record of why."""

    status = 400

    def __init__(self, message: str, comment: str | None = None, issue_id: int | None = None,
                 status: int | None = None, author_id: int | None = None):
        super().__init__(message)
        self.comment = comment
        self.issue_id = issue_id
        self.author_id = author_id
        if status:
            self.status = status


@dataclass
class WorkflowContext:
    host: Amsflow
    session: Session
    user: User | None
    issue: Issue
    workflow: Workflow
    transition: Transition
    from_status: str
    to_status: str
    inputs: dict[str, Any] = field(default_factory=dict)
    comment: str | None = None
    plugin: str = "core"
    chained: list[tuple[str, str | None]] = field(default_factory=list)
    settlers: list[Callable[[], None]] = field(default_factory=list)

    @property
    def project_key(self) -> str:
        return self.issue.project.key

    @property
    def settings(self) -> dict[str, Any]:
        """The settings the issue's project gives the plugin that owns this function."""
        return self.host.plugins.plugin_settings(self.project_key, self.plugin)

    def value(self, name: str) -> Any:
        from ..services.issues import get_value

        if name in ("assignee", "reporter", "summary", "description"):
            return getattr(self.issue, name)
        if name == "resolution":
            return self.issue.resolution
        return get_value(self.host, self.issue, name)

    def set_fields(self, changes: dict[str, Any]) -> None:
        """Set fields as the system (post-functions may write read-only fields), in the
        transition's change group; ``issue_updated`` follows the commit."""
        from ..services.issues import set_fields

        set_fields(self.host, self.session, self.user, self.issue, changes)

    def add_comment(self, body: str, author: User | None = None) -> Comment:
        """A comment written with the transition (``issue_commented`` after commit)."""
        from ..services.comments import add_comment

        return add_comment(self.host, self.session, author or self.user, self.issue, body,
                           system=True, flush=False)

    def enqueue(self, job: str, **kwargs: Any) -> None:
        """Queue a slow side effect; it is sent only if the transition commits."""
        self.host.db.after_commit(self.session, lambda: self.host.jobs.enqueue(job, **kwargs))

    def settle_after_flush(self, fn: Callable[[], None]) -> None:
        """Call ``fn`` once the transition's changes are flushed, before it returns.

        For a post-function that started something outside the database and must
        know how it went before the transition may stand (an SMS in flight): the
        transition's own statements run meanwhile, and ``fn`` may still raise
        WorkflowAbort to roll it all back."""
        self.settlers.append(fn)

    def chain(self, transition_ref: str, comment: str | None = None) -> None:
        """Run another transition right after this one, in the same transaction."""
        self.chained.append((transition_ref, comment))

    def abort(self, message: str, comment: str | None = None) -> NoReturn:
        """Stop the transition: roll everything back, show ``message``, keep
        ``comment`` on the order. Raises itself (``raise ctx.abort(...)`` reads the
        same and works too)."""
        raise WorkflowAbort(message, comment, self.issue.id,
                            author_id=self.user.id if self.user else None)
