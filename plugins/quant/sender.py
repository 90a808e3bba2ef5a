"""The ``quant.validate`` job: send a closed order to Quant for validation.

With ``validation_url`` the order is POSTed as JSON with the shared secret, a
timeout and retries (network errors and 5xx answers are retried, 4xx are not);
without it the request is written to ``data_dir/quant/outbox/<KEY>.json`` for the
embedded default. A failure is recorded on the order's row and re-raised so the
job record shows the error.
"""

from __future__ import annotations

import json
import logging
import os
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.models import Issue
from core.services.issues import values_of

from .models import NOT_SENT, PENDING, SEND_FAILED, SENT
from .refs import PLUGIN, ensure_ref

if TYPE_CHECKING:
    from core.host import Amsflow

log = logging.getLogger("amsflow.quant")


class QuantDeliveryError(RuntimeError):
    """Quant could not be reached or refused the validation request."""


def validation_payload(host: Amsflow, issue: Issue, external_id: str | None) -> dict[str, Any]:
    values = values_of(host, issue)
    return {
        "key": issue.key,
        "project": issue.project.key,
        "externalId": external_id,
        "meterNumber": values.get("meter_number"),
        "meteringPointId": values.get("metering_point_id"),
        "resolution": issue.resolution.name if issue.resolution else None,
        "resolutionDate": issue.resolution_date.isoformat() if issue.resolution_date else None,
    }


def send_for_validation(host: Amsflow, issue_key: str) -> dict[str, Any]:
    """The job body: deliver, then record the outcome on the order's row."""
    with host.db.new_session() as s:
        issue = s.scalar(select(Issue).where(Issue.key == issue_key))
        if issue is None:
            raise LookupError(f"{issue_key} finnes ikke (slettet før validering?)")
        ref = ensure_ref(host, s, issue)
        payload = validation_payload(host, issue, ref.external_id)
        settings = host.plugins.plugin_settings(issue.project.key, PLUGIN)
    try:
        where = deliver(host, settings, payload)
    except Exception as exc:
        _record(host, issue_key, SEND_FAILED, str(exc)[:2000])
        raise
    _record(host, issue_key, SENT, "")
    return {"sent_to": where, **payload}


def _record(host: Amsflow, issue_key: str, status: str, reason: str) -> None:
    """Note the delivery outcome, unless Quant's answer already arrived."""
    with host.db.new_session() as s:
        issue = s.scalar(select(Issue).where(Issue.key == issue_key))
        if issue is None:
            return
        ref = ensure_ref(host, s, issue)
        if ref.validation_status in (NOT_SENT, PENDING, SENT, SEND_FAILED):
            ref.validation_status = status
            ref.validation_reason = reason
            ref.validation_at = host.now()


def deliver(host: Amsflow, settings: dict[str, Any], payload: dict[str, Any]) -> str:
    """POST to Quant, or write the outbox file; returns where it went."""
    url = settings.get("validation_url")
    if not url:
        return str(write_outbox(host.data_dir, payload))
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    secret = os.environ.get(settings.get("token_env") or "")
    if secret:
        headers["Authorization"] = f"Bearer {secret}"
    attempts = int(settings.get("retries", 3)) + 1
    last = ""
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=settings.get("timeout_seconds", 10)):
                return url
        except urllib.error.HTTPError as exc:
            last = f"Quant svarte {exc.code}: {exc.read()[:500].decode(errors='replace')}"
            if exc.code < 500 and exc.code not in (408, 429):
                break
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            last = f"Quant kunne ikke nås: {getattr(exc, 'reason', exc)}"
        log.warning("quant validation of %s, attempt %d/%d: %s", payload["key"], attempt,
                    attempts, last)
        if attempt < attempts:
            time.sleep(float(settings.get("retry_backoff_seconds", 2.0)) * attempt)
    raise QuantDeliveryError(f"Validering av {payload['key']} ble ikke sendt: {last}")


def write_outbox(data_dir: Path, payload: dict[str, Any]) -> Path:
    """Write atomically so a reader never sees half a file; the latest request wins."""
    outbox = Path(data_dir) / "quant" / "outbox"
    outbox.mkdir(parents=True, exist_ok=True)
    target = outbox / f"{payload['key']}.json"
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(target)
    return target
