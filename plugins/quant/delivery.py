"""The ``quant.deliver`` job: send due outbox messages to Quant, signed.

Each round claims a batch (``outbox.claim``: heads of each order's queue, leased),
POSTs them concurrently over kept-alive connections (``delivery_concurrency``), and
records every outcome in one transaction: 2xx delivered; a network error, a
timeout, 408, 429 or 5xx retried later with exponential backoff; any other 4xx dead
at once (Quant refused it; a person must look). A round in which nothing got
through ends the job: Quant is down, and the periodic ``quant.outbox`` task tries
again when the next messages fall due. Without ``webhook_url`` a message is written
to ``data_dir/quant/outbox/`` instead (the embedded default).
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import urllib3
from urllib3.exceptions import HTTPError as TransportError

from core.models.base import utcnow

from . import outbox
from .outbox import Claimed, Outcome
from .signing import secrets_of, sign

if TYPE_CHECKING:
    from core.host import Amsflow

log = logging.getLogger("amsflow.quant")
PLUGIN = "quant"
RETRYABLE = (408, 429)


def drain(host: Amsflow, max_rounds: int | None = None) -> dict[str, int]:
    """Deliver until nothing is due (or a round gets nothing through)."""
    totals = {"delivered": 0, "failed": 0, "rounds": 0}
    settings = _any_settings(host)
    batch = int(settings.get("delivery_batch", 200))
    workers = int(settings.get("delivery_concurrency", 8))
    timeout = float(settings.get("timeout_seconds", 10.0))
    lease = (batch / workers + 1) * timeout + 30
    http = urllib3.PoolManager(num_pools=8, maxsize=workers, block=False, retries=False)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="quant-deliver") as pool:
        while max_rounds is None or totals["rounds"] < max_rounds:
            claimed = outbox.claim(host, batch, lease)
            if not claimed:
                break
            outcomes = list(pool.map(lambda m: _send(host, http, m), claimed))
            outbox.record(host, outcomes)
            totals["rounds"] += 1
            good = sum(o.ok for o in outcomes)
            totals["delivered"] += good
            totals["failed"] += len(outcomes) - good
            if not good:
                break
    http.clear()
    return totals


def _any_settings(host: Amsflow) -> dict[str, Any]:
    projects = host.plugins.projects_enabling(PLUGIN)
    return host.plugins.plugin_settings(projects[0], PLUGIN) if projects else {}


def _send(host: Amsflow, http: urllib3.PoolManager, message: Claimed) -> Outcome:
    settings = host.plugins.plugin_settings(message.project_key, PLUGIN)
    url = settings.get("webhook_url")
    try:
        if not url:
            write_file(host.data_dir, message)
            return Outcome(message, http_status=None)
        headers = {"Content-Type": "application/json", "Accept": "application/json",
                   **sign(secrets_of(host, message.project_key), message.message_id,
                          utcnow(), message.payload)}
        answer = http.request("POST", url, body=message.payload.encode(), headers=headers,
                              timeout=float(settings.get("timeout_seconds", 10.0)))
    except (TransportError, OSError) as exc:
        log.warning("quant: %s (%s) not delivered: %s", message.message_id, message.kind, exc)
        return Outcome(message, error=f"Quant kunne ikke nås: {exc}"[:2000])
    code = answer.status
    if 200 <= code < 300:
        return Outcome(message, http_status=code)
    text = answer.data[:500].decode(errors="replace")
    log.warning("quant: %s (%s) answered %d", message.message_id, message.kind, code)
    return Outcome(message, http_status=code, error=f"Quant svarte {code}: {text}",
                   retry=code >= 500 or code in RETRYABLE)


def write_file(data_dir: Path, message: Claimed) -> Path:
    """Write atomically so a reader never sees half a file."""
    folder = Path(data_dir) / "quant" / "outbox"
    folder.mkdir(parents=True, exist_ok=True)
    data = json.loads(message.payload)
    key = (data.get("data") or {}).get("key") or "message"
    target = folder / f"{key}.{message.message_id}.json"
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(target)
    return target
