"""The customer's link for an order, as the booking SMS and letter carry it."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from core.app import secret_key
from core.models import Issue

from . import inputs, tokens

if TYPE_CHECKING:
    from core.host import Amsflow


def link_for(host: Amsflow, session: Session, issue: Issue) -> str:
    """A new link to the order's page: ``public_url`` + ``/b/`` + a 20-character token,
    valid for ``valid_days`` (project settings ``bookit.selfservice``)."""
    conf = inputs.settings(host, issue.project.key).get("selfservice") or {}
    base = conf.get("public_url") or "http://127.0.0.1:5000"
    token = tokens.issue_link(host, session, secret_key(host), issue,
                              timedelta(days=int(conf.get("valid_days", 14))))
    return f"{base.rstrip('/')}/b/{token}"


def enabled(host: Amsflow, project_key: str) -> bool:
    conf = inputs.settings(host, project_key).get("selfservice") or {}
    return bool(conf.get("enabled", False))
