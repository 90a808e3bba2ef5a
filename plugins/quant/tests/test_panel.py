"""The Quant panel on the issue view: Quant's id and the last validation result, only
where the project enables quant."""

from __future__ import annotations

from core.services.issues import create_issue

from .flow import fresh, resolve


def _panels(app, host, key, user):
    """Quant's panels among those every enabled plugin gives the issue view."""
    from flask import g
    from sqlalchemy import inspect

    from core.models import User

    user = host.db.session().get(User, inspect(user).identity[0])
    with app.test_request_context():
        g.user = user
        return [p for p in host.plugins.issue_panels(host, fresh(host, key), user)
                if p.id == "quant-panel"]


def test_panel_shows_quant_id_and_last_validation(app, host, quant, users, client, auth):
    key = quant.create("Q-<b>7")["key"]
    [panel] = _panels(app, host, key, users["planner"])
    assert panel.title == "Quant"
    assert "Q-&lt;b&gt;7" in panel.html and "<b>" not in panel.html
    resolve(host, users["planner"], users["installer"], key, "Ok")
    quant.post("/orders/Q-%3Cb%3E7/validation",
               {"result": "rejected", "reason": "Måler finnes ikke"})
    [panel] = _panels(app, host, key, users["planner"])
    assert "Avvist" in panel.html and "Måler finnes ikke" in panel.html
    page = client.get(f"/browse/{key}", headers=auth("planner"))
    assert page.status_code == 200
    assert "Måler finnes ikke" in page.get_data(as_text=True)


def test_no_panel_without_quant_or_without_a_quant_order(app, host, users):
    session = host.db.session()
    noq = create_issue(host, session, users["admin"], "NOQ", "Målerbytte", "Uten Quant")
    manual = create_issue(host, session, users["planner"], "ELV", "Målerbytte", "Manuell")
    host.db.commit(session)
    noq_key, manual_key = noq.key, manual.key
    # In a project without quant, an Ok order is not auto-closed for Quant either.
    issue = resolve(host, users["admin"], users["admin"], noq_key, "Ok")
    assert issue.status.key == "resolved"
    assert _panels(app, host, noq_key, users["admin"]) == []
    assert _panels(app, host, manual_key, users["planner"]) == []
