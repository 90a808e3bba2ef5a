"""Only messages signed with a project's Standard Webhooks secret open the API: a
bad or missing signature, or a timestamp outside five minutes, is 401 and changes
nothing; the same webhook-id twice is answered with its first result, processed once."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from core.models import Issue
from plugins.quant.models import QuantMessage
from plugins.quant.signing import new_secret

from .conftest import SECRET_ENVS, SECRETS, order_message
from .flow import change_count, comments, fresh
from .standin import QuantClient

FORGED = new_secret(b"not-the-grid-company-secret-0000")


def _variants(quant, client):
    """Headers that must all be refused, for a given body."""
    good = quant.signer()
    forged = QuantClient(client, FORGED)

    def make(body):
        signed = good.headers(body)
        yield {}                                                     # unsigned
        yield forged.headers(body)                                   # someone else's key
        yield {**signed, "webhook-signature": "v1,AAAA"}             # wrong signature
        yield {**signed, "webhook-signature": "v1"}                  # malformed
        yield {**signed, "webhook-signature": "v1,@@not-base64@@"}  # undecodable
        yield {**signed, "webhook-id": "msg_other"}                  # signed another id
        yield {k: v for k, v in signed.items() if k != "webhook-timestamp"}
        stale = datetime.now(UTC) - timedelta(minutes=6)
        yield good.headers(body, when=stale)                         # replayed later
        yield good.headers(body, when=datetime.now(UTC) + timedelta(minutes=6))
        yield {**signed, "webhook-timestamp": "nan"}
        yield {"Authorization": "Bearer elv-secret-1234"}            # bearer is off
    return make


def test_unsigned_forged_and_stale_messages_are_401_and_change_nothing(host, quant, client,
                                                                        backend):
    key = quant.create("Q-1")["key"]
    before = (fresh(host, key).status.key, comments(host, key), change_count(host, key))
    calls = [("/orders", order_message("Q-2")),
             ("/orders", order_message("Q-1", fields={"stage": "Etappe 7"})),
             ("/orders/bulk", {"orders": [order_message("Q-3")]}),
             ("/orders/Q-1/cancel", {}),
             ("/orders/Q-1/validation", {"result": "rejected", "reason": "Feil måler"})]
    make = _variants(quant, client)
    for path, payload in calls:
        body = json.dumps(payload)
        for headers in make(body):
            response = client.post(f"/rest/quant/1{path}", data=body,
                                   headers={"Content-Type": "application/json", **headers})
            assert response.status_code == 401, (headers, path)
            data = response.get_json()
            assert data["errors"] == {} and data["errorMessages"]
            assert "WWW-Authenticate" in response.headers
    # A body changed after signing is refused too.
    body = json.dumps(order_message("Q-4"))
    headers = quant.signer().headers(body)
    tampered = body.replace("Q-4", "Q-5")
    assert client.post("/rest/quant/1/orders", data=tampered, headers={
        "Content-Type": "application/json", **headers}).status_code == 401
    assert host.db.session().scalar(select(func.count(Issue.id))) == 1
    assert (fresh(host, key).status.key, comments(host, key),
            change_count(host, key)) == before


def test_two_secrets_are_valid_while_one_is_rotated(app, host, client, monkeypatch, quant):
    new = new_secret(b"elv-next-signing-key-fedcba98765")
    monkeypatch.setenv("TEST_QUANT_SIGNING_ELV_NEXT", new)
    settings = host.plugins.plugin_settings("ELV", "quant")
    monkeypatch.setitem(settings, "signing_secret_previous_env", SECRET_ENVS["ELV"])
    monkeypatch.setitem(settings, "signing_secret_env", "TEST_QUANT_SIGNING_ELV_NEXT")
    old_client, new_client = QuantClient(client, SECRETS["ELV"]), QuantClient(client, new)
    assert old_client.post("/orders", order_message("R-1")).status_code == 201
    assert new_client.post("/orders", order_message("R-2")).status_code == 201
    monkeypatch.setitem(settings, "signing_secret_previous_env", None)  # rotation done
    assert old_client.post("/orders", order_message("R-3")).status_code == 401
    assert new_client.post("/orders", order_message("R-3")).status_code == 201


def test_bearer_only_behind_its_setting(host, client, monkeypatch, quant):
    headers = {"Authorization": "Bearer elv-secret-1234"}
    assert client.post("/rest/quant/1/orders", json=order_message("B-1"),
                       headers=headers).status_code == 401
    monkeypatch.setitem(host.plugins.plugin_settings("ELV", "quant"), "allow_bearer", True)
    assert client.post("/rest/quant/1/orders", json=order_message("B-1"),
                       headers=headers).status_code == 201
    wrong = {"Authorization": "Bearer wrong"}
    assert client.post("/rest/quant/1/orders", json=order_message("B-2"),
                       headers=wrong).status_code == 401


def test_no_secret_in_environment_means_no_access(host, quant, monkeypatch):
    monkeypatch.delenv(SECRET_ENVS["ELV"])
    response = quant.post("/orders", order_message("Q-9"))
    assert response.status_code == 401
    assert host.db.session().scalar(select(func.count(Issue.id))) == 0


def test_one_projects_secret_cannot_reach_anothers_orders(host, quant):
    quant.post("/orders", order_message("Q-F", project="FJN"), project="FJN")
    assert quant.get("/orders/Q-F", project="ELV").status_code == 404
    assert quant.post("/orders/Q-F/cancel", {"project": "FJN"},
                      project="ELV").status_code == 403
    assert quant.post("/orders/Q-F/cancel", project="FJN").status_code == 200


def test_csrf_does_not_apply_to_quant(app, host, quant):
    app.config["WTF_CSRF_ENABLED"] = True  # TESTING does not switch it off; be explicit
    assert quant.post("/orders", order_message("Q-C")).status_code == 201


def test_the_same_message_id_is_answered_once_and_processed_once(host, quant, backend):
    first = quant.post("/orders", order_message("D-1"), message_id="msg_dup_1")
    assert first.status_code == 201
    key = first.get_json()["key"]
    changed = order_message("D-1", fields={"stage": "Etappe 9"})
    # Quant sends the same message again (its retry): same id, same answer, no change.
    again = quant.post("/orders", order_message("D-1"), message_id="msg_dup_1")
    assert again.status_code == 201 and again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert host.db.session().scalar(select(func.count(Issue.id))) == 1
    # A new message id with new content is processed.
    update = quant.post("/orders", changed, message_id="msg_dup_2")
    assert update.status_code == 200 and update.get_json()["changed"]
    history = change_count(host, key)
    assert quant.post("/orders", changed, message_id="msg_dup_2").get_json() == \
        update.get_json()
    assert change_count(host, key) == history
    statuses = host.db.session().scalars(select(QuantMessage.status).where(
        QuantMessage.message_id.in_(["msg_dup_1", "msg_dup_2"]))
        .order_by(QuantMessage.id)).all()
    assert statuses == ["processed", "duplicate", "processed", "duplicate"]


def test_combinations_of_calls_and_bad_headers_stay_small(quant, client):
    """Guard: every refused variant above differs from a good request (the good one
    passes), so a 401 there is the check, not a broken helper."""
    body = json.dumps(order_message("G-1"))
    ok = client.post("/rest/quant/1/orders", data=body, headers=quant.signer().headers(body))
    assert ok.status_code == 201
    assert len(list(itertools.islice(_variants(quant, client)(body), 20))) == 11


def test_two_copies_at_once_are_processed_once(host, quant, live_url, backend):
    """Quant's retry racing the first delivery: both get the first answer."""
    import http.client
    import threading

    body = json.dumps(order_message("C-1"))
    headers = {**quant.signer().headers(body, message_id="msg_race"),
               "Content-Type": "application/json"}
    port = int(live_url.rsplit(":", 1)[1])
    answers = []

    def send():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("POST", "/rest/quant/1/orders", body=body.encode(), headers=headers)
        response = conn.getresponse()
        answers.append((response.status, json.loads(response.read())))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 4 and {a[0] for a in answers} == {201}
    assert len({json.dumps(a[1], sort_keys=True) for a in answers}) == 1
    session = host.db.session()
    session.expire_all()
    assert session.scalar(select(func.count(Issue.id))) == 1
