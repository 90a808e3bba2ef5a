"""One unit of work: run a service call, commit, or roll back cleanly.

Every caller (API view, web view, bulk task, job) goes through ``run`` so that a
failure leaves nothing half-done and a ``WorkflowAbort`` still leaves its comment
(for example "SMS kunne ikke sendes: ...") on the order after the rollback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..i18n import _
from .comments import keep_abort_comment
from .errors import Conflict

if TYPE_CHECKING:
    from ..host import Amsflow

T = TypeVar("T")


def run(host: Amsflow, session: Session, fn: Callable[[], T]) -> T:
    """Call ``fn`` and commit; on any error roll back and re-raise.

    A concurrent change of the same order (the version column) becomes a 409
    ``Conflict``; an aborted transition's comment is written after the rollback.
    """
    from ..workflow.context import WorkflowAbort

    try:
        result = fn()
        host.db.commit(session)
        return result
    except StaleDataError as exc:
        session.rollback()
        raise Conflict(_("Saken ble endret av noen andre samtidig. Last den inn på nytt.")) \
            from exc
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(_("Endringen kolliderte med en annen endring. Prøv igjen.")) from exc
    except WorkflowAbort as exc:
        session.rollback()
        if exc.comment and exc.issue_id:
            _keep_comment(host, session, exc)
        raise
    except BaseException:
        session.rollback()
        raise


def _keep_comment(host: Amsflow, session: Session, exc: Any) -> None:
    keep_abort_comment(host, session, exc.issue_id, exc.comment, exc.author_id)
    host.db.commit(session)
