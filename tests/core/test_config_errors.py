"""Config and workflow mistakes stop start-up with the file, the line and the name."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT
from core.config import load_config
from core.host import create_host
from core.yamlsource import ConfigError
from tests.core import sample_plugin


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _write_config(tmp_path: Path, replace: tuple[str, str] | None = None,
                  workflow: str | None = None) -> tuple[Path, str]:
    text = (ROOT / "config" / "demo.yaml").read_text(encoding="utf-8")
    text = text.replace("ams: workflows/ams.yaml",
                        f"ams: {workflow or ROOT / 'workflows' / 'ams.yaml'}")
    if replace:
        assert replace[0] in text
        text = text.replace(replace[0], replace[1], 1)
    path = tmp_path / "instance.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


def test_demo_config_is_valid():
    cfg = load_config(ROOT / "config" / "demo.yaml")
    assert [p["key"] for p in cfg["projects"]] == ["ELV", "FJN"]


def test_bad_field_type_names_file_and_line(tmp_path):
    path, text = _write_config(tmp_path, ("type: duration}", "type: varighet}"))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert err.value.file == str(path)
    assert err.value.line == _line_of(text, "type: varighet")
    assert "type" in err.value.message


def test_unknown_plugin_names_file_line_and_name(tmp_path):
    path, text = _write_config(tmp_path, ("      quant: {}\n      bookit:",
                                          "      quant: {}\n      bokit:"))
    with pytest.raises(ConfigError) as err:
        create_host(load_config(path))
    assert "'bokit'" in err.value.message
    assert err.value.line == _line_of(text, "bokit")


def test_plugin_settings_are_validated_by_the_plugins_schema(tmp_path):
    path, text = _write_config(tmp_path, ("      gadgets: {}\n  - key: FJN",
                                          "      gadgets: {}\n      sample:\n"
                                          "        limit: mange\n  - key: FJN"))
    with pytest.raises(ConfigError) as err:
        create_host(load_config(path), extra_plugins=(sample_plugin,))
    assert "sample" in err.value.message and "limit" in err.value.message
    assert err.value.line == _line_of(text, "limit: mange")


def test_secrets_come_from_the_environment(tmp_path, monkeypatch):
    path, _ = _write_config(tmp_path)
    monkeypatch.setenv("AMSFLOW_DATABASE_URL", "sqlite:///elsewhere.sqlite")
    assert load_config(path)["database_url"] == "sqlite:///elsewhere.sqlite"


@pytest.mark.parametrize(("old", "new", "needle", "word"), [
    ("to: planning\n    conditions", "to: planleging\n    conditions", "to: planleging",
     "'planleging'"),
    ("      - letters.mark_printed", "      - letters.mark_printet", "mark_printet",
     "'letters.mark_printet'"),
    ("screen: [on_hold_until, assignee]", "screen: [paa_vent, assignee]", "paa_vent",
     "'paa_vent'"),
    ("  - {key: open, name: Åpen, name_en: Open, category: new}",
     "  - {key: open, name: Åpen, name_en: Open, category: ny}", "category: ny", "'ny'"),
])
def test_workflow_mistakes_name_file_line_and_name(tmp_path, old, new, needle, word):
    text = (ROOT / "workflows" / "ams.yaml").read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    wf = tmp_path / "ams.yaml"
    wf.write_text(text, encoding="utf-8")
    path, _ = _write_config(tmp_path, workflow=str(wf))
    with pytest.raises(ConfigError) as err:
        create_host(load_config(path))
    assert err.value.file == str(wf)
    assert err.value.line == _line_of(text, needle)
    assert word in err.value.message


def test_yaml_syntax_error_has_a_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("projects:\n  - key: ELV\n   name: [\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert err.value.line is not None and err.value.file == str(path)
