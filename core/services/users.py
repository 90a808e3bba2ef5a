"""Users, groups and project roles."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth import end_all_sessions, hash_password
from ..config import ROLES
from ..i18n import _
from ..models import Group, Project, ProjectRoleMember, User
from .errors import Conflict, InvalidInput


def create_user(session: Session, username: str, display_name: str, password: str = "",
                email: str = "", groups: tuple[str, ...] = (), locale: str = "nb") -> User:
    username = username.strip()
    if not username or len(username) > 100 or any(c.isspace() for c in username):
        raise InvalidInput(errors={"username": _("Ugyldig brukernavn.")})
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise Conflict(_("Brukeren '%(name)s' finnes allerede.", name=username))
    user = User(username=username, display_name=display_name, email=email, locale=locale,
                password_hash=hash_password(password) if password else "")
    user.groups = [get_or_create_group(session, g) for g in groups]
    session.add(user)
    session.flush()
    return user


def get_or_create_group(session: Session, name: str) -> Group:
    group = session.scalar(select(Group).where(Group.name == name))
    if group is None:
        group = Group(name=name)
        session.add(group)
        session.flush()
    return group


def grant_role(session: Session, project_key: str, role: str, user: User | None = None,
               group: Group | None = None) -> None:
    """Give a user or a group a project role (idempotent)."""
    if role not in ROLES:
        raise InvalidInput(errors={"role": _("Ukjent rolle '%(role)s'.", role=role)})
    project = session.scalar(select(Project).where(Project.key == project_key))
    if project is None:
        raise InvalidInput(errors={"project": _("Prosjektet '%(key)s' finnes ikke.",
                                                key=project_key)})
    exists = session.scalar(select(ProjectRoleMember).where(
        ProjectRoleMember.project_id == project.id, ProjectRoleMember.role == role,
        ProjectRoleMember.user_id == (user.id if user else None),
        ProjectRoleMember.group_id == (group.id if group else None)))
    if exists is None:
        session.add(ProjectRoleMember(project_id=project.id, role=role,
                                      user_id=user.id if user else None,
                                      group_id=group.id if group else None))
        session.flush()


def set_password(session: Session, user: User, password: str) -> None:
    """A new password; every session of the user ends (a stolen cookie with it)."""
    if len(password) < 8:
        raise InvalidInput(errors={"password": _("Passordet må ha minst 8 tegn.")})
    user.password_hash = hash_password(password)
    end_all_sessions(session, user)
