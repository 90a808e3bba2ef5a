"""What a bulk task does to one order, through the same services as a person."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from .. import permissions as perms
from ..i18n import _
from ..models import Issue, User
from ..services import watchers
from ..services.errors import InvalidInput
from ..services.issues import delete_issue, edit_issue, find_user
from ..workflow.engine import transition_issue

if TYPE_CHECKING:
    from ..host import Amsflow

OPERATIONS = ("edit", "transition", "watch", "unwatch", "delete")
PERMISSION_OF = {"edit": "edit", "transition": "transition", "watch": "watch",
                 "unwatch": "watch", "delete": "delete"}


def check_params(operation: str, params: dict[str, Any]) -> None:
    """Refuse a malformed operation before any order is touched."""
    if operation not in OPERATIONS:
        raise InvalidInput(errors={"operation": _("Ukjent operasjon '%(name)s'.", name=operation)})
    if operation == "edit":
        fields, each = params.get("fields"), params.get("each")
        if each is not None and not (isinstance(each, dict) and all(
                isinstance(v, dict) for v in each.values())):
            raise InvalidInput(errors={"each": _("Verdiene per sak må være et objekt per sak.")})
        if not isinstance(fields, dict) or not (fields or each):
            raise InvalidInput(errors={"fields": _("Velg minst ett felt å endre.")})
    if operation == "transition" and not params.get("transition"):
        raise InvalidInput(errors={"transition": _("Velg en overgang.")})


def apply(host: Amsflow, session: Session, user: User, issue: Issue, operation: str,
          params: dict[str, Any]) -> None:
    """Do the operation to one issue; raises a ServiceError when it cannot."""
    perms.require(host, session, user, "bulk_change", issue)
    if operation == "edit":
        # ``each`` gives orders their own values (a plan's assignee and start per order)
        own = (params.get("each") or {}).get(str(issue.id), {})
        edit_issue(host, session, user, issue, {**params["fields"], **own})
    elif operation == "transition":
        transition_issue(host, session, user, issue, params["transition"],
                         dict(params.get("fields") or {}), params.get("comment"))
    elif operation in ("watch", "unwatch"):
        target = find_user(session, params.get("user")) or user
        if operation == "watch":
            watchers.add_watcher(host, session, user, issue, target.username)
        else:
            watchers.remove_watcher(host, session, user, issue, target.username)
    elif operation == "delete":
        delete_issue(host, session, user, issue)
