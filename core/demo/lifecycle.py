"""Give demo orders a past: the walk through the AMS workflow each status implies.

This is the loader's documented fast path. Running thousands of real transitions
would send SMS, render PDF letters and call Quant; instead each order gets the
change history, comments and field values those transitions would have written
(who, when, from which value to which), and every step is looked up in the loaded
workflow YAML, so a path the workflow does not allow fails loudly instead of
producing an impossible history. Nothing is written here: the bulk loader writes
what ``Lifecycle.apply`` puts on the order dict.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from core.demo.schedule import InstallerCalendar, working_time
from core.fields import normalise_mobile
from core.workflow.engine import usable

if TYPE_CHECKING:
    from core.host import Amsflow

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # the SMS plugin's reply-code alphabet
# Share of orders ending in each status while a rollout is under way.
SMS_MIX = {"open": 0.52, "planning": 0.10, "awaiting_response": 0.08, "manual_followup": 0.04,
           "ready": 0.08, "in_progress": 0.01, "resolved": 0.03, "reopened": 0.01,
           "closed": 0.09, "rejected_quant": 0.01, "on_hold": 0.03}
LETTER_MIX = {**SMS_MIX, "open": 0.49, "ready_to_print": 0.03}
# What leads to each status: the status before it (the walk recurses) and the step.
PATHS: dict[str, tuple[str, str]] = {
    "planning": ("open", "START_PLANNING"),
    "ready_to_print": ("planning", "READY_TO_PRINT"),
    "awaiting_response": ("planning", "BOOK"),
    "manual_followup": ("awaiting_response", "FOLLOW_UP"),
    "ready": ("awaiting_response", "CUSTOMER_CONFIRMED"),
    "in_progress": ("ready", "START_WORK"),
    "resolved": ("ready", "RESOLVE_FAILED"),
    "reopened": ("resolved", "REOPEN"),
    "closed": ("ready", "RESOLVE_OK"),
    "rejected_quant": ("closed", "QUANT_REJECTED"),
    "on_hold": ("open", "PUT_ON_HOLD"),
}
VISITED = ("in_progress", "resolved", "reopened", "closed", "rejected_quant")


class _Project:
    """Just enough of an issue for ``engine.usable``: which project it is in."""

    def __init__(self, key: str) -> None:
        self.project = type("P", (), {"key": key})()


class Lifecycle:
    """Puts a realistic status, fields, history and comments on order dicts."""

    def __init__(self, host: Amsflow, project_key: str, seed: int, planners: list[dict],
                 installers: list[dict], now: datetime) -> None:
        self.host, self.key, self.now = host, project_key, now
        self.rng = random.Random(f"lifecycle:{project_key}:{seed}")
        self.letters = host.plugins.enabled(project_key, "letters")
        self.mix = LETTER_MIX if self.letters else SMS_MIX
        self.planners, self.installers = planners, installers
        self.calendar = InstallerCalendar([u["username"] for u in installers], now, seed)
        self.failures = [r["name"] for r in host.config["resolutions"]
                         if r["name"] not in ("Ok", "Kansellert")]
        self.codes: set[str] = set()
        self.project_ref = _Project(project_key)
        self.names = {u["username"]: u["display_name"] for u in planners + installers}
        self.names["system"] = "System"

    def pick_status(self) -> str:
        x, total = self.rng.random(), 0.0
        for status, share in self.mix.items():
            total += share
            if x < total:
                return status
        return "open"

    def apply(self, order: dict, issue_type: str) -> None:
        """Choose a final status for the order and write its way there onto it."""
        self.order, self.status = order, self.host.workflow_for(self.key, issue_type).initial
        self.workflow = self.host.workflow_for(self.key, issue_type)
        self.history: list[tuple[datetime, str, list]] = []
        self.comments: list[tuple[datetime, str, str]] = []
        self.target = target = self.pick_status()
        span = (self.now - order["created"]).total_seconds()
        self.t = order["created"]
        self.step_s = span / 8
        self.deadline = self.now - timedelta(minutes=5)
        self.planner = self.rng.choice(self.planners)["username"]
        self._reach(target)
        order.update(status=self.status, history=self.history, comments=self.comments)
        if self.history:
            order["updated"] = self.history[-1][0]

    # -- the walk ----------------------------------------------------------------
    def _reach(self, target: str) -> None:
        if target == self.status:
            return
        before, step = PATHS[target]
        if target == self.target == "closed" and self.rng.random() < 0.2:
            before, step = "open", "CANCEL"  # Quant cancelled it before any work
        self._reach(before)
        getattr(self, f"_{step.lower()}")()

    def _tick(self, least_hours: float = 0.5) -> datetime:
        """The time of the next step: later than the last, in working hours, in time."""
        gap = timedelta(seconds=self.rng.uniform(0.2, 1.0) * self.step_s)
        moment = working_time(self.t + max(gap, timedelta(hours=least_hours)))
        self.t = max(min(moment, self.deadline), self.t + timedelta(minutes=1))
        return self.t

    def _move(self, ref: str, author: str, extra: list | None = None,
              comment: str | None = None, when: datetime | None = None) -> None:
        transition = self.workflow.find(self.status, ref)
        if transition is None or not usable(self.host, self.project_ref, transition):
            raise LookupError(f"demo path: no transition {ref} from {self.status} in "
                              f"{self.key}'s workflow")
        ids, st = self.host.catalog.status_ids, self.workflow.statuses
        items = [("status", str(ids[self.status]), st[self.status].name,
                  str(ids[transition.to]), st[transition.to].name)]
        resolution = self.order.get("resolution")
        if st[transition.to].category != "done" and resolution:
            rid = str(self.host.catalog.resolution_ids[resolution])
            items.append(("resolution", rid, resolution, None, None))
            self.order["resolution"] = None
        when = when or self._tick()
        self.history.append((when, author, items + (extra or [])))
        if comment:
            self.comments.append((when, author, comment))
        self.status = transition.to

    def _set(self, key: str, value: Any) -> tuple:
        fdef = self.host.fields[key]
        old = self.order.get(key)
        self.order[key] = value
        return (fdef.id, *fdef.to_history(old), *fdef.to_history(value))

    def _assign(self, username: str) -> tuple:
        old = self.order.get("assignee")
        self.order["assignee"] = username
        return ("assignee", old, self.names.get(old) if old else None, username,
                self.names[username])

    def _reply_code(self) -> str:
        while True:
            code = "".join(self.rng.choice(ALPHABET) for _ in range(4))
            if code not in self.codes:
                self.codes.add(code)
                return code

    # -- the steps ---------------------------------------------------------------
    def _start_planning(self) -> None:
        self._move("START_PLANNING", self.planner, [self._assign(self.planner)])

    def _schedule(self) -> None:
        """What a drag in Bookit writes: installer, planned start and estimate."""
        installer = self.rng.choice(self.installers)["username"]
        estimate = {"Tilleggsarbeid": 7200, "Avvik": 1800}.get(
            self.order["issuetype"], 5400 if self.order.get("difficult_meter") else 3600)
        when = self._tick()
        if self.target == "in_progress":  # started this morning (or the last workday)
            start = self.calendar.past_slot(max(when, self.now - timedelta(days=3)),
                                            self.now - timedelta(minutes=30))
        elif self.target in VISITED:
            start = self.calendar.past_slot(when + timedelta(days=2),
                                            self.now - timedelta(hours=2))
        else:
            start = self.calendar.next_slot(installer, estimate)
        if start <= self.now:  # booking and confirmation happen before the visit
            self.deadline = max(when, start - timedelta(hours=1))
        self.history.append((when, self.planner, [
            self._assign(installer), self._set("planned_start", start),
            self._set("estimate", estimate)]))

    def _ready_to_print(self) -> None:
        self._schedule()
        self._move("READY_TO_PRINT", self.planner, [self._set("reply_code", self._reply_code())])

    def _book(self) -> None:
        if self.letters:
            self._ready_to_print()
            self._move("PC_TRANSITION_PRINTED", self.planner)
            return
        self._schedule()
        mobile, opt_out = self.order.get("mobile"), self.order.get("sms_opt_out")
        valid = bool(mobile) and normalise_mobile(mobile) == mobile
        if not valid or opt_out:
            reason = "Kunden har reservert seg mot SMS." if valid else \
                "Ordren har ikke et gyldig mobilnummer."
            self._move("PC_TRANSITION_BOOKING_SENT", self.planner)
            self._move("FOLLOW_UP", self.planner, when=self.t, comment=(
                f"Booking-SMS ble ikke sendt: {reason} Ordren er satt til manuell oppfølging."))
            return
        code = self._reply_code()
        start = self.order["planned_start"]
        body = (f"Hei! Vi bytter strømmåleren din {start:%d.%m.%Y} kl. {start:%H:%M}. "
                f"Svar {code} OK for å bekrefte, eller {code} KONTAKT om tiden ikke passer.")
        self._move("PC_TRANSITION_BOOKING_SENT", self.planner,
                   [self._set("reply_code", code)],
                   comment=f"Booking-SMS sendt til {mobile}:\n\n{body}")

    def _reply(self, text: str) -> str:
        phone = self.order.get("mobile") or "+4791234567"
        return f"SMS-svar fra {phone}: «{self.order.get('reply_code')} {text}»"

    def _follow_up(self) -> None:
        if self.status == "manual_followup":
            return  # the booking already ended there (no valid mobile)
        self._move("FOLLOW_UP", "system", comment=self._reply("KONTAKT"))

    def _customer_confirmed(self) -> None:
        if self.status == "manual_followup":
            self._move("SEND_TO_EXECUTION", self.planner,
                       comment="Kunden er ringt opp og har bekreftet tidspunktet.")
            return
        self._move("CUSTOMER_CONFIRMED", "system", comment=self._reply("OK"))

    def _visit(self, minutes: int) -> datetime:
        """A time ``minutes`` into the installer's visit (never before the last step)."""
        self.deadline = self.now - timedelta(minutes=5)
        visit = self.order["planned_start"] + timedelta(minutes=minutes)
        self.t = max(min(visit, self.deadline), self.t + timedelta(minutes=1))
        return self.t

    def _start_work(self) -> None:
        self._move("START_WORK", self.order["assignee"], when=self._visit(5))

    def _resolve(self, resolution: str) -> None:
        when = self._visit(self.rng.randint(20, 80))
        rid = str(self.host.catalog.resolution_ids[resolution])
        self.order["resolution"] = resolution
        self._move("RESOLVE", self.order["assignee"], [("resolution", None, None, rid,
                                                         resolution)], when=when)
        self.order["resolution_date"] = when

    def _resolve_failed(self) -> None:
        self._resolve(self.rng.choice(self.failures))

    def _resolve_ok(self) -> None:
        self._resolve("Ok")
        self._move("AUTO_CLOSE", self.order["assignee"], when=self.t)

    def _reopen(self) -> None:
        self._move("REOPEN", self.planner)

    def _cancel(self) -> None:
        rid = str(self.host.catalog.resolution_ids["Kansellert"])
        self.order["resolution"] = "Kansellert"
        self._move("CLOSE", "system", [("resolution", None, None, rid, "Kansellert")],
                   comment="Ordren er kansellert fra Quant.")
        self.order["resolution_date"] = self.t

    def _quant_rejected(self) -> None:
        self._move("QUANT_REJECTED", "system", comment=(
            "Avvist i Quant: målernummeret finnes ikke i komponentregisteret."))

    def _put_on_hold(self) -> None:
        back = (self.now + timedelta(days=self.rng.randint(7, 60))).date()
        stored = self.host.fields["on_hold_until"].parse(back)
        self._move("PUT_ON_HOLD", self.planner, [self._set("on_hold_until", stored)],
                   comment=f"Kunden er bortreist, tilbake ca. {back:%d.%m.%Y}.")
