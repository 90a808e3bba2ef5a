"""Request bodies of the search and filter API, as the OpenAPI document describes
them (the views read the JSON themselves, leniently, as Jira does)."""

from __future__ import annotations

from marshmallow import Schema, fields


class SearchBody(Schema):
    jql = fields.String()
    startAt = fields.Integer()
    maxResults = fields.Integer()
    fields_ = fields.List(fields.String(), data_key="fields")
    expand = fields.String()


class FilterBody(Schema):
    name = fields.String(required=True)
    jql = fields.String()
    description = fields.String()
    favourite = fields.Boolean()
    columns = fields.String()
    sharePermissions = fields.List(fields.Dict())


class ShareBody(Schema):
    type = fields.String(required=True)
    groupname = fields.String()
    projectId = fields.String()
    projectRoleId = fields.String()
    username = fields.String()


class OwnerBody(Schema):
    name = fields.String(required=True)


class SubscriptionBody(Schema):
    kind = fields.String()
    time = fields.String()
    days = fields.List(fields.String())
    cron = fields.String()
    username = fields.String()
    group = fields.String()
    emailOnEmpty = fields.Boolean()
