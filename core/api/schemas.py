"""marshmallow schemas for request bodies. Top-level keys Jira clients add and we
do not use (``properties``, ``historyMetadata``) are ignored; the field values
themselves are checked by the services, which know each field's type."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from ..i18n import _, _l


class _Lenient(Schema):
    class Meta:
        unknown = EXCLUDE


class IdOrName(fields.Field):
    """A Jira reference: ``"11"``, ``11`` or a name."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kw: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValidationError(_("Forventet en id (tall eller tekst)."))
        return str(value)


class UpdateOps(fields.Dict):
    """``update``: field -> list of ``{verb: value}`` operations."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(keys=fields.String(),
                         values=fields.List(fields.Dict(keys=fields.String(
                             validate=validate.OneOf(("set", "add", "remove", "edit"))))),
                         load_default=dict, **kw)


class IssueCreateSchema(_Lenient):
    fields = fields.Dict(keys=fields.String(), required=True)
    update = UpdateOps()


class IssueEditSchema(_Lenient):
    fields = fields.Dict(keys=fields.String(), load_default=dict)
    update = UpdateOps()


class TransitionRef(_Lenient):
    id = IdOrName(load_default=None)
    name = fields.String(load_default=None)

    @validates_schema
    def _one(self, data: dict[str, Any], **kw: Any) -> None:
        if not data.get("id") and not data.get("name"):
            raise ValidationError("Oppgi overgangens id.", "id")


class TransitionSchema(_Lenient):
    transition = fields.Nested(TransitionRef, required=True)
    fields = fields.Dict(keys=fields.String(), load_default=dict)
    update = UpdateOps()


class CommentSchema(_Lenient):
    body = fields.String(required=True)


class AssigneeSchema(_Lenient):
    name = fields.String(load_default=None, allow_none=True)
    key = fields.String(load_default=None, allow_none=True)
    accountId = fields.String(load_default=None, allow_none=True)  # noqa: N815 - Jira name


class IssueKeyRef(_Lenient):
    key = fields.String(load_default=None)
    id = IdOrName(load_default=None)


class IssueLinkSchema(_Lenient):
    type = fields.Dict(required=True)
    inwardIssue = fields.Nested(IssueKeyRef, required=True)  # noqa: N815
    outwardIssue = fields.Nested(IssueKeyRef, required=True)  # noqa: N815
    comment = fields.Dict(load_default=None, allow_none=True)


class TokenSchema(_Lenient):
    name = fields.String(required=True, validate=validate.And(
        validate.Length(max=100), validate.Regexp(r".*\S", error=_l("Navnet kan ikke være tomt."))))
