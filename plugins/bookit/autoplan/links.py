"""The customer's link for an order, as the booking SMS and letter carry it."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from core.app import secret_key
from core.models import Issue

from . import inputs, tokens
from .settings import autoplan_settings

if TYPE_CHECKING:
    from core.host import Amsflow


def link_for(host: Amsflow, session: Session, issue: Issue) -> str:
    """A new link to the order's page: ``public_url`` + ``/b/`` + a 20-character token,
    valid for ``valid_days`` (project settings ``bookit.selfservice``)."""
    conf = _conf(host, issue.project.key)
    token = tokens.issue_link(host, session, secret_key(host), issue,
                              timedelta(days=conf["valid_days"]))
    base = conf["public_url"]
    return f"{base.rstrip('/')}/b/{token}"


def enabled(host: Amsflow, project_key: str) -> bool:
    """Whether the project's booking messages carry the link."""
    return bool(inputs.settings(host, project_key)) and _conf(host, project_key)["enabled"]


def _conf(host: Amsflow, project_key: str) -> dict:
    return autoplan_settings(inputs.settings(host, project_key))["selfservice"]
