"""A workflow as loaded from YAML: statuses and transitions with their functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CATEGORIES = ("new", "indeterminate", "done")


@dataclass(frozen=True)
class FunctionRef:
    """One condition, validator or post-function named in YAML, with its args."""

    name: str
    args: dict[str, Any]
    line: int | None = None


@dataclass(frozen=True)
class StatusDef:
    key: str
    name: str
    category: str
    name_en: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Transition:
    id: int
    name: str
    to: str
    sources: frozenset[str]
    key: str | None = None
    name_en: str | None = None
    conditions: tuple[FunctionRef, ...] = ()
    validators: tuple[FunctionRef, ...] = ()
    post_functions: tuple[FunctionRef, ...] = ()
    screen: tuple[str, ...] = ()
    automatic: bool = False
    system: bool = False
    line: int | None = None

    def matches(self, ref: str | int) -> bool:
        """Found by numeric id, internal key (``PC_TRANSITION_PRINTED``) or name."""
        text = str(ref).strip()
        return text == str(self.id) or (self.key is not None and text == self.key) or \
            text.casefold() == self.name.casefold() or (
                self.name_en is not None and text.casefold() == self.name_en.casefold())


@dataclass
class Workflow:
    name: str
    file: str
    initial: str
    statuses: dict[str, StatusDef]
    transitions: list[Transition] = field(default_factory=list)

    def from_status(self, status_key: str) -> list[Transition]:
        return [t for t in self.transitions if status_key in t.sources]

    def find(self, status_key: str, ref: str | int) -> Transition | None:
        for t in self.from_status(status_key):
            if t.matches(ref):
                return t
        return None

    def by_ref(self, ref: str | int) -> Transition | None:
        """Any transition of the workflow (for bulk: which one was chosen)."""
        for t in self.transitions:
            if t.matches(ref):
                return t
        return None
