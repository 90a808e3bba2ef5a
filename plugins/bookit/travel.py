"""How long it takes to drive between two places, and how far.

Everything that needs travel (the day route, *Optimise this day*, auto-planning) asks a
``TravelModel``: ``model(a, b)`` for one leg and ``model.matrix(points)`` for many.
The built-in ``Haversine`` model needs no server: the great-circle distance times a
detour factor (roads are not straight), driven at an average speed. A routing engine
(OSRM's ``/table`` service, for instance) can take its place by implementing the same
two methods; ``travel_model(host)`` is the one place that chooses.

Points are ``(latitude, longitude)`` in degrees, as the *Posisjon* field holds them;
legs are whole seconds and metres, as ``plugins.bookit.solver`` wants them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from core.host import Amsflow

Point = tuple[float, float]  # (lat, lon) in degrees
EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)


class Leg(NamedTuple):
    seconds: int
    metres: int


@runtime_checkable
class TravelModel(Protocol):
    """What every travel model offers."""

    def __call__(self, a: Point, b: Point) -> Leg:
        """Driving from ``a`` to ``b``."""

    def matrix(self, points: Sequence[Point]) -> tuple[np.ndarray, np.ndarray]:
        """Square ``(seconds, metres)`` int64 matrices, ``[from, to]``, for ``points``."""


@dataclass(frozen=True)
class Haversine:
    """Great-circle distance × ``detour_factor``, driven at ``speed_kmh``."""

    detour_factor: float = 1.3
    speed_kmh: float = 40.0

    def __post_init__(self) -> None:
        if self.detour_factor < 1.0 or self.speed_kmh <= 0:
            raise ValueError("detour_factor must be at least 1 and speed_kmh above 0")

    def __call__(self, a: Point, b: Point) -> Leg:
        metres = great_circle(a, b) * self.detour_factor
        return Leg(round(metres / (self.speed_kmh / 3.6)), round(metres))

    def matrix(self, points: Sequence[Point]) -> tuple[np.ndarray, np.ndarray]:
        if not len(points):
            empty = np.zeros((0, 0), dtype=np.int64)
            return empty, empty.copy()
        p = np.radians(np.asarray(points, dtype=float))
        lat, lon = p[:, 0][:, None], p[:, 1][:, None]
        h = np.sin((lat.T - lat) / 2) ** 2 + \
            np.cos(lat) * np.cos(lat.T) * np.sin((lon.T - lon) / 2) ** 2
        metres = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0, 1))) * self.detour_factor
        seconds = metres / (self.speed_kmh / 3.6)
        return np.rint(seconds).astype(np.int64), np.rint(metres).astype(np.int64)


def great_circle(a: Point, b: Point) -> float:
    """Metres along the Earth's surface between two (lat, lon) points (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + \
        math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


def travel_model(host: Amsflow) -> TravelModel:
    """The instance's travel model (``plugins.bookit.travel`` in the config)."""
    cached = getattr(host, "_bookit_travel", None)
    if cached is None:
        from .settings import instance

        conf = instance(host)
        cached = Haversine(conf.detour_factor, conf.speed_kmh)
        host._bookit_travel = cached  # type: ignore[attr-defined]
    return cached
