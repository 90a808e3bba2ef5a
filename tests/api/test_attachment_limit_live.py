"""The attachment size limit through the ``jira`` client on a live server."""

from __future__ import annotations

import io

import pytest
from jira import JIRAError

from tests.api.conftest import snapshot


@pytest.fixture
def config_dict(config_dict):
    config_dict["max_attachment_mb"] = 0.01  # about 10 kB
    return config_dict


def test_oversize_attachment_is_413_and_small_one_fits(jira_as, order, host, backend):
    key = order().key
    jira = jira_as("planner")
    with pytest.raises(JIRAError) as err:
        jira.add_attachment(key, io.BytesIO(b"0" * 20_000), filename="stor.pdf")
    assert err.value.status_code == 413
    assert "stor.pdf" in err.value.text
    assert snapshot(host, key)["attachments"] == 0
    assert list((host.data_dir / "attachments").iterdir()) == []
    small = jira.add_attachment(key, io.BytesIO(b"1" * 5_000), filename="liten.pdf")
    assert small.size == 5_000 and small.mimeType == "application/pdf"
