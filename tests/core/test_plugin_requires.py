"""Plugins do not import each other, unless one declares that it builds on the other
(``requires = [...]``); then a project enabling it without the other is a config
error with file and line."""

from __future__ import annotations

import ast
from pathlib import Path

from click.testing import CliRunner

from core.cli import main
from core.plugins import DEFAULT_PLUGINS

ROOT = Path(__file__).resolve().parents[2]


def test_check_config_refuses_letters_without_sms(tmp_path):
    text = (ROOT / "config" / "demo.yaml").read_text(encoding="utf-8")
    without_sms = text.replace('''      sms:
        provider: local
        reply_number: "2223"
        booking: false    # replies, reminders and free text only
''', "")
    assert without_sms != text
    path = tmp_path / "instance.yaml"
    path.write_text(without_sms, encoding="utf-8")
    line = next(n for n, t in enumerate(without_sms.splitlines(), 1) if t == "      letters:")
    result = CliRunner().invoke(main, ["--config", str(path), "check-config"])
    assert result.exit_code != 0
    assert f"{path}:{line}: plugin 'letters' requires 'sms': enable it in project 'FJN' " \
        "too" in result.output


def test_the_demo_config_with_both_is_fine():
    result = CliRunner().invoke(main, ["--config", str(ROOT / "config" / "demo.yaml"),
                                       "check-config"])
    assert result.exit_code == 0, result.output


def _imported_plugins(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        modules = [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 \
            else [a.name for a in node.names] if isinstance(node, ast.Import) else []
        for module in modules:
            parts = module.split(".")
            if parts[0] == "plugins" and len(parts) > 1:
                names.add(parts[1])
            elif parts[0] == "gadgets":
                names.add("gadgets")
    return names


def test_plugins_import_only_what_they_require():
    import importlib

    found = []
    for module_name in DEFAULT_PLUGINS:
        plugin = importlib.import_module(module_name)
        own = module_name.rsplit(".", 1)[-1]
        allowed = {own, *getattr(plugin, "requires", ())}
        folder = Path(plugin.__file__).parent
        for path in folder.rglob("*.py"):
            if "tests" in path.relative_to(folder).parts:
                continue
            for other in sorted(_imported_plugins(path) - allowed):
                found.append(f"{path.relative_to(ROOT)} imports {other}")
    assert found == []
