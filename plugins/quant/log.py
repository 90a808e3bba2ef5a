"""The message log: one row per message in and out, per order where there is one.

Inbound rows are written in the message's own transaction when it is applied, or
in a transaction of their own after a refusal rolled the work back, so every
message leaves a trace (the panel and the admin page read them).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import IN, QuantMessage

if TYPE_CHECKING:
    from core.host import Amsflow

PAYLOAD_LIMIT = 8000


def note_in(host: Amsflow, session: Session, *, kind: str, project: str, status: str,
            http_status: int, message_id: str, external_id: str | None = None,
            issue_id: int | None = None, element: int | None = None, error: str = "",
            payload: Any = None, sent_at: datetime | None = None) -> QuantMessage:
    """Add one inbound row to ``session`` (the caller commits)."""
    now = host.now()
    text = "" if payload is None else json.dumps(payload, ensure_ascii=False, default=str)
    row = QuantMessage(direction=IN, message_id=message_id[:100], element=element, kind=kind,
                       project_key=project, external_id=(external_id or None) and
                       str(external_id)[:100], issue_id=issue_id, status=status,
                       http_status=http_status, attempts=1, last_error=error[:2000],
                       payload=text[:PAYLOAD_LIMIT], sent_at=sent_at, created=now,
                       updated=now)
    session.add(row)
    return row


def rows_of_issue(session: Session, issue_id: int, limit: int = 50) -> list[QuantMessage]:
    """The order's messages, newest first."""
    return list(session.scalars(select(QuantMessage).where(QuantMessage.issue_id == issue_id)
                                .order_by(QuantMessage.id.desc()).limit(limit)))
