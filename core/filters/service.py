"""Saved filters: create, read, change, delete, favourite and hand over.

Services never commit; callers run them in one unit of work. A filter's JQL is
checked when saved (compiled as the owner would run it), so a broken query is a
400 naming the problem rather than a filter that fails later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..i18n import _
from ..jql import JqlError, compile_query, parse
from ..models import User
from ..services.errors import InvalidInput, NotFound
from ..services.ids import as_id
from .models import FilterFavourite, SavedFilter
from .sharing import require_edit, visible_clause

if TYPE_CHECKING:
    from ..host import Amsflow


def check_jql(host: Amsflow, s: Session, user: User | None, jql: str) -> None:
    """Raise InvalidInput (Jira's wording) when ``jql`` does not parse or compile."""
    try:
        compile_query(host, parse(jql), user, s)
    except JqlError as exc:
        raise InvalidInput(errors={"jql": exc.message}) from None


def _check_name(s: Session, owner_id: int, name: str, except_id: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput(errors={"filterName": _("Filteret må ha et navn.")})
    if len(name) > 255:
        raise InvalidInput(errors={"filterName": _("Navnet er for langt (høyst 255 tegn).")})
    clash = s.scalar(select(SavedFilter.id).where(SavedFilter.owner_id == owner_id,
                                                  SavedFilter.name == name))
    if clash is not None and clash != except_id:
        raise InvalidInput(errors={"filterName": _("Du har allerede et filter som heter "
                                                   "«%(name)s».", name=name)})
    return name


def get_filter(host: Amsflow, s: Session, user: User | None, filter_id: int | str) -> SavedFilter:
    """The filter if ``user`` may see it; else 404 (as if it did not exist)."""
    fid = as_id(filter_id)
    if fid is None:
        raise NotFound(_("Filteret %(id)s finnes ikke.", id=filter_id)) from None
    f = s.scalar(select(SavedFilter).where(SavedFilter.id == fid,
                                           visible_clause(host, s, user)))
    if f is None:
        raise NotFound(_("Filteret %(id)s finnes ikke, eller du har ikke tilgang til det.",
                         id=filter_id))
    return f


def create_filter(host: Amsflow, s: Session, user: User, name: str, jql: str,
                  description: str = "", favourite: bool = True,
                  columns: str = "") -> SavedFilter:
    name = _check_name(s, user.id, name)
    check_jql(host, s, user, jql or "")
    now = host.now()
    f = SavedFilter(name=name, description=description or "", owner_id=user.id,
                    jql=jql or "", columns=columns or "", created=now, updated=now)
    s.add(f)
    s.flush()
    if favourite:
        set_favourite(s, user, f, True)
    return f


def update_filter(host: Amsflow, s: Session, user: User, f: SavedFilter, *,
                  name: str | None = None, description: str | None = None,
                  jql: str | None = None, favourite: bool | None = None,
                  columns: str | None = None) -> SavedFilter:
    """Change the given attributes; only the owner may (favourite is anyone's own)."""
    if any(v is not None for v in (name, description, jql, columns)):
        require_edit(host, user, f)
    if name is not None:
        f.name = _check_name(s, f.owner_id, name, except_id=f.id)
    if description is not None:
        f.description = description
    if jql is not None:
        check_jql(host, s, user, jql)
        f.jql = jql
    if columns is not None:
        f.columns = columns
    if favourite is not None:
        set_favourite(s, user, f, favourite)
    f.updated = host.now()
    s.flush()
    return f


def delete_filter(host: Amsflow, s: Session, user: User, f: SavedFilter) -> None:
    require_edit(host, user, f)
    s.delete(f)
    s.flush()


def change_owner(host: Amsflow, s: Session, user: User, f: SavedFilter,
                 new_owner: str) -> SavedFilter:
    """Hand the filter to another user (owner or admin); the name must be free there."""
    require_edit(host, user, f)
    target = s.scalar(select(User).where(User.username == (new_owner or "")))
    if target is None or not target.active:
        raise InvalidInput(errors={"owner": _("Brukeren «%(name)s» finnes ikke.", name=new_owner)})
    _check_name(s, target.id, f.name, except_id=f.id)
    f.owner_id = target.id
    f.updated = host.now()
    s.flush()
    s.refresh(f)
    return f


def set_favourite(s: Session, user: User, f: SavedFilter, on: bool) -> None:
    if on and not is_favourite(s, user, f):
        s.add(FilterFavourite(filter_id=f.id, user_id=user.id))
    elif not on:
        s.execute(delete(FilterFavourite).where(FilterFavourite.filter_id == f.id,
                                                FilterFavourite.user_id == user.id))
    s.flush()


def is_favourite(s: Session, user: User | None, f: SavedFilter) -> bool:
    if user is None:
        return False
    return s.get(FilterFavourite, (f.id, user.id)) is not None


def popularity(s: Session, f: SavedFilter) -> int:
    """How many users have the filter as a favourite."""
    return int(s.scalar(select(func.count()).select_from(FilterFavourite)
                        .where(FilterFavourite.filter_id == f.id)) or 0)


def favourites(host: Amsflow, s: Session, user: User) -> list[SavedFilter]:
    """The user's favourite filters that they may still see, by name."""
    stmt = (select(SavedFilter).join(FilterFavourite, FilterFavourite.filter_id == SavedFilter.id)
            .where(FilterFavourite.user_id == user.id, visible_clause(host, s, user))
            .order_by(SavedFilter.name))
    return list(s.scalars(stmt).unique())


def my_filters(s: Session, user: User) -> list[SavedFilter]:
    return list(s.scalars(select(SavedFilter).where(SavedFilter.owner_id == user.id)
                          .order_by(SavedFilter.name)).unique())


def search_filters(host: Amsflow, s: Session, user: User, text: str = "",
                   limit: int = 100) -> list[tuple[SavedFilter, int]]:
    """Visible filters whose name contains ``text``, most popular first."""
    fav = (select(FilterFavourite.filter_id, func.count().label("n"))
           .group_by(FilterFavourite.filter_id).subquery())
    stmt = (select(SavedFilter, func.coalesce(fav.c.n, 0))
            .outerjoin(fav, fav.c.filter_id == SavedFilter.id)
            .where(visible_clause(host, s, user)))
    if text.strip():
        stmt = stmt.where(func.lower(SavedFilter.name).contains(text.strip().lower()))
    stmt = stmt.order_by(func.coalesce(fav.c.n, 0).desc(), SavedFilter.name).limit(limit)
    return [(f, int(n)) for f, n in s.execute(stmt).unique()]
