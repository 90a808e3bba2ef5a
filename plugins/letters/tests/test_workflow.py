"""Klar til utskrift makes the letter; Generer brev marks it produced; failures keep status."""

from __future__ import annotations

import pytest

from core.services.attachments import path_of
from core.services.errors import ServiceError
from core.services.issues import values_of
from core.workflow.context import WorkflowAbort
from plugins.letters.models import LetterRecord
from plugins.letters.orders import letter_folder
from plugins.letters.workflow import latest_letter

from .flowhelpers import attachments, comments, move, planned_order, status_key
from .pdftext import pdf_text


def test_ready_to_print_writes_attaches_and_logs_the_letter(host, session, users) -> None:
    issue = planned_order(host, session, users["planner"], users["installer"])
    move(host, session, users["planner"], issue, "READY_TO_PRINT")
    assert status_key(host, session, issue) == "ready_to_print"
    code = values_of(host, issue)["reply_code"]
    assert code
    path = letter_folder(host, "FJN") / f"{issue.key}_2025-04-22.pdf"
    text = pdf_text(path)
    for expected in (
        "Åse Øvrebø Ærlig",
        "Blåbærstien 3",
        "1430",
        "tirsdag 22. april 2025",
        "10:00–11:00",
        users["installer"].display_name,
        f"{code} OK",
        "2223",
    ):
        assert expected in text, expected
    [attachment] = attachments(session, issue)
    assert attachment.filename == path.name and attachment.mime_type == "application/pdf"
    assert path_of(host, attachment).read_bytes() == path.read_bytes()
    record = latest_letter(session, issue.id)
    assert record is not None and record.reply_code == code and record.printed is None
    assert any(path.name in body and code in body for body in comments(session, issue))


def test_ready_to_print_needs_a_planned_start(host, session, users) -> None:
    issue = planned_order(host, session, users["planner"], users["installer"], planned_start=None)
    with pytest.raises(ServiceError):
        move(host, session, users["planner"], issue, "READY_TO_PRINT")
    assert status_key(host, session, issue) == "planning"
    folder = letter_folder(host, "FJN")
    assert not folder.exists() or list(folder.iterdir()) == []


def test_generate_letter_marks_it_produced_and_awaits_reply(host, session, users) -> None:
    issue = planned_order(host, session, users["planner"], users["installer"])
    move(host, session, users["planner"], issue, "READY_TO_PRINT")
    move(host, session, users["planner"], issue, "PC_TRANSITION_PRINTED")
    assert status_key(host, session, issue) == "awaiting_response"
    record = latest_letter(session, issue.id)
    assert record is not None and record.printed is not None
    assert any("produsert" in body for body in comments(session, issue))


def test_a_letter_keeps_its_code_when_made_again(host, session, users) -> None:
    issue = planned_order(host, session, users["planner"], users["installer"])
    move(host, session, users["planner"], issue, "READY_TO_PRINT")
    first = values_of(host, issue)["reply_code"]
    move(host, session, users["planner"], issue, "PC_TRANSITION_PRINTED")
    move(host, session, users["planner"], issue, "FOLLOW_UP")
    move(host, session, users["planner"], issue, "REPLAN")
    move(host, session, users["planner"], issue, "READY_TO_PRINT")
    assert values_of(host, issue)["reply_code"] == first
    assert session.query(LetterRecord).filter_by(issue_id=issue.id).count() == 2


@pytest.fixture
def broken_letters(config_dict, tmp_path, request):
    """FJN with a letters setting that makes production fail (set by the test's param)."""
    key, value = request.param
    if value == "<a file>":
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("x")
        value = str(blocker / "brev")
    for project in config_dict["projects"]:
        if project["key"] == "FJN":
            project["plugins"]["letters"][key] = value
    return request.param


@pytest.mark.parametrize(
    ("broken_letters", "message"),
    [
        (("wkhtmltopdf", "/nonexistent/wkhtmltopdf"), "wkhtmltopdf er ikke installert"),
        (("folder", "<a file>"), "brevkatalogen"),
    ],
    indirect=["broken_letters"],
)
def test_failure_keeps_status_and_comments_why(
    broken_letters, message, host, session, users
) -> None:
    issue = planned_order(host, session, users["planner"], users["installer"])
    with pytest.raises(WorkflowAbort) as info:
        move(host, session, users["planner"], issue, "READY_TO_PRINT")
    assert message in str(info.value)
    assert status_key(host, session, issue) == "planning"
    assert any(message in body for body in comments(session, issue))
    assert attachments(session, issue) == []
    assert latest_letter(session, issue.id) is None


def test_generate_letter_without_a_letter_is_refused(host, session, users) -> None:
    from core.models import Issue
    from core.services import uow

    issue = planned_order(host, session, users["planner"], users["installer"])

    def force_status() -> None:
        session.get(Issue, issue.id).status_id = host.catalog.status_ids["ready_to_print"]

    uow.run(host, session, force_status)
    with pytest.raises(WorkflowAbort) as info:
        move(host, session, users["planner"], issue, "PC_TRANSITION_PRINTED")
    assert "har ikke noe brev" in str(info.value)
    assert status_key(host, session, issue) == "ready_to_print"
