"""The whole letter booking: Under planlegging -> letter -> Generer brev -> reply -> status."""

from __future__ import annotations

import pytest

from core.services import uow
from core.services.issues import values_of
from plugins.letters.orders import letter_folder
from plugins.sms.inbound import receive_reply
from plugins.sms.providers.base import InboundSms

from .flowhelpers import comments, move, planned_order, status_key
from .pdftext import pdf_text


@pytest.mark.parametrize(
    ("answer", "expected"),
    [(" ok ", "ready"), ("KONTAKT", "manual_followup"), ("Ok!!", "manual_followup")],
)
def test_letter_booking_from_planning_to_the_customers_answer(
    host, session, users, answer, expected
) -> None:
    planner = users["planner"]
    issue = planned_order(host, session, planner, users["installer"])
    assert status_key(host, session, issue) == "planning"

    move(host, session, planner, issue, "READY_TO_PRINT")
    code = values_of(host, issue)["reply_code"]
    letter = letter_folder(host, "FJN") / f"{issue.key}_2025-04-22.pdf"
    assert f"{code} OK" in pdf_text(letter)

    move(host, session, planner, issue, "PC_TRANSITION_PRINTED")
    assert status_key(host, session, issue) == "awaiting_response"

    # The customer reads the code off the letter and texts it back.
    reply = InboundSms(provider_id=f"in-{issue.key}", sender="+4791234567",
                       recipient="2223", text=f"{code.lower()} {answer}")  # fmt: skip
    uow.run(host, session, lambda: receive_reply(host, session, "local", reply))
    assert status_key(host, session, issue) == expected
    assert any(answer.strip() in body for body in comments(session, issue))
