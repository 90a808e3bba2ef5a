"""Who may do what: project roles and groups mapped to permissions by config.

Installers (roles in ``browse_own_only``) see only orders assigned to them; the
same rule is a SQL clause for searches and counts, so nothing leaks through a count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from .config import DEFAULT_PERMISSIONS
from .i18n import _
from .models import GroupMember, Issue, Project, ProjectRoleMember, User
from .services.errors import Forbidden

if TYPE_CHECKING:
    from .host import Amsflow

SYSTEM_USERNAME = "system"
ROLE_SEPARATOR = "\x1f"  # never in a role name


def is_system(user: User | None) -> bool:
    return user is not None and user.username == SYSTEM_USERNAME


def is_admin(host: Amsflow, user: User | None) -> bool:
    """Instance administrators: the configured admin group."""
    if user is None:
        return False
    return is_system(user) or any(g.name == host.config["admin_group"] for g in user.groups)


def roles_of(host: Amsflow, session: Session, user: User | None, project_id: int) -> set[str]:
    """The project roles a user holds directly or through a group (cached per session)."""
    if user is None:
        return set()
    cache = session.info.setdefault("amsflow_roles", {})
    key = (user.id, project_id)
    if key not in cache:
        rows = session.execute(select(ProjectRoleMember.role).where(
            _holds(user.id, project_id))).scalars()
        cache[key] = set(rows)
    return cache[key]


def _holds(user_id: int, project_id: Any) -> Any:
    """Role rows of a user in a project: held directly or through a group."""
    group_ids = select(GroupMember.group_id).where(GroupMember.user_id == user_id)
    return and_(ProjectRoleMember.project_id == project_id,
                or_(ProjectRoleMember.user_id == user_id,
                    ProjectRoleMember.group_id.in_(group_ids)))


def roles_column(user: User | None, project_id: Any) -> Any:
    """The user's roles in ``project_id`` (a column of the outer query) packed in one
    string, so the query that loads an order brings the caller's roles along instead
    of a second round trip; None for anonymous callers. See ``remember_roles``."""
    if user is None:
        return None
    return select(func.aggregate_strings(ProjectRoleMember.role, ROLE_SEPARATOR)) \
        .where(_holds(user.id, project_id)).scalar_subquery()


def remember_roles(session: Session, user: User | None, project_id: int,
                   packed: str | None) -> None:
    """Put roles read through ``roles_column`` in the session's ``roles_of`` cache."""
    if user is not None:
        cache = session.info.setdefault("amsflow_roles", {})
        cache.setdefault((user.id, project_id),
                         set(packed.split(ROLE_SEPARATOR)) if packed else set())


def allowed(host: Amsflow, session: Session, user: User | None, permission: str,
            project_id: int) -> bool:
    """Does the user hold ``permission`` in the project (by role or group)?"""
    if user is None:
        return False
    if is_admin(host, user):
        return True
    grants = host.config["permissions"].get(permission, DEFAULT_PERMISSIONS[permission])
    roles = roles_of(host, session, user, project_id)
    groups = {g.name for g in user.groups}
    return any(g in roles or (g.startswith("group:") and g[6:] in groups) for g in grants)


def can_browse(host: Amsflow, session: Session, user: User | None, issue: Issue) -> bool:
    if not allowed(host, session, user, "browse", issue.project_id):
        return False
    if is_admin(host, user) or not _own_only(host, session, user, issue.project_id):
        return True
    return issue.assignee_id == user.id  # type: ignore[union-attr]


def require(host: Amsflow, session: Session, user: User | None, permission: str,
            issue: Issue | None = None, project_id: int | None = None) -> None:
    """Raise Forbidden unless the user may; browsing is checked first for issues."""
    pid = issue.project_id if issue is not None else project_id
    if issue is not None and not can_browse(host, session, user, issue):
        raise Forbidden(_("Du har ikke tilgang til denne saken."))
    if pid is None or not allowed(host, session, user, permission, pid):
        raise Forbidden(_("Du mangler tillatelsen «%(permission)s» i dette prosjektet.",
                          permission=permission))


def _own_only(host: Amsflow, session: Session, user: User | None, project_id: int) -> bool:
    """True when every browsing role the user has is an own-only role."""
    roles = roles_of(host, session, user, project_id)
    grants = host.config["permissions"].get("browse", DEFAULT_PERMISSIONS["browse"])
    own = set(host.config["browse_own_only"])
    full = {r for r in roles if r in grants and r not in own}
    groups = {g.name for g in user.groups} if user else set()
    full |= {g for g in grants if g.startswith("group:") and g[6:] in groups}
    return not full


def browse_clause(host: Amsflow, session: Session, user: User | None) -> Any:
    """A WHERE clause on ``Issue`` limiting any query to what the user may browse."""
    if user is None:
        return false()
    if is_admin(host, user):
        return true()
    projects = list(session.execute(select(Project)).scalars())
    full, parts = [], []
    for project in projects:
        if not allowed(host, session, user, "browse", project.id):
            continue
        if _own_only(host, session, user, project.id):
            parts.append(and_(Issue.project_id == project.id, Issue.assignee_id == user.id))
        else:
            full.append(project.id)
    if len(full) == len(projects):
        # Every order is visible: no condition, so a count can be an index-only scan.
        return true()
    if full:  # one IN, not an OR of equalities, which PostgreSQL only serves by a seq scan
        parts.insert(0, Issue.project_id.in_(full))
    return or_(*parts) if parts else false()


def browsable_project_ids(host: Amsflow, session: Session, user: User | None) -> list[int]:
    return [p.id for p in session.execute(select(Project)).scalars()
            if allowed(host, session, user, "browse", p.id)]
