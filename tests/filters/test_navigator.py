"""The navigator pages through Flask's test client: basic mode builds JQL into the
URL, errors show on the page, sorting and columns, CSV export, save as / save."""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from core.filters.basic import BasicSearch, from_query_text, to_query_text
from core.filters.models import SavedFilter
from tests.filters.conftest import ORDERS


def csrf(client: Any, headers: dict[str, str]) -> str:
    page = client.get("/navigator/", headers=headers).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_basic_mode_builds_jql_in_the_url(client: Any, auth: Any, orders: dict[str, Any],
                                          host: Any) -> None:
    h = auth("planner")
    planning = host.all_statuses()["planning"].name
    r = client.get("/navigator/basic", query_string={
        "project": "ELV", "status": [planning, host.all_statuses()["open"].name],
        "postcode": "0150, 0151", "jql": "ORDER BY key DESC"}, headers=h)
    assert r.status_code == 302
    jql = parse_qs(urlsplit(r.location).query)["jql"][0]
    assert jql.startswith("project = ELV AND status in (") and "Postnummer in (0150, 0151)" in jql
    assert jql.endswith("ORDER BY key DESC")
    page = client.get(r.location, headers=h).get_data(as_text=True)
    found = re.findall(r'<tr data-key="([^"]+)"', page)
    assert found == [orders["B"].key, orders["A"].key]


def test_basic_round_trip(host: Any) -> None:
    chosen = BasicSearch(values={"project": ["ELV"], "assignee": ["EMPTY"],
                                 "municipality": ["0301", "3005"]},
                         ranges={"planned_start": ("2024-05-01", "-1d")}, text="Storgata")
    jql = to_query_text(host, chosen)
    back = from_query_text(host, jql)
    assert back is not None and back.values == chosen.values
    assert back.ranges == chosen.ranges and back.text == "Storgata"
    assert from_query_text(host, "status WAS open") is None
    assert from_query_text(host, "project = ELV OR project = FJN") is None


def test_jql_error_is_shown_on_the_page(client: Any, auth: Any, orders: Any) -> None:
    r = client.get("/navigator/", query_string={"jql": "status = = x"}, headers=auth("planner"))
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="jql-error"' in page
    assert "line 1" in page and 'id="mode-advanced" class="active"' in page


def test_sort_links_and_columns(client: Any, auth: Any, orders: Any) -> None:
    h = auth("planner")
    page = client.get("/navigator/", query_string={
        "jql": "project = ELV", "columns": "key,customfield_10016,summary"},
        headers=h).get_data(as_text=True)
    heads = re.findall(r'<th data-column="([^"]+)"', page)
    assert heads == ["key", "customfield_10016", "summary"]
    link = re.search(r'data-column="customfield_10016"><a class="sort" href="([^"]+)"', page)
    target = parse_qs(urlsplit(link.group(1).replace("&amp;", "&")).query)
    assert target["jql"] == ["project = ELV ORDER BY cf[10016] ASC"]
    assert target["columns"] == ["key,customfield_10016,summary"]


def test_paging(client: Any, auth: Any, orders: Any, monkeypatch: Any) -> None:
    from core.filters import navigator

    monkeypatch.setattr(navigator, "PAGE_SIZE", 3)
    h = auth("admin")
    first = client.get("/navigator/?jql=ORDER+BY+key", headers=h).get_data(as_text=True)
    second = client.get("/navigator/?jql=ORDER+BY+key&startAt=3",
                        headers=h).get_data(as_text=True)
    keys = re.findall(r'<tr data-key="([^"]+)"', first) + \
        re.findall(r'<tr data-key="([^"]+)"', second)
    assert keys == sorted(o.key for o in orders.values())
    assert 'id="next-page"' in first and 'id="prev-page"' in second


def test_csv_export_respects_permissions(client: Any, auth: Any, orders: Any) -> None:
    r = client.get("/navigator/export.csv", query_string={
        "jql": "ORDER BY key", "columns": "key,summary,customfield_10015"},
        headers=auth("installer"))
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert rows[0] == ["Nøkkel", "Sammendrag", "Postnummer"]
    assert rows[1:] == [[orders[n].key, orders[n].summary, ORDERS[n][3]["postcode"]]
                        for n in ("B", "D")]


def test_save_as_then_save(client: Any, auth: Any, orders: Any, host: Any) -> None:
    h = auth("planner")
    token = csrf(client, h)
    r = client.post("/navigator/filters", data={
        "csrf_token": token, "name": "Mine ELV", "jql": "project = ELV",
        "columns": "key,summary"}, headers=h)
    assert r.status_code == 302
    s = host.db.session()
    f = s.query(SavedFilter).filter_by(name="Mine ELV").one()
    page = client.get(f"/navigator/?filter={f.id}", headers=h).get_data(as_text=True)
    assert re.findall(r'<th data-column="([^"]+)"', page) == ["key", "summary"]
    assert "★ Favoritt" in page
    changed = client.get(f"/navigator/?filter={f.id}&jql=project+%3D+FJN",
                         headers=h).get_data(as_text=True)
    assert 'id="save-btn"' in changed
    client.post(f"/navigator/filters/{f.id}/save", data={
        "csrf_token": token, "jql": "project = FJN", "columns": "key"}, headers=h)
    s.expire_all()
    assert s.get(SavedFilter, f.id).jql == "project = FJN"
    other = client.get(f"/navigator/?filter={f.id}", headers=auth("installer"))
    assert "finnes ikke" in other.get_data(as_text=True)
