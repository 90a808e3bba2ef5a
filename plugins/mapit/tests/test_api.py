"""The GeoJSON API on both databases: what a caller may see in a box, paging, server
clusters, filters, the popup, and Jira-style errors that change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import OSLO_BOX

URL = "/rest/mapit/1/features"


def keys(body: dict[str, Any]) -> set[str]:
    return {f["properties"]["key"] for f in body["features"]}


def test_points_in_box_with_status_and_alert(backend: str, client: Any, auth: Any,
                                             placed: Any) -> None:
    r = client.get(f"{URL}?jql=project%20%3D%20ELV&bbox={OSLO_BOX}", headers=auth("planner"))
    assert r.status_code == 200, r.text
    body = r.get_json()
    assert body["type"] == "FeatureCollection" and body["clustered"] is False
    assert keys(body) == {"ELV-1", "ELV-2", "ELV-3", "ELV-4"}  # not Tromsø, not unplaced
    assert body["total"] == 4 and body["isLast"] is True
    by_key = {f["properties"]["key"]: f for f in body["features"]}
    assert by_key["ELV-2"]["geometry"] == {"type": "Point", "coordinates": [10.75, 59.915]}
    assert by_key["ELV-2"]["properties"]["status"] == "ready"
    assert {k for k, f in by_key.items() if f["properties"]["alert"]} == {"ELV-3", "ELV-4"}


def test_installer_sees_only_own_orders(backend: str, client: Any, auth: Any,
                                        placed: Any) -> None:
    body = client.get(f"{URL}?jql=", headers=auth("installer")).get_json()
    assert keys(body) == {"ELV-2", "ELV-4"}  # ELV-6 is theirs but has no position
    body = client.get(f"{URL}?jql=", headers=auth("outsider")).get_json()
    assert keys(body) == set() and body["total"] == 0


def test_paged_by_id(backend: str, client: Any, auth: Any, placed: Any) -> None:
    seen: list[str] = []
    start = 0
    while True:
        body = client.get(f"{URL}?jql=project=ELV&maxResults=2&startAt={start}",
                          headers=auth("planner")).get_json()
        seen += [f["properties"]["key"] for f in body["features"]]
        assert body["total"] == 6
        if body["isLast"]:
            break
        start += 2
    assert seen == ["ELV-1", "ELV-2", "ELV-3", "ELV-4", "ELV-5", "ELV-7"]


def test_server_clusters(backend: str, client: Any, auth: Any, placed: Any) -> None:
    body = client.get(f"{URL}?jql=project=ELV&cluster=true&zoom=5",
                      headers=auth("planner")).get_json()
    assert body["clustered"] is True
    clusters = [f for f in body["features"] if f["properties"].get("cluster")]
    singles = [f["properties"]["key"] for f in body["features"]
               if not f["properties"].get("cluster")]
    # At zoom 5 the four Oslo orders share a cell; Tromsø and Bergen stand alone.
    assert [(c["properties"]["point_count"], c["properties"]["alerts"]) for c in clusters] \
        == [(4, 2)]
    lon, lat = clusters[0]["geometry"]["coordinates"]
    assert 10.71 < lon < 10.76 and 59.91 < lat < 59.93
    assert sorted(singles) == ["ELV-5", "ELV-7"]
    # Zoomed in far enough every order has its own cell.
    body = client.get(f"{URL}?jql=project=ELV&cluster=true&zoom=16",
                      headers=auth("planner")).get_json()
    assert not any(f["properties"].get("cluster") for f in body["features"])
    assert len(body["features"]) == 6


@pytest.fixture
def cluster_above_5(config_dict: dict[str, Any]) -> dict[str, Any]:
    config_dict.setdefault("plugins", {})["mapit"] = {"cluster_above": 5}
    return config_dict


def test_auto_clusters_above_the_threshold(cluster_above_5: Any, client: Any, auth: Any,
                                           placed: Any) -> None:
    many = client.get(f"{URL}?jql=project=ELV&zoom=5", headers=auth("planner")).get_json()
    few = client.get(f"{URL}?jql=project=ELV&zoom=5&bbox={OSLO_BOX}",
                     headers=auth("planner")).get_json()
    assert many["clustered"] is True and few["clustered"] is False


def test_favourite_filter_as_layer(backend: str, client: Any, auth: Any,
                                   oslo_filter: int) -> None:
    body = client.get(f"{URL}?filter={oslo_filter}", headers=auth("planner")).get_json()
    assert keys(body) == {"ELV-1", "ELV-3"} and body["filter"] == oslo_filter
    layers = client.get("/rest/mapit/1/layers", headers=auth("planner")).get_json()
    assert [(layer["id"], layer["name"]) for layer in layers["layers"]] \
        == [(oslo_filter, "Oslo åpne")]
    legend = {s["key"]: s for s in layers["legend"]}
    assert legend["ready"]["colour"] == "#36b37e" and legend["ready"]["alert"] is False
    assert legend["rejected_quant"]["alert"] and legend["rejected_quant"]["marker"] == "#ff8b00"
    # Not shared: to anyone else it does not exist.
    r = client.get(f"{URL}?filter={oslo_filter}", headers=auth("installer"))
    assert r.status_code == 404 and r.get_json()["errorMessages"]


def test_both_companies_on_one_map(placed: Any, client: Any, auth: Any) -> None:
    body = client.get(f"{URL}?bbox={OSLO_BOX}", headers=auth("planner")).get_json()
    assert "FJN-1" in keys(body)


@pytest.fixture
def no_fjn_map(config_dict: dict[str, Any]) -> dict[str, Any]:
    for project in config_dict["projects"]:
        if project["key"] == "FJN":
            project["plugins"].pop("mapit")
    return config_dict


def test_project_not_enabling_mapit_stays_off_the_map(no_fjn_map: Any, client: Any,
                                                      auth: Any, placed: Any) -> None:
    body = client.get(f"{URL}?bbox={OSLO_BOX}", headers=auth("planner")).get_json()
    assert keys(body) == {"ELV-1", "ELV-2", "ELV-3", "ELV-4"}


def test_popup_details(backend: str, client: Any, auth: Any, placed: Any) -> None:
    r = client.get("/rest/mapit/1/order/elv-2", headers=auth("installer"))
    assert r.status_code == 200, r.text
    d = r.get_json()
    assert d["key"] == "ELV-2" and d["summary"] == "Målerbytte Storgata 2"
    assert d["status"] == {"key": "ready", "name": "Klar til utførelse", "colour": "#36b37e",
                           "ink": "#fff", "alert": False}
    assert d["customer"] == "Kunde 2" and d["address"] == "Gate 2, 0150 Oslo"
    assert d["installer"] == "Mona Montør" and d["position"] == {"lat": 59.915, "lon": 10.75}
    # Another installer's order is not there for them.
    r = client.get("/rest/mapit/1/order/ELV-5", headers=auth("installer"))
    assert r.status_code == 404 and r.get_json()["errorMessages"]


@pytest.mark.parametrize(("query", "field"), [
    ("bbox=1,2,3", "bbox"), ("bbox=10,60,11,59", "bbox"), ("bbox=a,b,c,d", "bbox"),
    ("zoom=99", "zoom"), ("zoom=x", None), ("cluster=maybe", "cluster"),
    ("cluster=true", "zoom"), ("jql=status%20%3D%20Finnesikke", "jql"),
    ("jql=project%20%3D", "jql"), ("filter=1&jql=", "filter"), ("startAt=-1", None),
])
def test_bad_input_is_a_jira_error(client: Any, auth: Any, placed: Any, query: str,
                                   field: str | None) -> None:
    r = client.get(f"{URL}?{query}", headers=auth("planner"))
    assert r.status_code == 400, r.text
    body = r.get_json()
    assert set(body) == {"errorMessages", "errors"}
    if field:
        assert field in body["errors"], body
    else:
        assert body["errorMessages"] or body["errors"]


def test_errors_in_english_and_anonymous(client: Any, auth: Any, placed: Any) -> None:
    r = client.get(f"{URL}?bbox=x", headers={**auth("planner"), "Accept-Language": "en"})
    assert r.status_code == 400 and "west,south,east,north" in r.get_json()["errors"]["bbox"]
    r = client.get(URL)
    assert r.status_code == 401 and r.get_json()["errorMessages"]


def test_in_the_openapi_document(client: Any) -> None:
    doc = client.get("/rest/api/2/openapi.json").get_json()
    op = doc["paths"]["/rest/mapit/1/features"]["get"]
    assert {p["name"] for p in op["parameters"]} >= {"filter", "jql", "bbox", "zoom",
                                                      "cluster", "startAt", "maxResults"}
    assert "400" in op["responses"]
    assert "get" in doc["paths"]["/rest/mapit/1/order/{key}"]
