"""Who may see a saved filter: its owner, and whoever one of its shares reaches.

The rule is a SQL clause on ``SavedFilter`` so lists and popularity searches never
show a filter the user may not open. Seeing a filter never widens what its results
show: searches always apply the searcher's own browse permissions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, exists, false, or_, select
from sqlalchemy.orm import Session

from .. import permissions as perms
from ..i18n import _
from ..models import Group, Project, User
from ..services.errors import Forbidden, InvalidInput, NotFound
from ..services.ids import as_id, is_id
from .models import SHARE_TYPES, FilterShare, SavedFilter

if TYPE_CHECKING:
    from ..host import Amsflow


def share_reach(host: Amsflow, s: Session, user: User, share: Any) -> list[Any]:
    """Conditions on a share table (``FilterShare``, ``DashboardShare``: columns
    ``type``, ``user_id``, ``group_id``, ``project_id``, ``role``) true for the shares
    that reach ``user``; any one of them is enough."""
    reach = [share.type.in_(("global", "authenticated")), share.user_id == user.id]
    group_ids = [g.id for g in user.groups]
    if group_ids:
        reach.append(and_(share.type == "group", share.group_id.in_(group_ids)))
    for pid in perms.browsable_project_ids(host, s, user):
        reach.append(and_(share.type == "project", share.project_id == pid))
        roles = perms.roles_of(host, s, user, pid)
        if roles:
            reach.append(and_(share.type == "projectRole", share.project_id == pid,
                              share.role.in_(sorted(roles))))
    return reach


def visible_to(host: Amsflow, s: Session, user: User | None, item: Any, share: Any,
               shared_item: Any) -> Any:
    """WHERE clause: the shareable things (``item``: filters, dashboards) ``user`` owns
    or that a row of ``share`` (whose ``shared_item`` column points at ``item``)
    reaches; admins see all, nobody signed in sees none."""
    if user is None:
        return false()
    if perms.is_admin(host, user):
        return item.id.isnot(None)
    shared = exists().where(shared_item == item.id, or_(*share_reach(host, s, user, share)))
    return or_(item.owner_id == user.id, shared)


def visible_clause(host: Amsflow, s: Session, user: User | None) -> Any:
    """WHERE clause: the filters ``user`` may see (admins see every filter)."""
    return visible_to(host, s, user, SavedFilter, FilterShare, FilterShare.filter_id)


def can_see(host: Amsflow, s: Session, user: User | None, f: SavedFilter) -> bool:
    return bool(s.scalar(select(SavedFilter.id).where(
        SavedFilter.id == f.id, visible_clause(host, s, user))))


def can_edit(host: Amsflow, user: User | None, f: SavedFilter) -> bool:
    """Only the owner (or an administrator) changes a filter or its shares."""
    return user is not None and (f.owner_id == user.id or perms.is_admin(host, user))


def require_edit(host: Amsflow, user: User | None, f: SavedFilter) -> None:
    if not can_edit(host, user, f):
        raise Forbidden(_("Bare eieren kan endre filteret."))


def _role_name(host: Amsflow, ref: Any) -> str:
    from ..config import ROLES

    text = str(ref or "").strip()
    if is_id(text) and 0 < int(text) <= len(ROLES):
        return ROLES[int(text) - 1]
    for role in ROLES:
        if role.casefold() == text.casefold():
            return role
    raise InvalidInput(_("Ukjent prosjektrolle: %(name)r.", name=text),
                       {"projectRoleId": _("ukjent rolle")})


def role_id(role: str) -> int:
    """Jira clients expect numeric role ids: the role's place in the config's list."""
    from ..config import ROLES

    return ROLES.index(role) + 1 if role in ROLES else 0


def _project(s: Session, ref: Any) -> Project:
    text = str(ref or "").strip()
    numeric = text.isascii() and text.isdigit()
    stmt = select(Project).where(Project.id == as_id(text)) if numeric else \
        select(Project).where(Project.key == text.upper())
    found = s.scalar(stmt)
    if found is None:
        raise InvalidInput(_("Prosjektet %(name)r finnes ikke.", name=text),
                           {"projectId": _("ukjent prosjekt")})
    return found


def build_share(host: Amsflow, s: Session, share_cls: type, share_type: str, *,
                group: str | None = None, project: Any = None, role: Any = None,
                username: str | None = None, actor: User | None = None) -> Any:
    """A new (unsaved) ``share_cls`` row of ``share_type``, its target looked up;
    an unknown type, group, project, role or user is an InvalidInput, and so is a
    project ``actor`` may not browse (it answers as an unknown one)."""
    share_type = {"loggedin": "authenticated"}.get(share_type, share_type)
    if share_type not in SHARE_TYPES:
        raise InvalidInput(_("Ukjent delingstype: %(name)r.", name=share_type),
                           {"type": _("ukjent type")})
    share = share_cls(type=share_type)
    if share_type == "group":
        found = s.scalar(select(Group).where(Group.name == (group or "")))
        if found is None:
            raise InvalidInput(_("Gruppen %(name)r finnes ikke.", name=group),
                               {"groupname": _("ukjent gruppe")})
        share.group_id = found.id
    elif share_type in ("project", "projectRole"):
        proj = _project(s, project)
        if actor is not None and not perms.allowed(host, s, actor, "browse", proj.id):
            raise InvalidInput(_("Prosjektet %(name)r finnes ikke.", name=str(project)),
                               {"projectId": _("ukjent prosjekt")})
        share.project_id = proj.id
        if share_type == "projectRole":
            share.role = _role_name(host, role)
    elif share_type == "user":
        target = s.scalar(select(User).where(User.username == (username or "")))
        if target is None:
            raise InvalidInput(_("Brukeren %(name)r finnes ikke.", name=username),
                               {"userKey": _("ukjent")})
        share.user_id = target.id
    return share


def same_share(a: Any, b: Any) -> bool:
    return (a.type, a.group_id, a.project_id, a.role, a.user_id) == \
        (b.type, b.group_id, b.project_id, b.role, b.user_id)


def add_share(host: Amsflow, s: Session, actor: User, f: SavedFilter, share_type: str, *,
              group: str | None = None, project: Any = None, role: Any = None,
              username: str | None = None) -> FilterShare:
    """Share ``f`` (owner only). Duplicates are returned, not added twice."""
    require_edit(host, actor, f)
    share = build_share(host, s, FilterShare, share_type, group=group, project=project,
                        role=role, username=username, actor=actor)
    for existing in f.shares:
        if same_share(existing, share):
            return existing
    f.shares.append(share)
    s.flush()
    return share


def _name(value: Any, *keys: str) -> Any:
    """A Jira reference (``{"name": ...}``, ``{"id": ...}``) or the bare value."""
    if isinstance(value, dict):
        return next((value[k] for k in keys if value.get(k) not in (None, "")), None)
    return value


def add_jira_shares(host: Amsflow, s: Session, actor: User, f: SavedFilter,
                    permissions: Any) -> None:
    """Jira's ``sharePermissions`` of a filter body: ``[{"type": "group", "group":
    {"name": ...}}, {"type": "project", "project": {"id": ...}, "role": {"id": ...}},
    {"type": "loggedin"}, {"type": "user", "user": {"name": ...}}]``."""
    if permissions is None:
        return
    if not isinstance(permissions, list) or not all(isinstance(p, dict) for p in permissions):
        raise InvalidInput(errors={"sharePermissions": _("må være en liste av delinger")})
    for item in permissions:
        kind = str(item.get("type", ""))
        role = _name(item.get("role"), "id", "name")
        if kind == "project" and role is not None:
            kind = "projectRole"
        add_share(host, s, actor, f, kind,
                  group=_name(item.get("group"), "name", "groupname"),
                  project=_name(item.get("project"), "id", "key"), role=role,
                  username=_name(item.get("user"), "name", "key", "accountId"))


def remove_share(host: Amsflow, s: Session, actor: User, f: SavedFilter, share_id: int) -> None:
    require_edit(host, actor, f)
    for share in f.shares:
        if share.id == share_id:
            f.shares.remove(share)
            s.flush()
            return
    raise NotFound(_("Delingen %(id)s finnes ikke på filteret.", id=share_id))
