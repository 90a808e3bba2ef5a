"""REST for bulk change, in the style of Jira Cloud's bulk API: submitting returns
a task id at once, ``bulk/queue/{taskId}`` reports status and progress."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from marshmallow import EXCLUDE, Schema, ValidationError, validates_schema
from marshmallow import fields as mf

from ..api.common import body, caller, ctx, unit
from ..api.routes import route
from ..api.serialize import when
from ..i18n import gettext
from ..models import User
from . import service
from .models import BulkTask

TAG = "bulk"


class _Selection(Schema):
    class Meta:
        unknown = EXCLUDE

    selectedIssueIdsOrKeys = mf.List(mf.Raw(), load_default=None)  # noqa: N815
    jql = mf.String(load_default=None)
    sendBulkNotification = mf.Boolean(load_default=True)  # noqa: N815

    @validates_schema
    def _one(self, data: dict[str, Any], **kw: Any) -> None:
        if not data.get("selectedIssueIdsOrKeys") and not data.get("jql"):
            raise ValidationError(gettext("Oppgi saker eller et JQL-søk."),
                                  "selectedIssueIdsOrKeys")


class TransitionBody(_Selection):
    transitionId = mf.Raw(required=True)  # noqa: N815
    fields = mf.Dict(keys=mf.String(), load_default=dict)
    comment = mf.String(load_default=None)


class EditBody(_Selection):
    editedFieldsInput = mf.Dict(keys=mf.String(), required=True)  # noqa: N815


class WatchBody(_Selection):
    user = mf.String(load_default=None)


def _submit(data: dict[str, Any], operation: str, params: dict[str, Any]) -> Any:
    h, s, _ = ctx()
    user = caller()

    def work() -> BulkTask:
        issues = service.select_issues(h, s, user, jql=data.get("jql"),
                                       keys=[str(k) for k in data.get(
                                           "selectedIssueIdsOrKeys") or []] or None)
        return service.submit(h, s, user, issues, operation, params,
                              notify=data["sendBulkNotification"])

    task = unit(work)
    return jsonify({"taskId": task.id, "skipped": task.skipped}), 201


@route("POST", "/rest/api/2/bulk/issues/transition",
       "Move many issues through a transition (returns a task id)", TAG, body=TransitionBody,
       status=201)
def bulk_transition() -> Any:
    data = body(TransitionBody)
    return _submit(data, "transition", {"transition": str(data["transitionId"]),
                                        "fields": data["fields"], "comment": data["comment"]})


@route("POST", "/rest/api/2/bulk/issues/fields", "Edit fields of many issues", TAG,
       body=EditBody, status=201)
def bulk_edit() -> Any:
    data = body(EditBody)
    return _submit(data, "edit", {"fields": data["editedFieldsInput"]})


@route("POST", "/rest/api/2/bulk/issues/watch", "Watch many issues", TAG, body=WatchBody,
       status=201)
def bulk_watch() -> Any:
    data = body(WatchBody)
    return _submit(data, "watch", {"user": data["user"]})


@route("POST", "/rest/api/2/bulk/issues/unwatch", "Stop watching many issues", TAG,
       body=WatchBody, status=201)
def bulk_unwatch() -> Any:
    data = body(WatchBody)
    return _submit(data, "unwatch", {"user": data["user"]})


@route("POST", "/rest/api/2/bulk/issues/delete", "Delete many issues (admins)", TAG,
       body=_Selection, status=201)
def bulk_delete() -> Any:
    return _submit(body(_Selection), "delete", {})


def task_json(task: BulkTask, s: Any) -> dict[str, Any]:
    processed = task.done + task.failed
    todo = task.total - task.skipped
    return {
        "taskId": task.id,
        "operation": task.operation,
        "status": task.status,
        "progressPercent": 100 if todo <= 0 else int(processed * 100 / todo),
        "totalIssueCount": task.total,
        "processedIssueCount": processed,
        "succeededIssueCount": task.done,
        "failedIssueCount": task.failed,
        "skippedIssueCount": task.skipped,
        "failedAccessibleIssues": {item.key: [item.message] for item in service.failures(s, task)},
        "submittedBy": (s.get(User, task.owner_id).username if task.owner_id else None),
        "created": when(task.created),
        "started": when(task.started),
        "updated": when(task.updated),
        "finished": when(task.finished),
        "error": task.error or None,
    }


@route("GET", "/rest/api/2/bulk/queue/<task_id>", "Status and progress of a bulk task", TAG)
def bulk_queue(task_id: str) -> Any:
    h, s, _ = ctx()
    return jsonify(task_json(service.get_task(h, s, caller(), task_id), s))


@route("POST", "/rest/api/2/task/<task_id>/cancel", "Cancel a running bulk task", TAG,
       status=202)
def cancel(task_id: str) -> Any:
    h, s, _ = ctx()
    task = unit(lambda: service.cancel(h, s, caller(), task_id))
    return jsonify(task_json(task, s)), 202
