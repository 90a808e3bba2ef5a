"""``/rest/api/2/dashboard``: dashboards as Jira lists them (``filter=favourite|my``,
``startAt``, ``maxResults``), plus create, copy, edit, delete, favourite, shares,
gadgets and each gadget's data (Jira Cloud's ``dashboard/{id}/gadget`` shape)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from marshmallow import EXCLUDE, Schema, fields

from ..api.common import body, caller, ctx, empty, unit
from ..api.routes import route
from ..filters.rest import int_arg
from ..i18n import _
from ..services.errors import InvalidInput, ServiceError
from . import gadget_service as gadgets
from . import service
from .dashboard_json import dashboard_json, gadget_json, ordered
from .data import gadget_data, gadget_type, sees_every_order
from .gadget_api import TAG, fresh_arg, request_lang


class DashboardBody(Schema):
    class Meta:
        unknown = EXCLUDE

    name = fields.String(load_default=None)
    description = fields.String(load_default=None)
    columns = fields.Integer(load_default=None)
    favourite = fields.Boolean(load_default=None)
    copyOf = fields.Integer(load_default=None)  # noqa: N815


class GadgetBody(Schema):
    class Meta:
        unknown = EXCLUDE

    moduleKey = fields.String(load_default=None)  # noqa: N815
    type = fields.String(load_default=None)
    column = fields.Integer(load_default=0)
    config = fields.Dict(load_default=dict)


class LayoutBody(Schema):
    class Meta:
        unknown = EXCLUDE

    columns = fields.Integer(load_default=None)
    layout = fields.List(fields.List(fields.Raw()), required=True)


class ShareBody(Schema):
    class Meta:
        unknown = EXCLUDE

    type = fields.String(required=True)
    groupname = fields.String(load_default=None)
    projectId = fields.Raw(load_default=None)  # noqa: N815
    projectRoleId = fields.Raw(load_default=None)  # noqa: N815
    username = fields.String(load_default=None)
    userKey = fields.String(load_default=None)  # noqa: N815


def _json(d: Any) -> dict[str, Any]:
    h, s, me = ctx()
    return dashboard_json(h, s, me, d)


@route("GET", "/rest/api/2/dashboard", "Dashboards you may see (filter=favourite|my|popular)",
       TAG, query=("filter", "startAt", "maxResults", "q"))
def list_dashboards() -> Any:
    h, s, _me = ctx()
    me = caller()
    start = int_arg(request.args.get("startAt"), "startAt", 0)
    size = min(int_arg(request.args.get("maxResults"), "maxResults", 20), 1000)
    which = request.args.get("filter", "")
    if which == "favourite":
        found = service.favourites(h, s, me)
    elif which == "my":
        found = service.mine(s, me)
    elif which in ("", "popular"):
        found = [d for d, _n in service.search(h, s, me, request.args.get("q", ""),
                                               popular=which == "popular", limit=10000)]
    else:
        raise InvalidInput(_("Ukjent filter: %(name)r (favourite, my, popular).", name=which))
    page = found[start:start + size]
    out: dict[str, Any] = {"startAt": start, "maxResults": size, "total": len(found),
                           "dashboards": [dashboard_json(h, s, me, d, gadgets=False)
                                          for d in page]}
    return jsonify(out)


@route("POST", "/rest/api/2/dashboard", "Create a dashboard, empty or as a copy (copyOf)",
       TAG, body=DashboardBody, status=201)
def create_dashboard() -> Any:
    h, s, _me = ctx()
    me = caller()
    data = body(DashboardBody)
    copy_of = service.get_dashboard(h, s, me, data["copyOf"]) if data["copyOf"] else None
    d = unit(lambda: service.create_dashboard(
        h, s, me, data["name"] or "", data["description"] or "", copy_of=copy_of,
        columns=data["columns"], favourite=data["favourite"] is not False))
    return jsonify(_json(d)), 201


@route("GET", "/rest/api/2/dashboard/<int:dashboard_id>", "A dashboard with its gadgets", TAG)
def get_dashboard(dashboard_id: int) -> Any:
    h, s, me = ctx()
    caller()
    return jsonify(_json(service.get_dashboard(h, s, me, dashboard_id)))


@route("PUT", "/rest/api/2/dashboard/<int:dashboard_id>",
       "Change name, description, columns or your favourite", TAG, body=DashboardBody)
def edit_dashboard(dashboard_id: int) -> Any:
    h, s, _me = ctx()
    me = caller()
    data = body(DashboardBody)
    d = service.get_dashboard(h, s, me, dashboard_id)

    def work() -> None:
        if any(data[k] is not None for k in ("name", "description", "columns")):
            service.update_dashboard(h, s, me, d, name=data["name"],
                                     description=data["description"], columns=data["columns"])
        if data["favourite"] is not None:
            service.set_favourite(s, me, d, data["favourite"])

    unit(work)
    return jsonify(_json(d))


@route("DELETE", "/rest/api/2/dashboard/<int:dashboard_id>", "Delete a dashboard", TAG,
       status=204)
def delete_dashboard(dashboard_id: int) -> Any:
    h, s, _me = ctx()
    me = caller()
    d = service.get_dashboard(h, s, me, dashboard_id)
    unit(lambda: service.delete_dashboard(h, s, me, d))
    return empty()


@route("POST", "/rest/api/2/dashboard/<int:dashboard_id>/permission",
       "Share a dashboard (group, project, projectRole, user, authenticated, global)", TAG,
       body=ShareBody, status=201)
def add_permission(dashboard_id: int) -> Any:
    h, s, _me = ctx()
    me = caller()
    data = body(ShareBody)
    d = service.get_dashboard(h, s, me, dashboard_id)
    unit(lambda: service.add_share(
        h, s, me, d, data["type"], group=data["groupname"], project=data["projectId"],
        role=data["projectRoleId"], username=data["username"] or data["userKey"]))
    return jsonify(_json(d)["sharePermissions"]), 201


@route("DELETE", "/rest/api/2/dashboard/<int:dashboard_id>/permission/<int:share_id>",
       "Stop a share", TAG, status=204)
def remove_permission(dashboard_id: int, share_id: int) -> Any:
    h, s, _me = ctx()
    me = caller()
    d = service.get_dashboard(h, s, me, dashboard_id)
    unit(lambda: service.remove_share(h, s, me, d, share_id))
    return empty()


@route("GET", "/rest/api/2/dashboard/<int:dashboard_id>/gadget", "The gadgets", TAG)
def list_gadgets(dashboard_id: int) -> Any:
    h, s, me = ctx()
    caller()
    d = service.get_dashboard(h, s, me, dashboard_id)
    return jsonify({"gadgets": [gadget_json(d, g) for g in ordered(d)]})


@route("POST", "/rest/api/2/dashboard/<int:dashboard_id>/gadget",
       "Add a gadget (moduleKey: its type; column; config)", TAG, body=GadgetBody, status=201)
def add_gadget(dashboard_id: int) -> Any:
    h, s, _me = ctx()
    me = caller()
    data = body(GadgetBody)
    d = service.get_dashboard(h, s, me, dashboard_id)
    key = data["moduleKey"] or data["type"] or ""
    g = unit(lambda: gadgets.add_gadget(h, s, me, d, key, data["config"], data["column"]))
    return jsonify(gadget_json(d, g)), 201


@route("PUT", "/rest/api/2/dashboard/<int:dashboard_id>/gadget/<int:gadget_id>",
       "Configure a gadget (its settings as the body's config)", TAG, body=GadgetBody)
def configure_gadget(dashboard_id: int, gadget_id: int) -> Any:
    h, s, _me = ctx()
    me = caller()
    data = body(GadgetBody)
    d = service.get_dashboard(h, s, me, dashboard_id)
    g = gadgets.gadget_of(d, gadget_id)
    unit(lambda: gadgets.configure_gadget(h, s, me, d, g, data["config"]))
    return jsonify(gadget_json(d, g))


@route("DELETE", "/rest/api/2/dashboard/<int:dashboard_id>/gadget/<int:gadget_id>",
       "Remove a gadget", TAG, status=204)
def remove_gadget(dashboard_id: int, gadget_id: int) -> Any:
    h, s, _me = ctx()
    me = caller()
    d = service.get_dashboard(h, s, me, dashboard_id)
    g = gadgets.gadget_of(d, gadget_id)
    unit(lambda: gadgets.remove_gadget(h, s, me, d, g))
    return empty()


@route("PUT", "/rest/api/2/dashboard/<int:dashboard_id>/layout",
       "Place the gadgets: one list of gadget ids per column, and the column count", TAG,
       body=LayoutBody)
def arrange(dashboard_id: int) -> Any:
    h, s, _me = ctx()
    me = caller()
    data = body(LayoutBody)
    d = service.get_dashboard(h, s, me, dashboard_id)
    unit(lambda: gadgets.arrange(h, s, me, d, data["layout"], data["columns"]))
    return jsonify(_json(d))


@route("GET", "/rest/api/2/dashboard/<int:dashboard_id>/gadget/<int:gadget_id>/data",
       "A gadget's data for you (cached for its refresh interval; refresh=1 reads anew)",
       TAG, query=("refresh",))
def gadget_data_view(dashboard_id: int, gadget_id: int) -> Any:
    h, s, me = ctx()
    me = caller()
    g = service.visible_gadget(h, s, me, dashboard_id, gadget_id)
    out = gadget_data(h, s, me, gadget_type(h, g.type), gadgets.settings_of(g),
                      lang=request_lang(), fresh=fresh_arg())
    return jsonify({**out, "id": g.id})



@route("GET", "/rest/api/2/dashboard/<int:dashboard_id>/data",
       "Every gadget's data at once (each with its own errors; refresh=1 reads anew)", TAG,
       query=("refresh",))
def dashboard_data(dashboard_id: int) -> Any:
    """One request for a whole dashboard: the permission checks once, then each
    gadget from the cache or its data function. A gadget that fails carries its
    Jira-style error and status instead of failing the others."""
    h, s, me = ctx()
    me = caller()
    d = service.get_dashboard(h, s, me, dashboard_id, gadgets_only=True)
    sees_all = sees_every_order(h, s, me)
    lang, fresh = request_lang(), fresh_arg()
    out = []
    for g in ordered(d):
        try:
            answer = gadget_data(h, s, me, gadget_type(h, g.type), gadgets.settings_of(g),
                                 lang=lang, fresh=fresh, sees_all=sees_all)
        except ServiceError as exc:
            out.append({"id": g.id, "status": exc.status, "errorMessages": exc.messages,
                        "errors": exc.errors})
        else:
            out.append({**answer, "id": g.id, "status": 200})
    return jsonify({"gadgets": out})
