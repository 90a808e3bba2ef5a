"""The SMS soak: many bookings through the documented Link stand-in under faults.

Shared by the suite (``test_soak.py``, a small run) and ``benchmarks/sms/soak.py``
(1,000 bookings). Faults: a share of the gateway's answers come after the client's
timeout although Link took the message, a share are 500s; the gate posts every
report (one per part) 0–500 ms after Link took the message – often before the
booking's transaction committed – repeats some, and so reorders them; customers
reply, some twice, in shuffled order, and a stranger replies with a real code.

What it counts: SMS per customer (must be ≤ 1), lost reports (a message Link took
whose log row is not final once the gate is done: 0) and lost replies (a customer's
reply without its processed log row on the right order: 0).
"""

from __future__ import annotations

import json
import random
import threading
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from core.bulk import service
from core.bulk.runner import run_task
from core.models import Comment, Issue
from core.services import uow
from core.services.issues import create_issue, values_of
from core.workflow.context import WorkflowAbort
from core.workflow.engine import transition_issue
from plugins.sms.models import IN, OUT, PROCESSED, SmsMessage
from plugins.sms.tests.linkstub import LinkStub, inbound_message

DAYTIME = datetime(2025, 4, 22, 8, 0, tzinfo=UTC)  # 10:00 in Oslo: no quiet hours
FINAL = {"delivered", "undelivered"}


@dataclass
class SoakResult:
    orders: int
    booked: int
    unknown: int
    failed_first: int
    taken: int
    sms_per_customer: int
    lost_reports: int
    report_posts: int
    reports: int
    replies: int
    lost_replies: int
    forged_accepted: int

    def lines(self) -> list[str]:
        return [
            f"orders {self.orders}, booked {self.booked}, unknown {self.unknown}, "
            f"failed first try {self.failed_first}, messages Link took {self.taken}",
            f"SMS per customer (max): {self.sms_per_customer}",
            f"lost reports: {self.lost_reports} (of {self.reports}; "
            f"{self.report_posts} posts with the gate's retries)",
            f"lost replies: {self.lost_replies} (of {self.replies}); forged replies "
            f"accepted: {self.forged_accepted}",
        ]


def _post(url: str, body: object, token: str) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              "X-Webhook-Token": token})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def make_orders(host: Any, session: Any, planner: Any, n: int) -> list[Issue]:
    out = []
    for i in range(n):
        issue = uow.run(host, session, lambda i=i: create_issue(
            host, session, planner, "ELV", "Målerbytte", f"Målerbytte {i}", {
                "customer_name": f"Åse Ødegård {i}", "address": f"Fjordveien {i}",
                "postcode": "6002", "mobile": f"+479{i:07d}", "assignee": "installer",
                "planned_start": "2025-04-24T10:00:00+02:00"}, system=True))
        uow.run(host, session, lambda i=issue: transition_issue(host, session, planner, i,
                                                                "START_PLANNING"))
        out.append(issue)
    return out


def faults(stall_share: float, fail_share: float, stall: float,
           seed: int) -> Callable[[str], Any]:
    rng, lock = random.Random(seed), threading.Lock()

    def fault(_path: str) -> Any:
        with lock:
            r = rng.random()
        if r < stall_share:
            return ("stall", stall)
        if r < stall_share + fail_share:
            return ("fail", 500)
        return None

    return fault


def run_soak(host: Any, session: Any, planner: Any, stub: LinkStub, base_url: str,
             token: str, n: int, *, timeout: float, stall_share: float = 0.10,
             fail_share: float = 0.05, bulk_share: float = 0.5, seed: int = 7,
             reply_threads: int = 4) -> SoakResult:
    """Book ``n`` orders (a share in bulk), let reports and replies come, count."""
    rng = random.Random(seed)
    host.clock = lambda: DAYTIME
    issues = make_orders(host, session, planner, n)
    stub.state.fault = faults(stall_share, fail_share, timeout + 0.3, seed)
    gate = stub.gate(f"{base_url}/sms/hooks/ELV/delivery", {"X-Webhook-Token": token},
                     delay=(0.0, 0.5), duplicate=0.10, retry_every=0.2,
                     codes=lambda m: 1006 if rng.random() < 0.03 else 1001, seed=seed)
    split = int(n * bulk_share)
    failed: list[Issue] = []
    if split:
        task = uow.run(host, session, lambda: service.submit(
            host, session, planner, issues[:split], "transition",
            {"transition": "PC_TRANSITION_BOOKING_SENT"}, notify=False))
        run_task(host, task.id)
        session.expire_all()
        failed += [i for i in issues[:split] if session.get(Issue, i.id).status.key
                   == "planning"]
    for issue in issues[split:]:
        try:
            uow.run(host, session, lambda i=issue: transition_issue(
                host, session, planner, i, "PC_TRANSITION_BOOKING_SENT"))
        except WorkflowAbort:
            failed.append(issue)
    failed_first = len(failed)
    for issue in failed:  # the planner tries again (nothing was taken: 500s every try)
        session.expire_all()
        again = session.get(Issue, issue.id)
        try:
            uow.run(host, session, lambda i=again: transition_issue(
                host, session, planner, i, "PC_TRANSITION_BOOKING_SENT"))
        except WorkflowAbort:
            pass
    stub.state.fault = None
    gate.wait(180)

    session.expire_all()
    rows = {r.idempotency_key: r for r in session.scalars(
        select(SmsMessage).where(SmsMessage.direction == OUT))}
    taken = stub.sent()
    lost_reports = sum(1 for m in taken if rows.get(m["refId"]) is None
                       or rows[m["refId"]].status not in FINAL) + gate.lost
    # Customers who got the SMS answer with its code; some twice; shuffled.
    by_phone = {values_of(host, i)["mobile"]: i for i in (session.get(Issue, x.id)
                                                          for x in issues)}
    replies: list[tuple[str, dict[str, Any], int]] = []
    for m in taken:
        issue = by_phone.get(m["destination"])
        code = values_of(host, issue).get("reply_code") if issue else None
        if code:
            body = inbound_message(f"mo-{issue.key}", m["destination"], f"{code} OK")
            replies.append((body["id"], body, issue.id))
    copies = replies + [r for r in replies if rng.random() < 0.10]
    stranger = [(f"forged-{k}", inbound_message(f"forged-{k}", "+4741234567", b["content"][
        "userData"]), -1) for k, (_i, b, _x) in enumerate(replies[:5])]
    rng.shuffle(copies)
    work = copies + stranger
    lock = threading.Lock()

    def client() -> None:
        while True:
            with lock:
                if not work:
                    return
                _ident, body, _issue = work.pop()
            _post(f"{base_url}/sms/hooks/ELV/inbound", body, token)

    threads = [threading.Thread(target=client) for _ in range(reply_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    session.expire_all()
    inbound = {r.provider_id: r for r in session.scalars(
        select(SmsMessage).where(SmsMessage.direction == IN))}
    lost_replies = sum(1 for ident, _b, issue_id in replies
                       if ident not in inbound or inbound[ident].status != PROCESSED
                       or inbound[ident].issue_id != issue_id)
    forged = sum(1 for ident, _b, _x in stranger
                 if ident in inbound and inbound[ident].issue_id is not None)
    per_customer = stub.per_number()
    host.clock = None
    return SoakResult(
        orders=n, booked=sum(1 for r in rows.values() if r.status != "failed"),
        unknown=sum(1 for body in session.scalars(select(Comment.body)) if body.startswith(
            "SMS-status ukjent")),
        failed_first=failed_first, taken=len(taken),
        sms_per_customer=max(per_customer.values(), default=0), lost_reports=lost_reports,
        report_posts=gate.attempts, reports=gate.acknowledged + gate.lost,
        replies=len(replies), lost_replies=lost_replies, forged_accepted=forged)
