"""Helpers every web view shares: the host and session of the request, the signed-in
user, guards, localised labels and the unit-of-work call that turns service errors
into something a page can show."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, g, redirect, request, url_for
from flask_babel import get_locale
from sqlalchemy.orm import Session

from .. import permissions as perms
from ..fields import OSLO, FieldDef
from ..i18n import in_language
from ..services import uow

if TYPE_CHECKING:
    from ..host import Amsflow
    from ..models import User
    from ..workflow.model import Transition

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def host() -> Amsflow:
    from ..app import host as app_host

    return app_host()


def db() -> Session:
    return host().db.session()


def user() -> User | None:
    return g.get("user")


def run(fn: Callable[[], T]) -> T:
    """Run a service call in one transaction (commit, or roll back and re-raise)."""
    return uow.run(host(), db(), fn)


def login_required(view: F) -> F:
    """Anonymous visitors go to the login page and come back afterwards."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if user() is None:
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def admin_required(view: F) -> F:
    """Instance administrators only; others get the 403 page."""

    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not perms.is_admin(host(), user()):
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def safe_next(target: str | None, default: str = "web.home") -> str:
    """Only same-site paths are followed after login (no open redirects)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//"):
            return target
    return url_for(default)


def lang() -> str:
    return str(get_locale() or "nb")[:2]


def field_label(fdef: FieldDef) -> str:
    """A field's name in the page language (config holds ``name`` and ``name_en``)."""
    return in_language(fdef.name, fdef.name_en)


def status_name(key: str) -> str:
    st = host().all_statuses().get(key)
    if st is None:
        return key
    return in_language(st.name, st.name_en)


def transition_name(t: Transition) -> str:
    return in_language(t.name, t.name_en)


def fmt_dt(value: datetime | None, with_time: bool = True) -> str:
    """Times are stored in UTC and shown in Norwegian time, day first."""
    if value is None:
        return ""
    local = value.astimezone(OSLO)
    return local.strftime("%d.%m.%Y %H:%M" if with_time else "%d.%m.%Y")


def display(fdef: FieldDef, value: Any) -> str:
    """A field value as the page shows it (yes/no in the page language)."""
    if fdef.type == "flag" and value is not None:
        from flask_babel import gettext

        return gettext("Yes") if value else gettext("No")
    return fdef.display(value)


def form_value(fdef: FieldDef, value: Any) -> str:
    """A stored value as an HTML input's value (the inverse of what parse accepts)."""
    if value is None:
        return ""
    if fdef.type == "datetime":
        return value.astimezone(OSLO).strftime("%Y-%m-%dT%H:%M")
    if fdef.type == "date":
        return value.astimezone(OSLO).strftime("%Y-%m-%d")
    if fdef.type == "flag":
        return "1" if value else ""
    if fdef.type == "position":
        return f"{value[0]:.6f}, {value[1]:.6f}"
    if fdef.type == "duration":
        from ..fields import format_duration

        return format_duration(int(value))
    return fdef.display(value)


def editable_fields() -> list[FieldDef]:
    """Fields a person may set: everything but KIS and read-only fields."""
    return [f for f in host().fields if not (f.kis or f.readonly)]


def system_fields() -> list[FieldDef]:
    """Fields only the systems (Quant/KIS, reply codes) write: read-only on pages."""
    return [f for f in host().fields if f.kis or f.readonly]


def assignable_users(project_id: int) -> list[User]:
    """Active people who may browse the project: the candidates for *Ansvarlig*."""
    from sqlalchemy import select

    from ..models import User as UserModel

    h, s = host(), db()
    people = s.scalars(select(UserModel).where(UserModel.active.is_(True))
                       .order_by(UserModel.display_name)).all()
    return [u for u in people if perms.allowed(h, s, u, "browse", project_id)]
