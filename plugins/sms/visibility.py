"""Who may see and act on replies no order claimed (``/sms/unmatched``).

A reply holds a customer's number and words, so it is shown only to users who may
act on it: those with the ``edit`` permission (Planlegger, Administrator; not
Montør) in the project the reply came in for, where the SMS plugin is enabled.
A reply that names no project (logged before the webhook URL carried it) is shown
to users who may act in some SMS project; instance admins see all.
"""

from __future__ import annotations

from typing import Any

from core import permissions as perms


def acting_projects(host: Any, session: Any, user: Any) -> set[str]:
    """Keys of the SMS projects in which ``user`` may act on replies."""
    if user is None:
        return set()
    return {key for key in host.plugins.projects_enabling("sms")
            if key in host.catalog.project_ids
            and perms.allowed(host, session, user, "edit", host.catalog.project_ids[key])}


def may_see(host: Any, session: Any, user: Any, row: Any) -> bool:
    if perms.is_admin(host, user):
        return True
    projects = acting_projects(host, session, user)
    return bool(projects) and (not row.project_key or row.project_key.upper() in projects)
