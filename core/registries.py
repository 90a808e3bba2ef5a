"""Registries that ``register_*`` hooks fill, each entry tagged with its plugin.

Knowing which plugin supplied a function lets the core honour per-project enabling:
a workflow function from a plugin the project has not enabled is never run there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Entry:
    name: str
    plugin: str
    fn: Callable[..., Any]
    options: dict[str, Any] = field(default_factory=dict)


class _Registry:
    kind = "entry"

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        self.plugin = "core"

    def _add(self, name: str, fn: Callable[..., Any], **options: Any) -> Callable[..., Any]:
        if name in self.entries:
            raise ValueError(f"{self.kind} '{name}' is registered twice "
                             f"({self.entries[name].plugin} and {self.plugin})")
        self.entries[name] = Entry(name, self.plugin, fn, options)
        return fn

    def get(self, name: str) -> Entry | None:
        return self.entries.get(name)

    def __contains__(self, name: str) -> bool:
        return name in self.entries

    def __iter__(self):  # noqa: ANN204
        return iter(self.entries.values())


class WorkflowFunctions:
    """Conditions, validators and post-functions by name (three namespaces)."""

    def __init__(self) -> None:
        self.conditions = _Registry()
        self.validators = _Registry()
        self.post_functions = _Registry()
        for reg, kind in ((self.conditions, "condition"), (self.validators, "validator"),
                          (self.post_functions, "post-function")):
            reg.kind = kind

    def bind(self, plugin: str) -> WorkflowFunctions:
        for reg in (self.conditions, self.validators, self.post_functions):
            reg.plugin = plugin
        return self

    def condition(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return lambda fn: self.conditions._add(name, fn)

    def validator(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return lambda fn: self.validators._add(name, fn)

    def post_function(self, name: str, *, batchable: bool = False
                      ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """``batchable``: the function reaches outside the database only through
        ``ctx.settle_after_flush`` and sends nothing twice when its transaction is
        rolled back and tried again, so bulk change may run it for a whole chunk of
        orders on one savepoint (core functions always may)."""
        return lambda fn: self.post_functions._add(name, fn, batchable=batchable)


class Jobs(_Registry):
    kind = "job"

    def bind(self, plugin: str) -> Jobs:
        self.plugin = plugin
        return self

    def job(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return lambda fn: self._add(name, fn)


class PeriodicTasks(_Registry):
    kind = "periodic task"

    def bind(self, plugin: str) -> PeriodicTasks:
        self.plugin = plugin
        return self

    def periodic(self, name: str, seconds: int) -> Callable[[Callable[..., Any]],
                                                            Callable[..., Any]]:
        return lambda fn: self._add(name, fn, seconds=seconds)


class JqlFunctions(_Registry):
    kind = "JQL function"

    def bind(self, plugin: str) -> JqlFunctions:
        self.plugin = plugin
        return self

    def function(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return lambda fn: self._add(name.casefold(), fn, display=name)


class Gadgets(_Registry):
    """Dashboard gadget types by key (``core.dashboards.contract.GadgetType``).

    ``registry.gadget(GadgetType(...))`` adds a type; ``@registry.gadget(key,
    name=..., name_en=..., **more)`` over a data function makes the type from the
    function and the keywords (the same fields as ``GadgetType``)."""

    kind = "gadget"

    def bind(self, plugin: str) -> Gadgets:
        self.plugin = plugin
        return self

    def gadget(self, gadget: Any, **options: Any) -> Any:
        from dataclasses import replace

        from .dashboards.contract import GadgetType

        if isinstance(gadget, GadgetType):
            gtype = replace(gadget, plugin=self.plugin)
            self._add(gtype.key, gtype)  # type: ignore[arg-type]
            return gtype

        def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
            name = options.pop("name", None) or options.pop("title", None) or gadget
            gtype = GadgetType(key=gadget, name=name, name_en=options.pop("name_en", name),
                               data=fn, plugin=self.plugin, **options)
            self._add(gadget, gtype)  # type: ignore[arg-type]
            return fn

        return deco


@dataclass
class NavItem:
    label: str
    url: str
    order: int = 100


@dataclass
class IssueAction:
    """A menu entry on the issue view (e.g. *Send SMS*, *Se saken i Mapit*)."""

    label: str
    url: str
    id: str = ""
    method: str = "get"
    new_tab: bool = False


@dataclass
class IssuePanel:
    """A panel on the issue view; ``html`` must already be escaped (Markup)."""

    title: str
    html: str
    id: str = ""
    order: int = 100
