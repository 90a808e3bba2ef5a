"""The bulk-change wizard in a real Chromium, from a navigator search with ticked
orders to the finished report; and cancelling a running task from its progress page.
Jobs run in process, so the task runs on a thread of the test's server."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select

from conftest import PASSWORD
from core.bulk.models import BulkTask
from core.models import Issue
from core.services import uow
from core.services.issues import create_issue
from core.workflow.engine import transition_issue

pytestmark = pytest.mark.browser


@pytest.fixture
def config_dict(config_dict: dict[str, Any]) -> dict[str, Any]:
    config_dict.pop("redis_url", None)
    config_dict["jobs"] = {"bulk_chunk": 2, "bulk_pause_ratio": 0.0}
    return config_dict


@pytest.fixture
def page(browser_page: Any) -> Any:
    """The root conftest's Chromium page (``live_url`` comes from there too)."""
    return browser_page


def _orders(host: Any, session: Any, user: Any, n: int) -> list[Issue]:
    out = [create_issue(host, session, user, "ELV", "Målerbytte", f"Målerbytte {i}",
                        {"customer_name": f"Kunde {i}"}) for i in range(n)]
    host.db.commit(session)
    return out


def _login(page: Any, url: str) -> None:
    page.goto(url)
    page.fill("#username", "planner")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def _open_wizard(page: Any, live_url: str) -> None:
    """The navigator's *Masseoppdatering* menu: bulk change of the ticked orders."""
    page.click("#bulk-menu summary")
    page.click("#bulk-selected button")


def test_wizard_from_navigator_search_to_finished_report(live_url, page, host, session,
                                                         users):
    planner = users["planner"]
    issues = _orders(host, session, planner, 6)
    uow.run(host, session, lambda: transition_issue(host, session, planner, issues[1], "11"))
    _login(page, f"{live_url}/navigator/?jql={quote('project = ELV ORDER BY key ASC')}")
    page.wait_for_selector("#results")
    page.check("#select-all")
    page.uncheck(f"#results input[value='{issues[5].key}']")
    _open_wizard(page, live_url)

    page.wait_for_selector("#bulk-orders")
    assert page.is_checked("#scope-chosen")
    assert page.inner_text("#bulk-chosen-count") == "(5)"
    assert not page.is_checked(f"#bulk-rows input[value='{issues[5].key}']")
    page.click("#bulk-next")
    assert "5 saker valgt" in page.inner_text("main")
    page.check("#op-transition")
    page.click("#bulk-next")
    start = host.workflow_for("ELV", "Målerbytte").by_ref("START_PLANNING")
    assert "4 av 5 saker kan ta den" in page.inner_text(f"label:has(#tr-{start.id})")
    page.check(f"#tr-{start.id}")
    page.click("#bulk-next")
    page.uncheck("#notify")
    page.click("#bulk-next")
    assert "Endringen gjelder 4 av de 5 valgte sakene." in page.inner_text("#bulk-will-touch")
    assert issues[1].key in page.inner_text("#bulk-skipped")
    page.click("#bulk-submit")

    page.wait_for_url("**/bulk/task/**")
    page.wait_for_selector("#bulk-status[data-status='COMPLETE']", timeout=30000)
    assert page.inner_text("#bulk-percent") == "100"
    assert page.inner_text("#bulk-done") == "4"
    assert page.inner_text("#bulk-skipped-count") == "1"
    report = page.inner_text("#bulk-failures")
    assert issues[1].key in report and "Under planlegging" in report
    assert page.is_hidden("#bulk-cancel")
    session.expire_all()
    moved = {i.key for i in session.scalars(select(Issue)) if i.status.key == "planning"}
    assert moved == {i.key for i in issues[:5]}


def test_cancel_from_the_progress_page(live_url, page, host, session, users):
    issues = _orders(host, session, users["planner"], 40)
    host.config.data["jobs"].update({"bulk_chunk": 1, "bulk_pause_ratio": 10.0})
    _login(page, f"{live_url}/bulk/?jql={quote('project = ELV')}")
    page.wait_for_selector("#bulk-orders")
    assert "Alle 40 saker i søket" in page.inner_text("#bulk-orders")
    page.click("#bulk-next")
    page.check("#op-transition")
    page.click("#bulk-next")
    start = host.workflow_for("ELV", "Målerbytte").by_ref("START_PLANNING")
    page.check(f"#tr-{start.id}")
    page.click("#bulk-next")
    page.click("#bulk-next")
    page.click("#bulk-submit")
    page.wait_for_url("**/bulk/task/**")
    page.click("#bulk-cancel")
    page.wait_for_selector("#bulk-status[data-status='CANCELLED']", timeout=30000)
    task = session.scalars(select(BulkTask)).one()
    session.refresh(task)
    assert task.status == "CANCELLED" and task.done < len(issues)
    session.expire_all()
    planned = sum(1 for i in session.scalars(select(Issue)) if i.status.key == "planning")
    assert planned == task.done
