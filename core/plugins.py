"""The plugin host: discovery, per-project enabling, and a typed facade over pluggy.

One host per app (never a module global), so tests and per-customer instances stay
isolated. Discovery finds the built-in plugins and the ``amsflow.plugins``
entry-point group; enabling is per project, from config. Essential plugins (the
core's own functions) are on for every project and cannot be disabled.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
from collections.abc import Callable
from importlib import metadata
from typing import Any, TypeVar

import pluggy
from marshmallow import ValidationError

from . import hookspecs
from .config import Config
from .hookcalls import HookCalls
from .registries import Gadgets, Jobs, JqlFunctions, Models, PeriodicTasks, WorkflowFunctions
from .yamlsource import ConfigError, first_error

ESSENTIAL_PLUGINS = ("core.builtin", "core.filters.plugin", "core.bulk.plugin", "core.notify",
                     "core.dashboards")
# Essential modules whose config name is not the last part of the module name.
ESSENTIAL_NAMES = {"core.builtin": "core", "core.filters.plugin": "filters",
                  "core.bulk.plugin": "bulk", "core.notify": "notify",
                  "core.dashboards": "dashboards"}
DEFAULT_PLUGINS = (
    "plugins.sms",
    "plugins.letters",
    "plugins.quant",
    "plugins.bookit",
    "plugins.mapit",
    "plugins.mobile",
    "gadgets",
)
ENTRY_POINT_GROUP = "amsflow.plugins"
T = TypeVar("T")


def short_name(module_name: str) -> str:
    """``plugins.sms`` -> ``sms``; the name config uses to enable a plugin."""
    if module_name in ESSENTIAL_NAMES:
        return ESSENTIAL_NAMES[module_name]
    return module_name.rsplit(".", 1)[-1]


class PluginHost(HookCalls):
    """pluggy's manager plus what amsflow needs around it: discovery, enabling, and
    the typed hook calls of ``HookCalls`` (the only code that calls ``pm.hook``)."""

    def __init__(self, config: Config, extra_plugins: tuple[Any, ...] = ()) -> None:
        self.config = config
        self.pm = pluggy.PluginManager("amsflow")
        self.pm.add_hookspecs(hookspecs)
        self.versions: dict[str, str] = {}
        self.essential: set[str] = set()
        for module_name in ESSENTIAL_PLUGINS:
            self._register(importlib.import_module(module_name), short_name(module_name))
            self.essential.add(short_name(module_name))
        for module_name in DEFAULT_PLUGINS:
            self._register(importlib.import_module(module_name), short_name(module_name))
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            self._register(ep.load(), ep.name,
                           ep.dist.version if ep.dist else "unknown")
        for plugin in extra_plugins:
            name = getattr(plugin, "PLUGIN_NAME", None) or short_name(
                getattr(plugin, "__name__", type(plugin).__name__))
            self._register(plugin, name)
        self._subsets: dict[tuple[str, str], Any] = {}
        self._state: dict[str, Any] = {}
        self._check_hook_names()
        self.settings = self._load_settings()
        self.workflow_functions = WorkflowFunctions()
        self.jobs = Jobs()
        self.periodic = PeriodicTasks()
        self.jql_functions = JqlFunctions()
        self.gadgets = Gadgets()
        self._fill(self.workflow_functions, "register_workflow_functions")
        self._fill(self.jobs, "register_jobs")
        self._fill(self.periodic, "register_periodic_tasks")
        self._fill(self.jql_functions, "register_jql_functions")
        self._fill(self.gadgets, "register_gadgets")
        self.models = Models()
        self._fill(self.models, "register_models")

    # -- discovery -------------------------------------------------------------
    def _register(self, plugin: Any, name: str, version: str | None = None) -> None:
        if self.pm.get_plugin(name) is not None:
            return
        self.pm.register(plugin, name=name)
        self.versions[name] = version or getattr(plugin, "__version__", None) or \
            _dist_version()

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.pm.list_name_plugin()]

    def _per_plugin(self, hook_name: str) -> list[tuple[str, Any]]:
        """(plugin name, a pluggy caller of only that plugin's implementation) for
        every plugin implementing ``hook_name``, in registration order (the core
        first; pluggy's own calls run the other way)."""
        key = ("*per-plugin*", hook_name)
        found = self._subsets.get(key)
        if found is None:
            plugins = self.pm.list_name_plugin()
            found = [(impl.plugin_name, self.pm.subset_hook_caller(
                hook_name, remove_plugins=[p for n, p in plugins if n != impl.plugin_name]))
                for impl in getattr(self.pm.hook, hook_name).get_hookimpls()]
            self._subsets[key] = found
        return found

    def _fill(self, registry: Any, hook_name: str) -> None:
        """Call a ``register_*`` hook plugin by plugin through pluggy (so a plugin may
        take any subset of its arguments), the registry bound to that plugin so each
        entry knows where it came from."""
        for name, caller in self._per_plugin(hook_name):
            caller(registry=registry.bind(name))
        registry.bind("core")

    def _check_hook_names(self) -> None:
        """A ``@hookimpl`` whose name is no hook (a misspelling) stops start-up with the
        plugin's file, line and name, as config errors do."""
        known = {name for name, fn in vars(hookspecs).items()
                 if callable(fn) and hasattr(fn, "amsflow_spec")}
        for name, plugin in self.pm.list_name_plugin():
            for attr in dir(plugin):
                fn = getattr(plugin, attr, None)
                opts = getattr(fn, "amsflow_impl", None)
                if not isinstance(opts, dict):
                    continue
                hook = opts.get("specname") or attr
                if hook in known:
                    continue
                close = difflib.get_close_matches(hook, sorted(known), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                file, line = _where(fn)
                raise ConfigError(f"plugin '{name}': unknown hook '{hook}'{hint}", file, line)
        self.pm.check_pending()

    # -- enabling --------------------------------------------------------------
    def _load_settings(self) -> dict[str, dict[str, Any]]:
        """Per project: enabled plugin -> validated settings. Unknown names fail."""
        schemas = self.config_schemas()
        known = set(self.names)
        result: dict[str, dict[str, Any]] = {}
        for i, project in enumerate(self.config["projects"]):
            enabled: dict[str, Any] = {name: {} for name in self.essential}
            for name, raw in project["plugins"].items():
                path = ("projects", i, "plugins", name)
                if name not in known:
                    raise self.config.error(
                        f"unknown plugin '{name}' (known: {', '.join(sorted(known))})", *path)
                schema = schemas.get(name)
                if schema is None:
                    enabled[name] = dict(raw or {})
                    continue
                schema = schema() if isinstance(schema, type) else schema
                try:
                    enabled[name] = schema.load(raw or {})
                except ValidationError as exc:
                    where, message = first_error(exc.messages)
                    raise ConfigError(
                        f"plugin '{name}': {'.'.join(map(str, where))}: {message}",
                        self.config.path, self.config.line(*path, *where)) from exc
            self._check_requires(i, project, enabled)
            result[project["key"]] = enabled
        return result

    def _check_requires(self, i: int, project: dict[str, Any],
                        enabled: dict[str, Any]) -> None:
        """A plugin's ``requires = [...]`` (module or class attribute) names plugins it
        builds on; a project that enables it must enable those too."""
        for name in project["plugins"]:
            plugin = self.pm.get_plugin(name)
            missing = [r for r in getattr(plugin, "requires", ()) or () if r not in enabled]
            if missing:
                raise self.config.error(
                    f"plugin '{name}' requires {', '.join(repr(m) for m in missing)}: "
                    f"enable {'it' if len(missing) == 1 else 'them'} in project "
                    f"'{project['key']}' too", "projects", i, "plugins", name)

    def state(self, plugin: str, factory: Callable[[], T]) -> T:
        """The app's state object of ``plugin`` (made by ``factory`` on first use):
        what a plugin keeps between calls lives here, on its app's host, never in a
        module global that two apps in one process would share."""
        found = self._state.get(plugin)
        if found is None:
            found = self._state[plugin] = factory()
        return found

    def enabled(self, project_key: str, plugin: str) -> bool:
        return plugin in self.settings.get(project_key, {})

    def plugin_settings(self, project_key: str, plugin: str) -> dict[str, Any]:
        """The validated settings a project gives a plugin ({} when not enabled)."""
        return self.settings.get(project_key, {}).get(plugin, {})

    def projects_enabling(self, plugin: str) -> list[str]:
        return [key for key, enabled in self.settings.items() if plugin in enabled]

    def for_project(self, project_key: str, hook_name: str) -> Any:
        """A pluggy caller of ``hook_name`` limited to the plugins the project enables."""
        cache_key = (project_key, hook_name)
        caller = self._subsets.get(cache_key)
        if caller is None:
            enabled = self.settings.get(project_key, {})
            caller = self._without(hook_name, lambda name: name not in enabled)
            self._subsets[cache_key] = caller
        return caller

    def _for_any_project(self, hook_name: str) -> Any:
        """A caller limited to the plugins at least one project enables."""
        cache_key = ("*any*", hook_name)
        caller = self._subsets.get(cache_key)
        if caller is None:
            used = set(self.essential).union(*self.settings.values())
            caller = self._without(hook_name, lambda name: name not in used)
            self._subsets[cache_key] = caller
        return caller

    def _without(self, hook_name: str, drop: Callable[[str], bool]) -> Any:
        remove = [plugin for name, plugin in self.pm.list_name_plugin() if drop(name)]
        return self.pm.subset_hook_caller(hook_name, remove_plugins=remove)

    # -- introspection ---------------------------------------------------------
    def describe(self) -> list[dict[str, Any]]:
        """What /-/plugins and the admin page show: plugins, versions, hooks, projects."""
        out = []
        for name, plugin in sorted(self.pm.list_name_plugin()):
            hooks = sorted(caller.name for caller in self.pm.get_hookcallers(plugin) or [])
            out.append({
                "name": name,
                "module": getattr(plugin, "__name__", type(plugin).__name__),
                "version": self.versions.get(name, ""),
                "essential": name in self.essential,
                "hooks": hooks,
                "projects": self.projects_enabling(name),
            })
        return out


def _where(fn: Any) -> tuple[str | None, int | None]:
    """The file and the ``def`` line of a function (below its decorators)."""
    target = inspect.unwrap(fn)
    try:
        lines, start = inspect.getsourcelines(target)
        file = inspect.getsourcefile(target)
    except (OSError, TypeError):
        return None, None
    offset = next((i for i, text in enumerate(lines)
                   if text.lstrip().startswith(("def ", "async def "))), 0)
    return file, start + offset


def _dist_version() -> str:
    try:
        return metadata.version("amsflow")
    except metadata.PackageNotFoundError:
        return "0.0.0"
