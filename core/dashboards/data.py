"""A gadget's data for one viewer: its filter or JQL checked for them, its settings
checked by its type, the type's data function, the answer cached for the interval.

Every failure a person can mend (a filter deleted or not shared with the viewer, a
JQL error, a bad setting) is an ``InvalidInput``/``NotFound`` with the reason, which
the API answers Jira-style and the dashboard shows inside the gadget.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import True_

from .. import permissions as perms
from ..filters.service import get_filter
from ..i18n import _, in_language
from ..jql import JqlError
from ..models import User
from ..services.errors import InvalidInput, NotFound
from .cache import cache_key, cache_of
from .contract import GadgetContext, GadgetType
from .query import GadgetQuery

DEFAULT_CACHE_SECONDS = 300
MAX_REFRESH_MINUTES = 24 * 60


class CommonConfig(Schema):
    """Settings every gadget has, beside its type's own."""

    class Meta:
        unknown = EXCLUDE

    filterId = fields.Integer(load_default=None, allow_none=True)  # noqa: N815
    jql = fields.String(load_default=None, allow_none=True)
    refresh = fields.Integer(load_default=0, validate=validate.Range(0, MAX_REFRESH_MINUTES))
    title = fields.String(load_default="", validate=validate.Length(max=255))


def gadget_type(host: Any, key: str) -> GadgetType:
    entry = host.plugins.gadgets.get(key)
    if entry is None:
        raise NotFound(_("Miniprogramtypen «%(key)s» finnes ikke.", key=key))
    return entry.fn


def _invalid(exc: ValidationError) -> InvalidInput:
    errors = {k: "; ".join(map(str, v)) if isinstance(v, list) else str(v)
              for k, v in (exc.messages if isinstance(exc.messages, dict) else {}).items()}
    return InvalidInput(_("Innstillingene til miniprogrammet er ugyldige."), errors)


def load_settings(gtype: GadgetType, raw: dict[str, Any] | None) -> tuple[dict, dict]:
    """(common settings, the type's settings); bad values are an InvalidInput."""
    raw = raw or {}
    if not isinstance(raw, dict):
        raise InvalidInput(_("Innstillingene må være et JSON-objekt."))
    try:
        common = CommonConfig().load(raw)
        own = gtype.load_config(raw)
    except ValidationError as exc:
        raise _invalid(exc) from None
    if gtype.uses_filter and not common["filterId"] and not (common["jql"] or "").strip():
        raise InvalidInput(_("Velg et filter for miniprogrammet."),
                           {"filterId": _("Velg et filter.")})
    return common, own


def source(host: Any, s: Session, viewer: User, common: dict[str, Any]) -> tuple[str, Any]:
    """The JQL to run and the saved filter it came from (None for plain JQL)."""
    if common.get("filterId"):
        try:
            f = get_filter(host, s, viewer, common["filterId"])
        except NotFound:
            raise NotFound(_("Filteret %(id)s finnes ikke, eller det er ikke delt med deg.",
                             id=common["filterId"])) from None
        return f.jql, f
    return (common.get("jql") or "").strip(), None


def sees_every_order(host: Any, s: Session, viewer: User) -> bool:
    return isinstance(perms.browse_clause(host, s, viewer), True_)


def _scope(host: Any, s: Session, viewer: User, jql: str, sees_all: bool | None) -> str:
    """``all`` when the answer is the same for everyone who sees every order."""
    if "currentuser" in jql.casefold():
        return f"u{viewer.id}"
    if sees_all is None:
        sees_all = sees_every_order(host, s, viewer)
    return "all" if sees_all else f"u{viewer.id}"


def gadget_data(host: Any, s: Session, viewer: User, gtype: GadgetType,
                raw: dict[str, Any] | None, *, lang: str = "nb", fresh: bool = False,
                now: datetime | None = None, sees_all: bool | None = None) -> dict[str, Any]:
    """``{"type", "title", "data", "generated", "cached", "filter", "jql"}``.

    ``sees_all``: whether the viewer may browse every order, when the caller knows it
    (a dashboard's gadgets share one answer)."""
    common, own = load_settings(gtype, raw)
    wants = gtype.uses_filter or common["filterId"] or (common["jql"] or "").strip()
    jql, f = source(host, s, viewer, common) if wants else ("", None)
    seconds = common["refresh"] * 60 or DEFAULT_CACHE_SECONDS
    key = cache_key(gtype.key, own, jql, _scope(host, s, viewer, jql, sees_all), lang,
                    (f.id, f.updated) if f is not None else None)
    cache = cache_of(host)
    if not fresh:
        hit = cache.get(key)
        if hit is not None:
            return {**hit, "cached": True}
    try:
        query = GadgetQuery(host, s, viewer, jql)
    except JqlError as exc:
        where = (_("Filteret «%(name)s» kan ikke brukes: %(error)s", name=f.name,
                   error=exc.message) if f is not None else exc.message)
        raise InvalidInput(where, {"jql": exc.message}) from None
    ctx = GadgetContext(host, s, viewer, own, jql, query, f, now or host.now())
    try:
        data = gtype.data(ctx)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    out = {"type": gtype.key, "title": common["title"] or gtype.title(), "data": data,
           "generated": (now or host.now()).isoformat(), "cached": False,
           "refresh": common["refresh"], "jql": jql,
           "filter": None if f is None else {"id": f.id, "name": f.name}}
    cache.set(key, out, seconds)
    return out


def describe(host: Any, gtype: GadgetType) -> dict[str, Any]:
    """What the gallery and the REST API tell about a type (its form included)."""
    return {"key": gtype.key, "name": gtype.title(), "description": gtype.text(),
            "plugin": gtype.plugin, "usesFilter": gtype.uses_filter,
            "config": form_fields(host, gtype)}


def form_fields(host: Any, gtype: GadgetType) -> list[dict[str, Any]]:
    """The type's settings as form fields: name, label, kind, choices, default."""
    if gtype.config is None:
        return []
    out = []
    for name, f in gtype.config().fields.items():
        meta = f.metadata or {}
        item: dict[str, Any] = {"name": f.data_key or name,
                                "label": in_language(meta.get("label", name),
                                                     meta.get("label_en")),
                                "kind": _kind(f), "required": bool(f.required)}
        default = gtype.default_config.get(name, f.load_default)
        if not callable(default) and default is not None and \
                repr(default) != "<marshmallow.missing>":
            item["default"] = default
        choices = meta.get("choices")
        if choices is None:
            one_of = next((v for v in f.validators if isinstance(v, validate.OneOf)), None)
            if one_of is not None:
                choices = [(c, str(label)) for c, label in zip(
                    one_of.choices, one_of.labels or one_of.choices, strict=False)]
        if choices == "fields":
            choices = field_choices(host)
        if choices is not None:
            item["choices"] = [{"value": v, "label": str(label)} for v, label in choices]
        out.append(item)
    return out


def _kind(f: fields.Field) -> str:
    if isinstance(f, fields.Boolean):
        return "boolean"
    if isinstance(f, fields.Integer | fields.Float):
        return "number"
    if isinstance(f, fields.List):
        return "list"
    return "text"


def field_choices(host: Any) -> list[tuple[str, str]]:
    """Every field a gadget may group by or show: system fields, then configured."""
    system = [("status", _("Status")), ("assignee", _("Ansvarlig")),
              ("resolution", _("Løsningsstatus")), ("issuetype", _("Sakstype")),
              ("project", _("Prosjekt")), ("reporter", _("Rapportør"))]
    configured = [(fd.key, in_language(fd.name, fd.name_en)) for fd in host.fields
                  if fd.type not in ("position", "textarea")]
    return system + configured
