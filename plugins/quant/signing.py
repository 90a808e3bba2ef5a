"""Standard Webhooks signatures (https://www.standardwebhooks.com/), both ways.

Quant signs each message with ``webhook-id``, ``webhook-timestamp`` and
``webhook-signature`` (``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``); the check
is the ``standardwebhooks`` package's, which also refuses a timestamp more than five
minutes off. Each project has a current secret and, while one is being rotated, a
previous one: a message signed with either is accepted, and what we send carries a
signature with each, so Quant may switch at its own pace.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from standardwebhooks.webhooks import Webhook

if TYPE_CHECKING:
    from core.host import Amsflow

PLUGIN = "quant"


@dataclass(frozen=True)
class Verified:
    """A message whose signature matched: who may have sent it and when."""

    projects: list[str]
    message_id: str
    timestamp: datetime


def _webhook(secret: str) -> Webhook | None:
    try:
        return Webhook(secret)
    except Exception:  # an empty or malformed secret signs nothing
        return None


def secrets_of(host: Amsflow, project: str) -> list[str]:
    """The project's valid secrets, current first."""
    settings = host.plugins.plugin_settings(project, PLUGIN)
    names = (settings.get("signing_secret_env"), settings.get("signing_secret_previous_env"))
    return [s for s in (host.config.secret(n) for n in names) if s]


def verify(host: Amsflow, body: bytes, headers: Any) -> Verified | None:
    """The projects whose secret signed ``body``; None when none did (or the headers
    are missing, malformed or outside the five-minute window)."""
    wanted = {k.lower(): headers.get(k, "") for k in
              ("webhook-id", "webhook-timestamp", "webhook-signature")}
    if not all(wanted.values()) or len(wanted["webhook-id"]) > 100:
        return None
    projects = []
    for key in host.plugins.projects_enabling(PLUGIN):
        for secret in secrets_of(host, key):
            hook = _webhook(secret)
            try:
                if hook is not None:
                    hook.verify(body, wanted, json_parse=False)
            except Exception:  # a bad signature, a stale time, undecodable base64 or body
                continue
            projects.append(key)
            break
    if not projects:
        return None
    stamp = datetime.fromtimestamp(int(float(wanted["webhook-timestamp"])), UTC)
    return Verified(projects, wanted["webhook-id"], stamp)


def sign(secrets: list[str], message_id: str, when: datetime, body: str) -> dict[str, str]:
    """The three headers for ``body``, signed with every secret given."""
    signatures = [hook.sign(message_id, when, body) for hook in map(_webhook, secrets) if hook]
    return {"webhook-id": message_id,
            "webhook-timestamp": str(int(when.timestamp())),
            "webhook-signature": " ".join(signatures)}


def new_secret(raw: bytes) -> str:
    """A secret in the ``whsec_`` form from raw key bytes (tests and set-up)."""
    return "whsec_" + base64.b64encode(raw).decode()
