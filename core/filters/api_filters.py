"""``/rest/api/2/filter``: saved filters, favourites, share permissions, owner and
subscriptions, shaped as the ``jira`` client and Jira's REST API expect."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from ..api.common import body, caller, ctx, empty, unit
from ..api.routes import document_route
from ..i18n import gettext
from ..services.errors import InvalidInput
from . import service, sharing, subscriptions
from .api_schemas import FilterBody, OwnerBody, ShareBody, SubscriptionBody
from .filter_json import filter_json, share_json, subscription_json
from .rest import bp


def _json(f: Any) -> Any:
    h, s, me = ctx()
    return filter_json(h, s, me, f)


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(errors={key: gettext("må være tekst")})
    return value


def _data() -> dict[str, Any]:
    data = body()
    if not isinstance(data, dict):
        raise InvalidInput(gettext("Forespørselen må være et JSON-objekt."))
    return data


@document_route("POST", "/rest/api/2/filter",
                "Create a filter (with sharePermissions)", "Filter", body=FilterBody)
@bp.post("/filter")
def create() -> Any:
    h, s, _ = ctx()
    me = caller()
    data = _data()

    def work() -> Any:
        made = service.create_filter(
            h, s, me, _text(data, "name") or "", _text(data, "jql") or "",
            _text(data, "description") or "", bool(data.get("favourite", True)),
            _text(data, "columns") or "")
        sharing.add_jira_shares(h, s, me, made, data.get("sharePermissions"))
        return made

    f = unit(work)  # a refused share leaves no filter behind
    return jsonify(_json(f))


@document_route("GET", "/rest/api/2/filter/<int:filter_id>", "A filter", "Filter")
@bp.get("/filter/<int:filter_id>")
def get(filter_id: int) -> Any:
    h, s, me = ctx()
    return jsonify(_json(service.get_filter(h, s, me, filter_id)))


@document_route("PUT", "/rest/api/2/filter/<int:filter_id>",
                "Edit a filter", "Filter", body=FilterBody)
@bp.put("/filter/<int:filter_id>")
def edit(filter_id: int) -> Any:
    h, s, _ = ctx()
    me = caller()
    data = _data()
    f = service.get_filter(h, s, me, filter_id)
    fav = data.get("favourite")

    def work() -> None:
        service.update_filter(
            h, s, me, f, name=_text(data, "name"), description=_text(data, "description"),
            jql=_text(data, "jql"), favourite=None if fav is None else bool(fav),
            columns=_text(data, "columns"))
        if data.get("sharePermissions") is not None:  # Jira: the list replaces the shares
            for share in list(f.shares):
                sharing.remove_share(h, s, me, f, share.id)
            sharing.add_jira_shares(h, s, me, f, data["sharePermissions"])

    unit(work)
    return jsonify(_json(f))


@document_route("DELETE", "/rest/api/2/filter/<int:filter_id>",
                "Delete a filter", "Filter", status=204)
@bp.delete("/filter/<int:filter_id>")
def remove(filter_id: int) -> Any:
    h, s, _ = ctx()
    me = caller()
    f = service.get_filter(h, s, me, filter_id)
    unit(lambda: service.delete_filter(h, s, me, f))
    return empty()


@document_route("GET", "/rest/api/2/filter/favourite", "My favourite filters", "Filter")
@bp.get("/filter/favourite")
def favourites() -> Any:
    h, s, _ = ctx()
    me = caller()
    return jsonify([filter_json(h, s, me, f) for f in service.favourites(h, s, me)])


@document_route("GET", "/rest/api/2/filter/my",
                "My filters", "Filter", query=("includeFavourites",))
@bp.get("/filter/my")
def mine() -> Any:
    h, s, _ = ctx()
    me = caller()
    found = {f.id: f for f in service.my_filters(s, me)}
    if request.args.get("includeFavourites", "").lower() == "true":
        found.update({f.id: f for f in service.favourites(h, s, me)})
    return jsonify([filter_json(h, s, me, f) for f in found.values()])


@document_route("GET", "/rest/api/2/filter/search",
                "Visible filters by name", "Filter", query=("filterName",))
@bp.get("/filter/search")
def find() -> Any:
    """Visible filters by name, most popular first (Jira Cloud's ``filter/search``)."""
    h, s, _ = ctx()
    me = caller()
    rows = service.search_filters(h, s, me, request.args.get("filterName", ""))
    values = [filter_json(h, s, me, f) for f, _n in rows]
    return jsonify({"startAt": 0, "maxResults": len(values), "total": len(values),
                    "isLast": True, "values": values})


@document_route("PUT", "/rest/api/2/filter/<int:filter_id>/favourite", "Mark a favourite", "Filter")
@document_route("DELETE", "/rest/api/2/filter/<int:filter_id>/favourite",
                "Unmark a favourite", "Filter")
@bp.route("/filter/<int:filter_id>/favourite", methods=["PUT", "DELETE"])
def favourite(filter_id: int) -> Any:
    """PUT marks the filter a favourite, DELETE unmarks it (as Jira)."""
    h, s, _ = ctx()
    me = caller()
    f = service.get_filter(h, s, me, filter_id)
    unit(lambda: service.set_favourite(s, me, f, request.method == "PUT"))
    return jsonify(_json(f))


@document_route("GET", "/rest/api/2/filter/<int:filter_id>/permission",
                "Shares of a filter", "Filter")
@bp.get("/filter/<int:filter_id>/permission")
def permissions(filter_id: int) -> Any:
    h, s, me = ctx()
    f = service.get_filter(h, s, me, filter_id)
    return jsonify([share_json(h, sh) for sh in f.shares])


@document_route("POST", "/rest/api/2/filter/<int:filter_id>/permission",
                "Share a filter", "Filter", body=ShareBody, status=201)
@bp.post("/filter/<int:filter_id>/permission")
def add_permission(filter_id: int) -> Any:
    """Jira's body: ``{"type": "group", "groupname": ...}``, ``projectId``,
    ``projectRoleId``, ``userKey``/``username``; answers with every share (201)."""
    h, s, _ = ctx()
    me = caller()
    data = _data()
    f = service.get_filter(h, s, me, filter_id)
    unit(lambda: sharing.add_share(
        h, s, me, f, str(data.get("type", "")), group=data.get("groupname"),
        project=data.get("projectId"), role=data.get("projectRoleId"),
        username=data.get("userKey") or data.get("username") or data.get("accountId")))
    return jsonify([share_json(h, sh) for sh in f.shares]), 201


@document_route("GET", "/rest/api/2/filter/<int:filter_id>/permission/<int:share_id>",
                "One share", "Filter")
@bp.get("/filter/<int:filter_id>/permission/<int:share_id>")
def get_permission(filter_id: int, share_id: int) -> Any:
    h, s, me = ctx()
    f = service.get_filter(h, s, me, filter_id)
    for sh in f.shares:
        if sh.id == share_id:
            return jsonify(share_json(h, sh))
    from ..services.errors import NotFound

    raise NotFound(gettext("Delingen %(id)s finnes ikke på filteret.", id=share_id))


@document_route("DELETE", "/rest/api/2/filter/<int:filter_id>/permission/<int:share_id>",
                "Remove a share", "Filter", status=204)
@bp.delete("/filter/<int:filter_id>/permission/<int:share_id>")
def remove_permission(filter_id: int, share_id: int) -> Any:
    h, s, _ = ctx()
    me = caller()
    f = service.get_filter(h, s, me, filter_id)
    unit(lambda: sharing.remove_share(h, s, me, f, share_id))
    return empty()


@document_route("PUT", "/rest/api/2/filter/<int:filter_id>/owner",
                "Hand a filter over", "Filter", body=OwnerBody, status=204)
@bp.put("/filter/<int:filter_id>/owner")
def change_owner(filter_id: int) -> Any:
    """Hand the filter over: ``{"name": username}`` (``accountId``/``key`` also read)."""
    h, s, _ = ctx()
    me = caller()
    data = _data()
    who = data.get("name") or data.get("accountId") or data.get("key") or ""
    f = service.get_filter(h, s, me, filter_id)
    unit(lambda: service.change_owner(h, s, me, f, str(who)))
    return empty()


@document_route("GET", "/rest/api/2/filter/<int:filter_id>/subscription",
                "Subscriptions of a filter", "Filter")
@bp.get("/filter/<int:filter_id>/subscription")
def list_subscriptions(filter_id: int) -> Any:
    h, s, me = ctx()
    f = service.get_filter(h, s, me, filter_id)
    return jsonify([subscription_json(x) for x in subscriptions.subscriptions_of(s, f)])


@document_route("POST", "/rest/api/2/filter/<int:filter_id>/subscription",
                "Subscribe to a filter by mail", "Filter", body=SubscriptionBody, status=201)
@bp.post("/filter/<int:filter_id>/subscription")
def add_subscription(filter_id: int) -> Any:
    """amsflow's own: ``{"kind": "daily"|"weekly"|"cron", "time": "07:00",
    "days": ["mon"], "cron": "0 7 * * 1-5", "username"|"group", "emailOnEmpty"}``."""
    h, s, _ = ctx()
    me = caller()
    data = _data()
    f = service.get_filter(h, s, me, filter_id)
    sub = unit(lambda: subscriptions.subscribe(
        h, s, me, f, kind=str(data.get("kind", "daily")), time=str(data.get("time", "07:00")),
        days=data.get("days") or "", cron=str(data.get("cron") or ""),
        username=data.get("username"), group=data.get("group"),
        email_on_empty=bool(data.get("emailOnEmpty", False))))
    return jsonify(subscription_json(sub)), 201


@document_route("DELETE", "/rest/api/2/filter/<int:filter_id>/subscription/<int:sub_id>",
                "Remove a subscription", "Filter", status=204)
@bp.delete("/filter/<int:filter_id>/subscription/<int:sub_id>")
def remove_subscription(filter_id: int, sub_id: int) -> Any:
    h, s, _ = ctx()
    me = caller()
    f = service.get_filter(h, s, me, filter_id)
    unit(lambda: subscriptions.unsubscribe(h, s, me, f, sub_id))
    return empty()
