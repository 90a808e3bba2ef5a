"""Admins edit a project's letter template and preview it on a real order."""

from __future__ import annotations

import re
from pathlib import Path

from core.services.issues import values_of
from plugins.letters.models import LetterTemplate
from plugins.letters.workflow import latest_letter

from .flowhelpers import move, planned_order
from .pdftext import pdf_text

PAGE = "/letters/admin/FJN/template"


def _csrf(client, headers) -> str:
    page = client.get(PAGE, headers=headers)
    assert page.status_code == 200
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def test_only_admins_reach_the_template_editor(client, users, auth) -> None:
    assert client.get(PAGE, headers=auth("planner")).status_code == 403
    page = client.get(PAGE, headers=auth("admin"))
    assert page.status_code == 200
    assert "Slik svarer du" in page.get_data(as_text=True)  # the default template, escaped
    assert client.get("/letters/admin/ELV/template", headers=auth("admin")).status_code == 404


def test_saved_template_is_used_for_the_next_letter(client, host, session, users, auth) -> None:
    headers = auth("admin")
    source = "<p>Hei {{ letter.customer_name }}, kode {{ letter.reply_code }} – egen mal</p>"
    answer = client.post(
        PAGE, headers=headers, data={"csrf_token": _csrf(client, headers), "source": source}
    )
    assert answer.status_code == 302
    assert session.get(LetterTemplate, "FJN").source == source
    issue = planned_order(host, session, users["planner"], users["installer"])
    move(host, session, users["planner"], issue, "READY_TO_PRINT")
    text = pdf_text(Path(latest_letter(session, issue.id).path))
    assert "egen mal" in text and values_of(host, issue)["reply_code"] in text


def test_broken_template_is_refused_with_the_line(client, session, users, auth) -> None:
    headers = auth("admin")
    answer = client.post(
        PAGE,
        headers=headers,
        data={"csrf_token": _csrf(client, headers), "source": "<p>ok</p>\n{% for %}"},
    )
    assert answer.status_code == 400
    assert "linje 2" in answer.get_data(as_text=True)
    assert session.get(LetterTemplate, "FJN") is None


def test_preview_renders_a_real_order_without_giving_it_a_code(
    client, host, session, users, auth
) -> None:
    issue = planned_order(host, session, users["planner"], users["installer"])
    headers = auth("admin")
    source = "<p>{{ letter.customer_name }} {{ letter.address }} {{ letter.reply_code }}</p>"
    answer = client.post(
        "/letters/admin/FJN/preview",
        headers=headers,
        data={"csrf_token": _csrf(client, headers), "source": source, "order": issue.key.lower()},
    )
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = pdf_text(answer.data)
    assert "Åse Øvrebø Ærlig" in text and "Blåbærstien 3" in text and "PRØVE" in text
    session.expire_all()
    assert values_of(host, issue).get("reply_code") is None
