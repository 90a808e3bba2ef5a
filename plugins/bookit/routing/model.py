"""What a routing problem and its plan are, in our own terms: shifts and jobs over
a travel matrix (seconds and metres), routes of timed visits, and why a job was left
out. Nothing here knows the solver."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Break:
    """A break of ``duration`` seconds starting between ``earliest`` and ``latest``."""

    earliest: int
    latest: int
    duration: int


@dataclass(frozen=True)
class Shift:
    """One installer's working day: where it starts and ends, and when."""

    id: Hashable
    start_location: int
    end_location: int
    start: int
    end: int
    skills: frozenset[str] = frozenset()
    breaks: tuple[Break, ...] = ()
    capacity: int | None = None  # e.g. meters the van carries; None: no limit


@dataclass(frozen=True)
class Job:
    """One order to visit: where, how long, and when it may start.

    ``window`` bounds the visit's start (earliest, latest), ``None`` when any time in
    the shift will do. ``booked`` marks a time the customer already holds: the solver
    leaves such a job out only when nothing else is possible.
    """

    id: Hashable
    location: int
    service: int
    window: tuple[int, int] | None = None
    skills: frozenset[str] = frozenset()
    booked: bool = False
    demand: int = 0  # what it uses of the shift's capacity


@dataclass
class Problem:
    """Shifts and jobs over square travel matrices indexed by location."""

    durations: np.ndarray  # seconds, [from, to]
    distances: np.ndarray  # metres, [from, to]
    shifts: Sequence[Shift]
    jobs: Sequence[Job]

    def __post_init__(self) -> None:
        self.durations = np.asarray(self.durations, dtype=np.int64)
        self.distances = np.asarray(self.distances, dtype=np.int64)
        n = self.durations.shape[0]
        if self.durations.shape != (n, n) or self.distances.shape != (n, n):
            raise ValueError("durations and distances must be square and of one size")
        for place in [j.location for j in self.jobs] + [
                loc for s in self.shifts for loc in (s.start_location, s.end_location)]:
            if not 0 <= place < n:
                raise ValueError(f"location {place} is outside the travel matrix")
        if len({j.id for j in self.jobs}) != len(self.jobs):
            raise ValueError("job ids must be unique")
        if len({s.id for s in self.shifts}) != len(self.shifts):
            raise ValueError("shift ids must be unique")


@dataclass(frozen=True)
class Visit:
    """A job on a route: when the installer arrives, starts and leaves."""

    job_id: Hashable
    arrival: int
    start: int
    end: int


@dataclass
class Route:
    shift_id: Hashable
    visits: list[Visit]
    distance: int  # metres driven, home to home
    driving: int  # seconds driven
    break_start: int | None = None  # when the shift's break is taken, if it has one
    end: int = 0  # back at the end location


@dataclass
class Plan:
    routes: list[Route]
    left_out: dict[Hashable, str] = field(default_factory=dict)  # job id -> reason
    solve_seconds: float = 0.0

    @property
    def distance(self) -> int:
        return sum(r.distance for r in self.routes)

    @property
    def driving(self) -> int:
        return sum(r.driving for r in self.routes)

    @property
    def placed(self) -> int:
        return sum(len(r.visits) for r in self.routes)


# Why a job was left out: keys the UI translates.
NO_SKILL = "no_skill"  # no shift has the skills it needs
NO_TIME = "no_time"  # its window lies outside every shift that could take it
NO_ROOM = "no_room"  # it could fit, but the shifts are full
