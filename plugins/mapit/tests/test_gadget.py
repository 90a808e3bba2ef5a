"""The map gadget through the dashboards' API: the server's clusters of the filter's
orders, as the viewer may see them."""

from __future__ import annotations

from typing import Any

URL = "/rest/api/2/dashboard/gadgets/mapit.map/data"


def test_map_gadget_clusters_what_the_viewer_sees(client: Any, auth: Any, placed: Any) -> None:
    r = client.post(URL, json={"jql": "project = ELV", "zoom": 5}, headers=auth("planner"))
    assert r.status_code == 200, r.get_json()
    data = r.get_json()["data"]
    assert data["total"] == 6 and data["zoom"] == 5
    clusters = [f["properties"] for f in data["features"] if f["properties"].get("cluster")]
    singles = sorted(f["properties"]["key"] for f in data["features"]
                     if not f["properties"].get("cluster"))
    assert clusters == [{"cluster": True, "point_count": 4, "alerts": 2}]
    assert singles == ["ELV-5", "ELV-7"]
    assert {s["key"]: s["marker"] for s in data["legend"]}["manual_followup"] == "#ff8b00"
    mine = client.post(URL, json={"jql": "project = ELV", "zoom": 16},
                       headers=auth("installer")).get_json()["data"]
    assert mine["total"] == 2
    assert sorted(f["properties"]["key"] for f in mine["features"]) == ["ELV-2", "ELV-4"]


def test_bad_zoom_is_refused(client: Any, auth: Any, placed: Any) -> None:
    r = client.post(URL, json={"jql": "project = ELV", "zoom": 40}, headers=auth("planner"))
    assert r.status_code == 400 and r.get_json()["errors"], r.get_json()
