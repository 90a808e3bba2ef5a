"""YAML loading that remembers where each value came from.

Config and workflow errors must name the file and the line, so mappings load as
``LineDict`` and sequences as ``LineList``, both carrying the line of each entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class ConfigError(Exception):
    """A problem in a config or workflow file, with its file and line."""

    def __init__(self, message: str, file: str | Path | None = None, line: int | None = None):
        self.message = message
        self.file = str(file) if file else None
        self.line = line
        where = f"{self.file}:{line}: " if self.file and line else (
            f"{self.file}: " if self.file else "")
        super().__init__(f"{where}{message}")


class LineDict(dict):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int = 0
    lines: dict[Any, int]


class LineList(list):
    """A sequence that knows its own line and the line of each item (1-based)."""

    line: int = 0
    lines: list[int]


class _Loader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):  # noqa: ANN001, ANN201
        mapping = LineDict(super().construct_mapping(node, deep=True))
        mapping.line = node.start_mark.line + 1
        mapping.lines = {self.construct_object(k, deep=True): k.start_mark.line + 1
                         for k, _ in node.value}
        return mapping

    def construct_sequence(self, node, deep=False):  # noqa: ANN001, ANN201
        seq = LineList(super().construct_sequence(node, deep=True))
        seq.line = node.start_mark.line + 1
        seq.lines = [item.start_mark.line + 1 for item in node.value]
        return seq


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                        _Loader.construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG,
                        _Loader.construct_sequence)


def load_yaml(path: str | Path) -> Any:
    """Load a YAML file into Line* containers; syntax errors become ConfigError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read file: {exc.strerror}", path) from exc
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise ConfigError(f"invalid YAML: {exc.problem}", path, line) from exc


def line_of(data: Any, path: list[Any] | tuple[Any, ...]) -> int | None:
    """The line of the deepest element of ``path`` that can be found in ``data``."""
    line = getattr(data, "line", None)
    node = data
    for part in path:
        if isinstance(node, LineDict) and part in node:
            line = node.lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and part < len(node):
            line = node.lines[part]
            node = node[part]
        else:
            break
    return line


def first_error(messages: Any, path: tuple[Any, ...] = ()) -> tuple[tuple[Any, ...], str]:
    """Flatten marshmallow's nested error dict to its first (path, message)."""
    if isinstance(messages, dict):
        key = next(iter(messages))
        return first_error(messages[key], (*path, key))
    if isinstance(messages, list) and messages:
        return first_error(messages[0], path)
    return path, str(messages)
