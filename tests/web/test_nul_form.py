"""A NUL character in a form is refused with the message on the page, and nothing changes
(the API side is in tests/api/test_nul_input.py)."""

from __future__ import annotations

from sqlalchemy import func, select

from core.models import Comment


def test_a_form_with_nul_shows_the_message_on_the_page(as_user, make_order, host, backend):
    key = make_order(summary="Målerbytte")
    planner = as_user("planner")
    page = planner.get(f"/browse/{key}")
    assert page.status_code == 200
    response = planner.post(f"/browse/{key}/comment", {"body": "hei\x00"})
    assert response.status_code == 400
    assert "NUL-tegn" in response.text
    with host.db.new_session() as s:
        assert s.scalar(select(func.count()).select_from(Comment)) == 0
