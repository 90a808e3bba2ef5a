"""Auto-planning's REST API under ``/rest/bookit/1/autoplan`` (in the OpenAPI
document through the core's route table): start a proposal (a job with progress),
read it, cancel it, apply all or some installer-days as one bulk edit; capacity per
installer-day (held vs confirmed); re-plan a day; a customer link for an order."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import jsonify
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from core.api.common import body, caller, ctx, unit
from core.api.routes import route
from core.fields import OSLO
from core.i18n import _
from core.services.errors import InvalidInput
from core.services.issues import get_issue

from . import inputs, proposals, replan
from .links import link_for
from .models import PlanProposal

TAG = "bookit"
PREFIX = "/rest/bookit/1"


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class ProposalSchema(_Strict):
    project = fields.String(required=True, validate=validate.Length(min=1, max=40))
    jql = fields.String(load_default=None, validate=validate.Length(max=20000))
    keys = fields.List(fields.String(validate=validate.Length(max=40)), load_default=None,
                       validate=validate.Length(max=10000))
    installers = fields.List(fields.String(validate=validate.Length(max=150)),
                             required=True, validate=validate.Length(min=1, max=500))
    firstDay = fields.Date(required=True)
    lastDay = fields.Date(required=True)
    seconds = fields.Float(load_default=20.0, allow_nan=False,
                           validate=validate.Range(min=1, max=600))

    @validates_schema
    def _one_selection(self, data: dict[str, Any], **kwargs: Any) -> None:
        if (data.get("jql") is None) == (data.get("keys") is None):
            raise ValidationError(_("Oppgi enten jql eller keys."), "jql")


class ApplySchema(_Strict):
    shifts = fields.List(fields.String(validate=validate.Length(max=80)), load_default=None)


class ReplanSchema(_Strict):
    project = fields.String(required=True, validate=validate.Length(min=1, max=40))
    installer = fields.String(required=True, validate=validate.Length(min=1, max=150))
    day = fields.Date(required=True)
    jql = fields.String(load_default=None, validate=validate.Length(max=20000))


def proposal_json(p: PlanProposal) -> dict[str, Any]:
    import json

    return {"id": p.id, "project": p.project_key, "status": p.status,
            "progress": p.progress, "created": p.created.isoformat(),
            "error": p.error or None, "bulkTask": p.bulk_task_id,
            "request": json.loads(p.request_json),
            "result": json.loads(p.result_json) if p.result_json else None}


@route("POST", f"{PREFIX}/autoplan", "Auto-plan a selection of orders over installer days "
       "(a job; poll the proposal for progress)", TAG, body=ProposalSchema, status=201)
def post_proposal() -> Any:
    h, s, _ = ctx()
    me = caller()
    data = body(ProposalSchema)
    request = proposals.Request(project=data["project"].upper(), jql=data["jql"],
                                keys=data["keys"], installers=data["installers"],
                                first_day=data["firstDay"], last_day=data["lastDay"],
                                seconds=data["seconds"])
    proposal = unit(lambda: proposals.start(h, s, me, request))
    return jsonify(proposal_json(proposal)), 201


@route("GET", f"{PREFIX}/autoplan/<proposal_id>", "A proposal: progress, then routes per "
       "installer-day and the orders left out with why", TAG)
def get_proposal(proposal_id: str) -> Any:
    h, s, _ = ctx()
    return jsonify(proposal_json(proposals.get(h, s, caller(), proposal_id)))


@route("POST", f"{PREFIX}/autoplan/<proposal_id>/cancel", "Stop a proposal's solve", TAG)
def cancel_proposal(proposal_id: str) -> Any:
    h, s, _ = ctx()
    me = caller()
    return jsonify(proposal_json(unit(lambda: proposals.cancel(h, s, me, proposal_id))))


@route("POST", f"{PREFIX}/autoplan/<proposal_id>/apply", "Apply a proposal (all, or the "
       "installer-days named in shifts) as one bulk edit", TAG, body=ApplySchema,
       status=202)
def apply_proposal(proposal_id: str) -> Any:
    h, s, _ = ctx()
    me = caller()
    data = body(ApplySchema, allow_empty=True)
    task = unit(lambda: proposals.apply(h, s, me, proposal_id, data["shifts"]))
    return jsonify({"bulkTask": task.id, "total": task.total,
                    "progressUrl": f"/rest/api/2/bulk/queue/{task.id}"}), 202


@route("GET", f"{PREFIX}/capacity", "Held (proposed, awaiting the customer) and confirmed "
       "minutes per installer-day, and what is free", TAG,
       query=("project", "from", "to", "installers"))
def get_capacity() -> Any:
    from flask import request

    h, s, _ = ctx()
    caller()
    project = (request.args.get("project") or "").upper()
    inputs.project_row(s, project)
    first, last = _day(request.args.get("from"), "from"), _day(request.args.get("to"), "to")
    if last < first or (last - first).days > 62:
        raise InvalidInput(errors={"to": _("Perioden må være 1–63 dager.")})
    names = [n for n in (request.args.get("installers") or "").split(",") if n]
    people = inputs.installers(h, s, project, names) if names else \
        inputs.av.installers(h, s, project=project)
    return jsonify({"days": [_capacity(d) for d in inputs.installer_days(
        h, s, project, people, first, last)]})


def _capacity(day: inputs.InstallerDay) -> dict[str, Any]:
    worked = (day.end - day.start).total_seconds() / 60 - day.break_minutes
    held = sum((v.end - v.start).total_seconds() for v in day.held if v.tentative) / 60
    confirmed = sum((v.end - v.start).total_seconds() for v in day.held
                    if not v.tentative) / 60
    return {"installer": day.username, "day": day.day.isoformat(),
            "workMinutes": round(worked), "heldMinutes": round(held),
            "confirmedMinutes": round(confirmed),
            "freeMinutes": round(max(worked - held - confirmed, 0)),
            "held": [v.key for v in day.held if v.tentative],
            "confirmed": [v.key for v in day.held if not v.tentative]}


def _day(raw: str | None, name: str) -> date:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        raise InvalidInput(errors={name: _("En dato som 2026-12-07.")}) from None


@route("POST", f"{PREFIX}/replan", "Best fill-ins from waiting orders nearby for gaps in an "
       "installer's day", TAG, body=ReplanSchema)
def post_replan() -> Any:
    h, s, _ = ctx()
    me = caller()
    data = body(ReplanSchema)
    return jsonify(replan.suggest(h, s, me, data["project"], data["installer"], data["day"],
                                  data["jql"]))


@route("POST", f"{PREFIX}/orders/<key>/selfservice", "Make a customer's self-service link "
       "for an order (sent in booking SMS and letters)", TAG, status=201)
def post_link(key: str) -> Any:
    h, s, _ = ctx()
    me = caller()

    def make() -> str:
        issue = get_issue(h, s, me, key)
        from core import permissions as perms

        perms.require(h, s, me, "edit", issue)
        return link_for(h, s, issue)

    return jsonify({"url": unit(make)}), 201


__all__ = ["OSLO", "datetime", "time", "timedelta"]
