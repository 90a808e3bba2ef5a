"""The core's own conditions, validators and post-functions (plugin ``core``)."""

from __future__ import annotations

from typing import Any

from .. import permissions as perms
from ..i18n import _
from ..workflow.context import ValidationFailed, WorkflowContext
from ..workflow.engine import set_resolution


def _label(ctx: WorkflowContext, name: str) -> tuple[str, str]:
    """(error key, display name) of a system or custom field."""
    labels = {"assignee": "Ansvarlig", "resolution": "Løsningsstatus", "summary": "Emne",
              "description": "Beskrivelse", "reporter": "Rapportør"}
    if name in labels:
        return name, labels[name]
    fdef = ctx.host.fields[name]
    return fdef.id, fdef.name


def _resolution_name(ctx: WorkflowContext) -> str | None:
    return ctx.issue.resolution.name if ctx.issue.resolution else None


def register(registry: Any) -> None:
    """Fill the registry (called from the ``register_workflow_functions`` hook)."""

    @registry.condition("role")
    def role(ctx: WorkflowContext, args: dict[str, Any]) -> bool:
        """The user holds one of ``roles`` in the project (or is the assignee when
        ``or_assignee`` is set); instance admins and the system always pass."""
        if perms.is_admin(ctx.host, ctx.user):
            return True
        roles = perms.roles_of(ctx.host, ctx.session, ctx.user, ctx.issue.project_id)
        if roles & set(args.get("roles", [])):
            return True
        return bool(args.get("or_assignee")) and ctx.user is not None and \
            ctx.issue.assignee_id == ctx.user.id

    @registry.condition("group")
    def group(ctx: WorkflowContext, args: dict[str, Any]) -> bool:
        names = {g.name for g in ctx.user.groups} if ctx.user else set()
        return perms.is_system(ctx.user) or bool(names & set(args.get("groups", [])))

    @registry.condition("is_assignee")
    def is_assignee(ctx: WorkflowContext, args: dict[str, Any]) -> bool:
        return perms.is_system(ctx.user) or (
            ctx.user is not None and ctx.issue.assignee_id == ctx.user.id)

    @registry.condition("field_set")
    def field_set(ctx: WorkflowContext, args: dict[str, Any]) -> bool:
        return ctx.value(args["field"]) not in (None, "")

    @registry.condition("field_empty")
    def field_empty(ctx: WorkflowContext, args: dict[str, Any]) -> bool:
        return ctx.value(args["field"]) in (None, "")

    @registry.condition("resolution_in")
    def resolution_in(ctx: WorkflowContext, args: dict[str, Any]) -> bool:
        return _resolution_name(ctx) in set(args.get("names", []))

    @registry.condition("resolution_not_in")
    def resolution_not_in(ctx: WorkflowContext, args: dict[str, Any]) -> bool:
        return _resolution_name(ctx) not in set(args.get("names", []))

    @registry.validator("fields_required")
    def fields_required(ctx: WorkflowContext, args: dict[str, Any]) -> dict[str, str]:
        errors = {}
        for name in args.get("fields", []):
            if ctx.value(name) in (None, ""):
                key, label = _label(ctx, name)
                errors[key] = _("«%(field)s» må fylles ut før «%(transition)s».",
                                field=label, transition=ctx.transition.name)
        return errors

    @registry.validator("resolution_allowed")
    def resolution_allowed(ctx: WorkflowContext, args: dict[str, Any]) -> dict[str, str]:
        """Resolution must be set and in ``names`` (or not in ``exclude``); statuses in
        ``any_from`` accept any resolution already set (a bomtur being closed)."""
        name = _resolution_name(ctx)
        if ctx.from_status in args.get("any_from", []) and name:
            return {}
        if not name:
            return {"resolution": _("Velg en løsningsstatus.")}
        if "names" in args and name not in args["names"]:
            names = (" " + _("eller") + " ").join(args["names"])
            return {"resolution": _("Løsningsstatus må være %(names)s her, ikke %(name)s.",
                                    names=names, name=name)}
        if name in args.get("exclude", []):
            return {"resolution": _("Løsningsstatus %(name)s kan ikke brukes her.", name=name)}
        return {}

    @registry.validator("field_pattern")
    def field_pattern(ctx: WorkflowContext, args: dict[str, Any]) -> dict[str, str]:
        import re

        value = ctx.value(args["field"])
        if value is not None and not re.fullmatch(args["pattern"], str(value)):
            key, label = _label(ctx, args["field"])
            return {key: args.get("message", _("«%(field)s» har ugyldig format.", field=label))}
        return {}

    @registry.post_function("set_resolution")
    def set_resolution_fn(ctx: WorkflowContext, args: dict[str, Any]) -> None:
        """Set a fixed resolution (``name``), unless the screen already set one and
        ``keep_existing`` is true."""
        if args.get("keep_existing") and ctx.issue.resolution_id is not None:
            return
        set_resolution(ctx.host, ctx.session, ctx.issue, args["name"])

    @registry.post_function("clear_resolution")
    def clear_resolution(ctx: WorkflowContext, args: dict[str, Any]) -> None:
        set_resolution(ctx.host, ctx.session, ctx.issue, None)

    @registry.post_function("set_field")
    def set_field(ctx: WorkflowContext, args: dict[str, Any]) -> None:
        """Set ``field`` to ``value``; ``"{current_user}"`` means the acting user."""
        value = args.get("value")
        if value == "{current_user}":
            value = ctx.user.username if ctx.user else None
        ctx.set_fields({args["field"]: value})

    @registry.post_function("add_comment")
    def add_comment(ctx: WorkflowContext, args: dict[str, Any]) -> None:
        ctx.add_comment(str(args["text"]))

    @registry.post_function("fail")
    def fail(ctx: WorkflowContext, args: dict[str, Any]) -> None:
        """Always abort: lets an admin block a transition while a rule is prepared,
        and lets tests prove that a failing post-function rolls everything back."""
        raise ValidationFailed(args.get("message", _("Overgangen er stengt.")))
