"""The PyPI ``jira`` client, unchanged, against a live server: create, get, edit,
transition, comment, attachment, changelog, watchers, links, assign."""

from __future__ import annotations

import io

import pytest
from jira import JIRAError

from tests.api.conftest import snapshot


def test_create_get_edit_and_changelog(jira_as, host, backend):
    jira = jira_as("planner", password=True)
    created = jira.create_issue(project="ELV", issuetype={"name": "Målerbytte"},
                                summary="<script>alert(1)</script> Storgata 1",
                                description="Linje 1\nLinje 2",
                                customfield_10013="Åse Ødegård", customfield_10017="91234567")
    assert created.key.startswith("ELV-")
    issue = jira.issue(created.key)
    # Text comes back exactly as sent; escaping is the page's job.
    assert issue.fields.summary == "<script>alert(1)</script> Storgata 1"
    assert issue.fields.customfield_10017 == "+4791234567"
    assert issue.fields.status.name == host.all_statuses()["open"].name
    assert issue.fields.status.statusCategory.key == "new"
    assert issue.fields.reporter.name == "planner"
    issue.update(fields={"summary": "Storgata 2", "customfield_10015": "0150"},
                 assignee="installer")
    again = jira.issue(created.key, expand="changelog,renderedFields,names")
    assert again.fields.summary == "Storgata 2"
    assert again.fields.assignee.name == "installer"
    assert again.fields.customfield_10015 == "0150"
    items = {(i.field, i.fromString, i.toString) for h in again.changelog.histories
             for i in h.items}
    assert ("summary", "<script>alert(1)</script> Storgata 1", "Storgata 2") in items
    assert ("assignee", None, "Mona Montør") in items
    assert again.renderedFields.description == "Linje 1<br/>Linje 2"
    assert again.names.customfield_10015 == host.fields["postcode"].name
    only = jira.issue(created.key, fields="summary,customfield_10015")
    assert set(only.raw["fields"]) == {"summary", "customfield_10015"}


def test_transitions_with_screen_and_comment(jira_as, order, host, backend):
    key = order(assignee="installer", planned_start="2030-05-02T10:00").key
    jira = jira_as("planner")
    names = {t["name"] for t in jira.transitions(key)}
    assert "Start planlegging" in names
    jira.transition_issue(key, "Start planlegging")
    jira.transition_issue(key, "52")
    jira.transition_issue(key, "61", comment="Klar til montør")
    installer = jira_as("installer")
    installer.transition_issue(key, "71")
    offered = installer.transitions(key, expand="transitions.fields")
    resolve = next(t for t in offered if t["id"] == "72")
    allowed = {v["name"] for v in resolve["fields"]["resolution"]["allowedValues"]}
    assert resolve["fields"]["resolution"]["required"] is True
    assert "Kansellert" not in allowed and "Kunde ikke hjemme" in allowed
    installer.transition_issue(key, "72", fields={"resolution": {"name": "Kunde ikke hjemme"}})
    issue = jira.issue(key)
    assert issue.fields.status.name == host.all_statuses()["resolved"].name
    assert issue.fields.resolution.name == "Kunde ikke hjemme"
    assert issue.fields.resolutiondate is not None
    assert [c.body for c in jira.comments(key)] == ["Klar til montør"]


def test_transition_screen_with_custom_field(jira_as, order, host):
    key = order().key
    jira = jira_as("planner")
    jira.transition_issue(key, "95", fields={"customfield_10025": "2030-06-01",
                                             "assignee": {"name": "installer"}})
    issue = jira.issue(key)
    assert issue.fields.customfield_10025 == "2030-06-01"
    assert issue.fields.assignee.name == "installer"


def test_comments_add_edit_delete(jira_as, order, backend):
    key = order().key
    jira = jira_as("planner")
    comment = jira.add_comment(key, "Kunden ringer tilbake <b>i morgen</b>")
    assert comment.author.name == "planner"
    assert jira.comment(key, comment.id).body == "Kunden ringer tilbake <b>i morgen</b>"
    comment.update(body="Endret")
    assert [c.body for c in jira.comments(key)] == ["Endret"]
    assert jira.issue(key).fields.comment.total == 1
    comment.delete()
    assert jira.comments(key) == []


def test_attachment_upload_download_delete(jira_as, order, host, backend):
    key = order().key
    jira = jira_as("planner")
    att = jira.add_attachment(key, io.BytesIO(b"<html>hei</html>"), filename="../../x.html")
    assert att.filename == "x.html"
    assert att.size == len(b"<html>hei</html>")
    assert att.get() == b"<html>hei</html>"
    stored = list((host.data_dir / "attachments").iterdir())
    assert len(stored) == 1 and stored[0].name != "x.html"
    assert [a.id for a in jira.issue(key).fields.attachment] == [att.id]
    jira.delete_attachment(att.id)
    assert jira.issue(key).fields.attachment == []
    assert list((host.data_dir / "attachments").iterdir()) == []


def test_watchers_links_and_assign(jira_as, order, host, backend):
    first, second = order().key, order("Tilleggsarbeid på Storgata 1").key
    jira = jira_as("planner")
    jira.add_watcher(first, "admin")
    jira.add_watcher(first, "planner")
    watchers = jira.watchers(first)
    assert {w.name for w in watchers.watchers} == {"admin", "planner"}
    assert watchers.isWatching is True
    jira.remove_watcher(first, "admin")
    assert [w.name for w in jira.watchers(first).watchers] == ["planner"]
    kind = host.config["link_types"][-1]
    jira.create_issue_link(kind["name"], first, second)
    links = jira.issue(first).fields.issuelinks
    assert [(lk.type.name, lk.outwardIssue.key) for lk in links] == [(kind["name"], second)]
    back = jira.issue(second).fields.issuelinks
    assert [lk.inwardIssue.key for lk in back] == [first]
    jira.delete_issue_link(links[0].id)
    assert jira.issue(second).fields.issuelinks == []
    jira.assign_issue(first, "installer")
    assert jira.issue(first).fields.assignee.name == "installer"
    assert snapshot(host, first)["assignee"] is not None


def test_delete_issue_and_errors_surface_as_jira_errors(jira_as, order, host):
    key = order().key
    admin = jira_as("admin")
    with pytest.raises(JIRAError) as err:
        jira_as("planner").issue(key).delete()
    assert err.value.status_code == 403
    admin.issue(key).delete()
    with pytest.raises(JIRAError) as err:
        admin.issue(key)
    assert err.value.status_code == 404


def test_metadata_the_client_reads(jira_as, host):
    jira = jira_as("planner")
    assert jira.myself()["name"] == "planner"
    assert {p.key for p in jira.projects()} == {p["key"] for p in host.config["projects"]}
    by_id = {f["id"]: f for f in jira.fields()}
    for fdef in host.fields:
        assert by_id[fdef.id]["custom"] is True
        assert f"cf[{fdef.number}]" in by_id[fdef.id]["clauseNames"]
    assert by_id["summary"]["custom"] is False and by_id["summary"]["navigable"] is True
    assert {t.name for t in jira.issue_types()} == {t["name"] for t in host.config["issue_types"]}
    assert {r.name for r in jira.resolutions()} == {r["name"] for r in host.config["resolutions"]}
    assert {s.name for s in jira.statuses()} == {s.name for s in host.all_statuses().values()}
    assert jira.priorities() == []
    assert [u.name for u in jira.search_users(user="montør")] == ["installer", "installer2"]
    assert jira.user("installer").displayName == "Mona Montør"
    assert {lt.name for lt in jira.issue_link_types()} == \
        {t["name"] for t in host.config["link_types"]}
