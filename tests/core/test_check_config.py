"""check-config names every transition a project loses on a shared workflow because a
function on it belongs to a plugin the project does not enable."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from core.cli import main
from core.config import parse_config
from core.host import create_host
from core.workflow.check import lost_transitions
from tests.core import sample_plugin
from tests.core.test_engine import TEST_WORKFLOW

ROOT = Path(__file__).resolve().parents[2]


def test_every_lost_transition_is_reported(config_dict, tmp_path):
    wf = tmp_path / "shared.yaml"
    wf.write_text(TEST_WORKFLOW, encoding="utf-8")
    config_dict["workflows"]["shared"] = str(wf)
    for project in config_dict["projects"]:
        project["workflow_scheme"] = {"default": "shared"}
    config_dict["projects"][0]["plugins"]["sample"] = {}  # ELV only
    host = create_host(parse_config(config_dict), extra_plugins=(sample_plugin,))
    lines = TEST_WORKFLOW.splitlines()
    stamp = lines.index("      - sample.stamp") + 1
    never = next(n for n, t in enumerate(lines, 1) if "sample.never" in t)
    assert lost_transitions(host) == [
        f"{wf}:{stamp}: project 'FJN' loses transition 'Stemple' (1) of workflow "
        "'shared': it uses 'sample.stamp' (plugin 'sample'), which 'FJN' does not enable",
        f"{wf}:{stamp + 7}: project 'FJN' loses transition 'Feile' (2) of workflow "
        "'shared': it uses 'sample.stamp' (plugin 'sample'), 'sample.boom' (plugin "
        "'sample'), which 'FJN' does not enable",
        f"{wf}:{never}: project 'FJN' loses transition 'Aldri' (3) of workflow 'shared': "
        "it uses 'sample.never' (plugin 'sample'), which 'FJN' does not enable",
    ]


def test_check_config_prints_them_for_the_demo():
    result = CliRunner().invoke(main, ["--config", str(ROOT / "config" / "demo.yaml"),
                                       "check-config"])
    assert result.exit_code == 0, result.output
    assert "project 'ELV' loses transition 'Klar til utskrift' (21) of workflow 'ams': " \
        "it uses 'letters.generate_letter' (plugin 'letters')" in result.output
    assert "project 'FJN' loses" not in result.output
    assert result.output.rstrip().splitlines()[-1].startswith("OK: 2 projects")
