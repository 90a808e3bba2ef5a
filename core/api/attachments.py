"""Attachments: multipart upload (``X-Atlassian-Token: no-check`` required, as in
Jira), metadata, delete, and the download itself (always as a file, never shown
inline, so an uploaded HTML file cannot run in our origin)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, send_file

from ..i18n import gettext
from ..services import attachments
from ..services.errors import Forbidden, InvalidInput, NotFound
from ..services.issues import get_issue
from .common import ctx, empty, unit
from .routes import route
from .serialize import attachment_json

TAG = "Attachments"


@route("POST", "/rest/api/2/issue/<key>/attachments",
       "Attach files (multipart field 'file'; header X-Atlassian-Token: no-check)", TAG,
       status=200, responses={413: "A file is larger than max_attachment_mb"})
def upload(key: str) -> Any:
    if request.headers.get("X-Atlassian-Token", "").lower() != "no-check":
        raise Forbidden(gettext("XSRF-sjekk feilet: send X-Atlassian-Token: no-check."))
    h, s, user = ctx()
    issue = get_issue(h, s, user, key)
    files = request.files.getlist("file")
    if not files:
        raise InvalidInput(errors={"file": gettext("Ingen fil i feltet 'file'.")})

    def work() -> list[Any]:
        return [attachments.add_attachment(h, s, user, issue, f.filename, f.stream,
                                           f.mimetype) for f in files]

    return jsonify([attachment_json(a) for a in unit(work)])


@route("GET", "/rest/api/2/attachment/<attachment_id>", "Attachment metadata", TAG)
def meta(attachment_id: str) -> Any:
    h, s, user = ctx()
    return jsonify(attachment_json(attachments.get_attachment(h, s, user, attachment_id)))


@route("DELETE", "/rest/api/2/attachment/<attachment_id>", "Delete an attachment", TAG,
       status=204)
def delete(attachment_id: str) -> Any:
    h, s, user = ctx()
    unit(lambda: attachments.delete_attachment(h, s, user, attachment_id))
    return empty()


@route("GET", "/secure/attachment/<attachment_id>/<path:filename>",
       "Download an attachment (as a file)", TAG)
def download(attachment_id: str, filename: str) -> Any:
    h, s, user = ctx()
    att = attachments.get_attachment(h, s, user, attachment_id)
    path = attachments.path_of(h, att)
    if not path.is_file():
        raise NotFound(gettext("Filen til vedlegget mangler."))
    response = send_file(path, mimetype="application/octet-stream", as_attachment=True,
                         download_name=att.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@route("GET", "/rest/api/2/attachment/meta", "Attachment settings", TAG)
def settings() -> Any:
    h, _, _ = ctx()
    return jsonify({"enabled": True, "uploadLimit": attachments.max_bytes(h)})
