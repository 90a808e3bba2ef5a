"""The places plugins fill: top menu items, *Flere handlinger* entries and panels,
only for projects that enable the plugin."""

from __future__ import annotations

import os
from typing import Any

import pytest
from markupsafe import Markup, escape

from core.app import create_app
from core.config import parse_config
from core.hookspecs import hookimpl
from core.registries import IssueAction, IssuePanel, NavItem


class ShowcasePlugin:
    """A third-party plugin that fills every place of the web shell."""

    PLUGIN_NAME = "showcase"

    @hookimpl
    def register_nav_items(self, user: Any) -> list[NavItem]:
        return [NavItem(label="Kart <demo>", url="/kart", order=5)]

    @hookimpl
    def issue_actions(self, host: Any, issue: Any, user: Any) -> list[IssueAction]:
        return [IssueAction(label="Send SMS", url=f"/sms/{issue.key}", id="send-sms",
                            method="post"),
                IssueAction(label="Se saken i Mapit", url=f"/mapit/{issue.key}",
                            id="mapit", new_tab=True)]

    @hookimpl
    def issue_panels(self, host: Any, issue: Any, user: Any) -> list[IssuePanel]:
        html = Markup("<p class='sms-log'>Siste SMS til {}</p>").format(issue.summary)
        return [IssuePanel(title="SMS-logg <b>", html=html, id="smslog"),
                IssuePanel(title="Rå", html="<script>window.pwned=1</script>", id="raw")]


class BrokenPlugin:
    """A plugin whose issue-view hooks raise: its places show an error, the page stays."""

    PLUGIN_NAME = "broken"

    @hookimpl
    def issue_actions(self, issue: Any) -> list[IssueAction]:
        raise RuntimeError("actions broke")

    @hookimpl
    def issue_panels(self, issue: Any) -> list[IssuePanel]:
        raise RuntimeError("panel broke")


@pytest.fixture
def app(config_dict: dict[str, Any]) -> Any:
    """The usual app, with the showcase plugin found and enabled for ELV only."""
    os.environ.setdefault("AMSFLOW_SECRET_KEY", "test-secret")
    config_dict["projects"][0]["plugins"]["showcase"] = {}
    config_dict["projects"][0]["plugins"]["broken"] = {}
    application = create_app(parse_config(config_dict),
                             extra_plugins=(ShowcasePlugin(), BrokenPlugin()),
                             create_schema=True, overrides={"TESTING": True})
    yield application
    application.extensions["amsflow"].db.dispose()


def test_plugin_places_are_filled_for_enabling_projects(as_user, host, users):
    from core.services.issues import create_issue

    s = host.db.session()
    elv = create_issue(host, s, users["planner"], "ELV", "Målerbytte", "Ola <i>Nordmann</i>")
    fjn = create_issue(host, s, users["planner"], "FJN", "Målerbytte", "Fjord-ordre")
    keys = (elv.key, fjn.key)
    host.db.commit(s)
    b = as_user("planner")
    page = b.get(f"/browse/{keys[0]}").text
    assert '<a href="/kart">Kart &lt;demo&gt;</a>' in page
    assert 'id="action-send-sms"' in page and f'action="/sms/{keys[0]}"' in page
    assert f'href="/mapit/{keys[0]}" id="action-mapit" target="_blank" rel="noopener"' in page
    assert "SMS-logg &lt;b&gt;" in page
    assert f"<p class='sms-log'>Siste SMS til {escape('Ola <i>Nordmann</i>')}</p>" in page
    other = b.get(f"/browse/{keys[1]}").text
    assert "action-send-sms" not in other and "sms-log" not in other


def test_panel_html_is_text_unless_markup_and_a_failing_plugin_leaves_the_page_up(
        as_user, host, users):
    from core.services.issues import create_issue

    s = host.db.session()
    key = create_issue(host, s, users["planner"], "ELV", "Målerbytte", "Storgata 1").key
    host.db.commit(s)
    response = as_user("planner").get(f"/browse/{key}")
    assert response.status_code == 200
    page = response.text
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page
    assert "<script>window.pwned" not in page
    assert 'id="panel-broken-error"' in page and "Panelet fra broken kunne ikke vises." in page
    assert 'id="action-broken-error"' in page and "broken: handlingene kunne ikke vises" in page
    assert 'id="action-send-sms"' in page and "sms-log" in page  # the others still show
    assert 'id="attachments"' in page and 'id="comments"' in page  # and the rest of it
