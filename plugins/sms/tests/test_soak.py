"""A small soak run in the suite (the 1,000-booking run is benchmarks/sms/soak.py):
faults on sends, reports before commit, repeated and reordered reports and replies."""

from __future__ import annotations

from typing import Any

import pytest

from plugins.sms.tests.conftest import TOKEN
from plugins.sms.tests.linkstub import LinkStub
from plugins.sms.tests.soak import run_soak

pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture
def config_dict(config_dict: dict[str, Any]) -> dict[str, Any]:
    config_dict["jobs"] = {"bulk_chunk": 10, "bulk_pause_ratio": 0.0}
    return config_dict


def test_soak(host: Any, session: Any, users: Any, stub: LinkStub, live_url: str) -> None:
    result = run_soak(host, session, users["planner"], stub, live_url, TOKEN, 40,
                      timeout=0.4, stall_share=0.15, fail_share=0.10)
    print("\n" + "\n".join(result.lines()))
    assert result.taken > 0 and result.replies > 0
    assert result.sms_per_customer <= 1
    assert result.lost_reports == 0
    assert result.lost_replies == 0
    assert result.forged_accepted == 0
