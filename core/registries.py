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


class Models:
    """The tables each plugin's ``register_models`` added to ``core.models.Base``
    (seen by the tables that appear while it runs, or named with ``registry.model``)."""

    def __init__(self) -> None:
        self.tables: dict[str, list[str]] = {}
        self.plugin = "core"

    def bind(self, plugin: str) -> Models:
        """Start the next plugin's call (closing the last one's)."""
        from .models import Base

        if hasattr(self, "_before"):
            self._seen()
        self.plugin = plugin
        self._before = set(Base.metadata.tables)
        return self

    def model(self, cls: type) -> type:
        table = cls.__table__.name  # type: ignore[attr-defined]
        self.tables.setdefault(self.plugin, [])
        if table not in self.tables[self.plugin]:
            self.tables[self.plugin].append(table)
        return cls

    def _seen(self) -> None:
        from .models import Base

        new = sorted(set(Base.metadata.tables) - getattr(self, "_before", set()))
        if new:
            self.tables.setdefault(self.plugin, []).extend(
                t for t in new if t not in self.tables.get(self.plugin, []))


class _Listed:
    """A registry of things a plugin adds (or returns, as hooks did before)."""

    def __init__(self) -> None:
        self.items: list[Any] = []

    def add(self, item: Any) -> Any:
        self.items.append(item)
        return item

    def extend(self, items: Any) -> None:
        self.items.extend(items if isinstance(items, list | tuple) else [items])


class Blueprints(_Listed):
    """``register_blueprints``: ``registry.add(blueprint)``, or return a list."""


class NavItems(_Listed):
    """``register_nav_items``: ``registry.add(NavItem(...))``, or return a list."""


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
    error: bool = False  # set by the host for a plugin whose issue_actions raised


@dataclass
class IssuePanel:
    """A panel on the issue view. ``html`` that is not ``markupsafe.Markup`` is shown
    as text (escaped); wrap HTML you built from escaped parts (``Markup``,
    ``render_template``) to show it as HTML."""

    title: str
    html: str
    id: str = ""
    order: int = 100
    error: bool = False  # set by the host for a plugin whose issue_panels raised
