"""The OpenAPI 3 document, generated from the route table so it cannot drift."""

from __future__ import annotations

import re
from typing import Any

from flask import jsonify
from marshmallow import Schema, fields

from .common import base_url
from .routes import DOCUMENTED, ROUTES, Route, route

_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
_TYPES = {fields.String: "string", fields.Integer: "integer", fields.Boolean: "boolean",
          fields.Dict: "object", fields.List: "array", fields.Nested: "object",
          fields.Raw: None}
ERROR = {"$ref": "#/components/schemas/ErrorCollection"}


def _json_schema(schema_cls: type[Schema]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    required = []
    for name, f in schema_cls().fields.items():
        key = f.data_key or name
        kind = next((t for cls, t in _TYPES.items() if isinstance(f, cls)), None)
        if isinstance(f, fields.Nested):
            props[key] = _json_schema(type(f.schema))
        else:
            props[key] = {"type": kind} if kind else {}
        if f.required:
            required.append(key)
    out: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        out["required"] = required
    return out


def _operation(r: Route) -> dict[str, Any]:
    params = [{"name": name, "in": "path", "required": True,
               "schema": {"type": "integer" if conv == "int" else "string"}}
              for conv, name in _PARAM.findall(r.rule)]
    params += [{"name": q, "in": "query", "required": False, "schema": {"type": "string"}}
               for q in r.query]
    responses: dict[str, Any] = {str(r.status): {"description": "Success"}}
    for code, text in {400: "Invalid input", 401: "Not logged in", 403: "Not allowed",
                       404: "Not found or not visible to you", **r.responses}.items():
        if r.anonymous and code in (401, 403):
            continue
        responses[str(code)] = {"description": text,
                                "content": {"application/json": {"schema": ERROR}}}
    op: dict[str, Any] = {"summary": r.summary, "tags": [r.tag], "operationId": r.endpoint,
                          "parameters": params, "responses": responses}
    if r.body is not None:
        op["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": _json_schema(r.body)}}}
    elif r.rule.endswith("/attachments") and r.method == "POST":
        op["requestBody"] = {"required": True, "content": {"multipart/form-data": {
            "schema": {"type": "object", "properties": {
                "file": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}}
    if r.anonymous:
        op["security"] = []
    return op


def document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for r in (*ROUTES, *DOCUMENTED):
        path = _PARAM.sub(lambda m: "{" + m.group(2) + "}", r.rule)
        paths.setdefault(path, {})[r.method.lower()] = _operation(r)
    return {
        "openapi": "3.0.3",
        "info": {"title": "amsflow REST API (Jira REST v2 compatible)", "version": "2"},
        "servers": [{"url": base_url()}],
        "paths": paths,
        "components": {
            "securitySchemes": {"basicAuth": {"type": "http", "scheme": "basic"},
                                "bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": {"ErrorCollection": {"type": "object", "properties": {
                "errorMessages": {"type": "array", "items": {"type": "string"}},
                "errors": {"type": "object", "additionalProperties": {"type": "string"}}}}},
        },
        "security": [{"basicAuth": []}, {"bearerAuth": []}],
    }


@route("GET", "/rest/api/2/openapi.json", "This OpenAPI document", "amsflow", anonymous=True)
def openapi() -> Any:
    return jsonify(document())
