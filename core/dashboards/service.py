"""Dashboards: create (empty or as a copy), read, change, delete, favourite, share,
and the last one each user looked at.

Services never commit; callers run them in one unit of work. Who may see a dashboard
follows the filters' rule (``core.filters.sharing``): its owner, whoever a share
reaches, and administrators. Only the owner (or an administrator) changes it; a
predefined one (no owner) is changed by administrators and by ``db upgrade``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.orm import Session, noload

from .. import permissions as perms
from ..filters.sharing import build_share, same_share, visible_to
from ..i18n import _
from ..models import User
from ..services.errors import Forbidden, InvalidInput, NotFound
from .models import (
    Dashboard,
    DashboardFavourite,
    DashboardGadget,
    DashboardLastUsed,
    DashboardShare,
)

MAX_COLUMNS = 3


def visible_clause(host: Any, s: Session, user: User | None) -> Any:
    """WHERE clause: the dashboards ``user`` may see (the filters' rule)."""
    return visible_to(host, s, user, Dashboard, DashboardShare, DashboardShare.dashboard_id)


def get_dashboard(host: Any, s: Session, user: User | None, dashboard_id: Any, *,
                  gadgets_only: bool = False) -> Dashboard:
    """The dashboard if ``user`` may see it; else 404. ``gadgets_only``: its shares and
    owner are not read (the data request needs only the gadgets)."""
    try:
        did = int(dashboard_id)
    except (TypeError, ValueError):
        raise NotFound(_("Dashbordet %(id)s finnes ikke.", id=dashboard_id)) from None
    stmt = select(Dashboard).where(Dashboard.id == did, visible_clause(host, s, user))
    if gadgets_only:
        stmt = stmt.options(noload(Dashboard.shares), noload(Dashboard.owner))
    d = s.scalar(stmt)
    if d is None:
        raise NotFound(_("Dashbordet %(id)s finnes ikke, eller du har ikke tilgang til det.",
                         id=dashboard_id))
    return d


def visible_gadget(host: Any, s: Session, user: User | None, dashboard_id: int,
                   gadget_id: int) -> DashboardGadget:
    """One gadget of a dashboard the user may see, in one query (the data request of
    each gadget needs neither the dashboard's other gadgets nor its shares)."""
    g = s.scalar(select(DashboardGadget).join(Dashboard, Dashboard.id ==
                                              DashboardGadget.dashboard_id)
                 .where(DashboardGadget.id == gadget_id,
                        DashboardGadget.dashboard_id == dashboard_id,
                        visible_clause(host, s, user)))
    if g is None:
        raise NotFound(_("Miniprogrammet %(id)s finnes ikke på dashbordet, eller du har ikke "
                         "tilgang til det.", id=gadget_id))
    return g


def can_edit(host: Any, user: User | None, d: Dashboard) -> bool:
    return user is not None and (d.owner_id == user.id or perms.is_admin(host, user))


def require_edit(host: Any, user: User | None, d: Dashboard) -> None:
    if not can_edit(host, user, d):
        raise Forbidden(_("Bare eieren kan endre dashbordet."))


def _name(name: Any) -> str:
    text = (name or "").strip() if isinstance(name, str) else ""
    if not text:
        raise InvalidInput(errors={"name": _("Dashbordet må ha et navn.")})
    if len(text) > 255:
        raise InvalidInput(errors={"name": _("Navnet er for langt (høyst 255 tegn).")})
    return text


def _columns(value: Any) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = 0
    if not 1 <= n <= MAX_COLUMNS:
        raise InvalidInput(errors={"columns": _("Velg 1, 2 eller 3 kolonner.")})
    return n


def create_dashboard(host: Any, s: Session, user: User, name: str, description: str = "",
                     *, copy_of: Dashboard | None = None, columns: int | None = None,
                     favourite: bool = True) -> Dashboard:
    """An empty dashboard, or a copy of ``copy_of`` (its layout and gadgets, not its
    shares: a copy is the new owner's until they share it)."""
    now = host.now()
    d = Dashboard(name=_name(name), description=description or "", owner_id=user.id,
                  columns=_columns(columns or (copy_of.columns if copy_of else 2)),
                  created=now, updated=now)
    if copy_of is not None:
        d.gadgets = [DashboardGadget(type=g.type, column=min(g.column, d.columns - 1),
                                     position=g.position, config=g.config)
                     for g in copy_of.gadgets]
    s.add(d)
    s.flush()
    if favourite:
        set_favourite(s, user, d, True)
    return d


def update_dashboard(host: Any, s: Session, user: User, d: Dashboard, *,
                     name: str | None = None, description: str | None = None,
                     columns: int | None = None) -> Dashboard:
    require_edit(host, user, d)
    if name is not None:
        d.name = _name(name)
    if description is not None:
        d.description = description
    if columns is not None:
        d.columns = _columns(columns)
        for g in d.gadgets:
            g.column = min(g.column, d.columns - 1)
    d.updated = host.now()
    s.flush()
    return d


def delete_dashboard(host: Any, s: Session, user: User, d: Dashboard) -> None:
    require_edit(host, user, d)
    s.delete(d)
    s.flush()


def set_favourite(s: Session, user: User, d: Dashboard, on: bool) -> None:
    found = s.get(DashboardFavourite, (d.id, user.id))
    if on and found is None:
        s.add(DashboardFavourite(dashboard_id=d.id, user_id=user.id))
    elif not on and found is not None:
        s.delete(found)
    s.flush()


def is_favourite(s: Session, user: User | None, d: Dashboard) -> bool:
    return user is not None and s.get(DashboardFavourite, (d.id, user.id)) is not None


def favourite_ids(s: Session, user: User) -> set[int]:
    return set(s.scalars(select(DashboardFavourite.dashboard_id)
                         .where(DashboardFavourite.user_id == user.id)))


def _popularity() -> Any:
    return (select(DashboardFavourite.dashboard_id, func.count().label("n"))
            .group_by(DashboardFavourite.dashboard_id).subquery())


def favourites(host: Any, s: Session, user: User) -> list[Dashboard]:
    """The user's starred dashboards they may still see, by name (the left menu)."""
    stmt = (select(Dashboard)
            .join(DashboardFavourite, DashboardFavourite.dashboard_id == Dashboard.id)
            .where(DashboardFavourite.user_id == user.id, visible_clause(host, s, user))
            .order_by(Dashboard.name, Dashboard.id))
    return list(s.scalars(stmt).unique())


def mine(s: Session, user: User) -> list[Dashboard]:
    return list(s.scalars(select(Dashboard).where(Dashboard.owner_id == user.id)
                          .order_by(Dashboard.name, Dashboard.id)).unique())


def search(host: Any, s: Session, user: User, text: str = "", *, popular: bool = False,
           limit: int = 100) -> list[tuple[Dashboard, int]]:
    """Visible dashboards whose name or description holds ``text``, most favourited
    first. ``popular``: only those shared with others that someone has starred
    (*Populær*)."""
    fav = _popularity()
    n = func.coalesce(fav.c.n, 0)
    stmt = (select(Dashboard, n).outerjoin(fav, fav.c.dashboard_id == Dashboard.id)
            .where(visible_clause(host, s, user)))
    if text.strip():
        needle = text.strip().lower()
        stmt = stmt.where(or_(func.lower(Dashboard.name).contains(needle),
                              func.lower(Dashboard.description).contains(needle)))
    if popular:
        stmt = stmt.where(n > 0, exists().where(DashboardShare.dashboard_id == Dashboard.id))
    stmt = stmt.order_by(n.desc(), Dashboard.name, Dashboard.id).limit(limit)
    return [(d, int(count)) for d, count in s.execute(stmt).unique()]


def popularity(s: Session, d: Dashboard) -> int:
    return int(s.scalar(select(func.count()).select_from(DashboardFavourite)
                        .where(DashboardFavourite.dashboard_id == d.id)) or 0)


def add_share(host: Any, s: Session, actor: User, d: Dashboard, share_type: str,
              **target: Any) -> DashboardShare:
    require_edit(host, actor, d)
    share = build_share(host, s, DashboardShare, share_type, actor=actor, **target)
    for existing in d.shares:
        if same_share(existing, share):
            return existing
    d.shares.append(share)
    s.flush()
    return share


def remove_share(host: Any, s: Session, actor: User, d: Dashboard, share_id: int) -> None:
    require_edit(host, actor, d)
    for share in d.shares:
        if share.id == share_id:
            d.shares.remove(share)
            s.flush()
            return
    raise NotFound(_("Delingen %(id)s finnes ikke på dashbordet.", id=share_id))


# -- where a user lands ---------------------------------------------------------------
def remember(host: Any, s: Session, user: User, d: Dashboard) -> None:
    row = s.get(DashboardLastUsed, user.id)
    if row is None:
        s.add(DashboardLastUsed(user_id=user.id, dashboard_id=d.id, used=host.now()))
    elif row.dashboard_id != d.id:
        row.dashboard_id, row.used = d.id, host.now()
    s.flush()


def landing(host: Any, s: Session, user: User) -> Dashboard | None:
    """The last used dashboard the user may still see; else their first favourite;
    else the first visible predefined one (in config order: the grid companies' before
    the instance's); else any visible one."""
    row = s.get(DashboardLastUsed, user.id)
    if row is not None:
        found = s.scalar(select(Dashboard).where(Dashboard.id == row.dashboard_id,
                                                 visible_clause(host, s, user)))
        if found is not None:
            return found
    favs = favourites(host, s, user)
    if favs:
        return favs[0]
    return s.scalar(select(Dashboard).where(visible_clause(host, s, user))
                    .order_by(Dashboard.system_key.is_(None), Dashboard.id).limit(1))


def clear_gadgets(s: Session, d: Dashboard) -> None:
    s.execute(delete(DashboardGadget).where(DashboardGadget.dashboard_id == d.id))
    s.expire(d, ["gadgets"])
