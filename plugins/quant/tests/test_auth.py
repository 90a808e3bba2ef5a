"""Only Quant's shared secret opens the API; anything else is 401 and changes nothing."""

from __future__ import annotations

import itertools

from sqlalchemy import func, select

from core.models import Issue

from .conftest import TOKEN_ENVS, order_message
from .flow import change_count, comments, fresh

BAD_HEADERS = [
    {},
    {"Authorization": "Bearer wrong-secret"},
    {"Authorization": "Bearer "},
    {"Authorization": "Basic YWRtaW46UGFzc29yZC0xMjM="},  # admin's password: not Quant
]


def test_bad_or_missing_token_is_401_and_changes_nothing(host, quant, backend):
    key = quant.create("Q-1")["key"]
    before = (fresh(host, key).status.key, comments(host, key), change_count(host, key))
    calls = [("/orders", order_message("Q-2")),
             ("/orders", order_message("Q-1", fields={"stage": "Etappe 7"})),
             ("/orders/bulk", {"orders": [order_message("Q-3")]}),
             ("/orders/Q-1/cancel", {}),
             ("/orders/Q-1/validation", {"result": "rejected", "reason": "Feil måler"})]
    for headers, (path, body) in itertools.product(BAD_HEADERS, calls):
        response = quant.post(path, body, headers=headers)
        assert response.status_code == 401, (headers, path)
        data = response.get_json()
        assert data["errors"] == {} and data["errorMessages"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert host.db.session().scalar(select(func.count(Issue.id))) == 1
    assert (fresh(host, key).status.key, comments(host, key),
            change_count(host, key)) == before


def test_no_secret_in_environment_means_no_access(host, quant, monkeypatch):
    monkeypatch.delenv(TOKEN_ENVS["ELV"])
    response = quant.post("/orders", order_message("Q-9"))
    assert response.status_code == 401
    assert host.db.session().scalar(select(func.count(Issue.id))) == 0


def test_one_projects_secret_cannot_reach_anothers_orders(host, quant):
    quant.post("/orders", order_message("Q-F", project="FJN"), project="FJN")
    assert quant.post("/orders/Q-F/cancel", project="ELV").status_code == 404
    assert quant.post("/orders/Q-F/cancel", {"project": "FJN"},
                      project="ELV").status_code == 403
    assert quant.post("/orders/Q-F/cancel", project="FJN").status_code == 200


def test_csrf_does_not_apply_to_quant(app, host, client, users):
    app.config["WTF_CSRF_ENABLED"] = True  # TESTING does not switch it off; be explicit
    response = client.post("/rest/quant/1/orders", json=order_message("Q-C"),
                           headers={"Authorization": "Bearer elv-secret-1234"})
    assert response.status_code == 201
