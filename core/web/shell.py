"""What every page's layout needs: the navigation (with plugins' items), the user
menu, the language and Jinja filters."""

from __future__ import annotations

from typing import Any

from flask import url_for
from werkzeug.routing import BuildError

from .. import permissions as perms
from ..registries import NavItem
from . import bp
from .common import display, field_label, fmt_dt, host, lang, status_name, transition_name, user


def _nav_url(item: NavItem) -> str:
    """A NavItem's url may be a path, a full URL or a Flask endpoint name."""
    if item.url.startswith(("/", "http://", "https://")):
        return item.url
    try:
        return url_for(item.url)
    except BuildError:
        return "#"


def nav_items() -> list[dict[str, str]]:
    """Plugins' top-menu entries for the signed-in user, in their order."""
    current = user()
    if current is None:
        return []
    items = host().plugins.nav_items(current)
    return [{"label": i.label, "url": _nav_url(i)} for i in items]


@bp.app_context_processor
def _layout() -> dict[str, Any]:
    h = host()
    current = user()
    return {
        "current_user": current,
        "is_admin": perms.is_admin(h, current),
        "nav_items": nav_items(),
        "ui_lang": lang(),
        "instance_name": h.config["instance_name"],
    }


def ink_for(colour: str) -> str:
    """Dark or white text, whichever reads better on a configured status colour."""
    h = colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    try:
        r, g, b = (int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))
    except ValueError:
        return "#fff"
    lum = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    luminance = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2]
    return "#172b4d" if luminance > 0.36 else "#fff"


# Globals rather than context so imported macros (lozenge, field inputs) see them.
bp.add_app_template_global(lambda key: host().status_colour(key), "status_colour")
bp.add_app_template_global(lambda key: ink_for(host().status_colour(key)), "status_ink")
bp.add_app_template_global(status_name, "status_name")
bp.add_app_template_global(field_label, "field_label")
bp.add_app_template_global(transition_name, "transition_name")
bp.add_app_template_global(display, "show_value")


@bp.app_template_filter("dt")
def _dt(value: Any, with_time: bool = True) -> str:
    return fmt_dt(value, with_time)
