"""The haversine travel model: known distances, the detour factor and the speed, and
a matrix that agrees with single legs."""

from __future__ import annotations

import numpy as np
import pytest

from plugins.bookit.travel import Haversine, TravelModel, great_circle

OSLO_S = (59.9111, 10.7528)  # Oslo S
BERGEN = (60.3913, 5.3221)


def test_great_circle_oslo_bergen_is_about_305_km() -> None:
    assert great_circle(OSLO_S, BERGEN) == pytest.approx(305_000, rel=0.01)
    assert great_circle(OSLO_S, OSLO_S) == 0


def test_detour_factor_and_speed_shape_a_leg() -> None:
    straight = great_circle(OSLO_S, BERGEN)
    leg = Haversine(detour_factor=1.5, speed_kmh=60)(OSLO_S, BERGEN)
    assert leg.metres == round(straight * 1.5)
    assert leg.seconds == round(straight * 1.5 / (60 / 3.6))
    slower = Haversine(detour_factor=1.5, speed_kmh=30)(OSLO_S, BERGEN)
    assert slower.seconds == pytest.approx(2 * leg.seconds, abs=1)


def test_matrix_matches_the_legs_and_is_symmetric() -> None:
    model = Haversine()
    points = [OSLO_S, BERGEN, (59.95, 10.70), (63.43, 10.39)]
    seconds, metres = model.matrix(points)
    assert seconds.dtype == np.int64 and seconds.shape == (4, 4)
    for i, a in enumerate(points):
        for j, b in enumerate(points):
            leg = model(a, b)
            assert abs(int(metres[i, j]) - leg.metres) <= 1
            assert abs(int(seconds[i, j]) - leg.seconds) <= 1
    assert (np.diag(metres) == 0).all()
    assert (metres == metres.T).all()
    assert model.matrix([])[0].shape == (0, 0)


def test_the_model_keeps_the_interface_and_refuses_nonsense() -> None:
    assert isinstance(Haversine(), TravelModel)
    with pytest.raises(ValueError):
        Haversine(detour_factor=0.5)
    with pytest.raises(ValueError):
        Haversine(speed_kmh=0)
