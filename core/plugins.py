"""The plugin host: discovery, per-project enabling, and a typed facade over pluggy.

One host per app (never a module global), so tests and per-customer instances stay
isolated. Discovery finds the built-in plugins and the ``amsflow.plugins``
entry-point group; enabling is per project, from config. Essential plugins (the
core's own functions) are on for every project and cannot be disabled.
"""

from __future__ import annotations

import importlib
from importlib import metadata
from pathlib import Path
from typing import Any

import pluggy
from marshmallow import ValidationError

from . import hookspecs
from .config import Config
from .registries import Gadgets, Jobs, JqlFunctions, PeriodicTasks, WorkflowFunctions
from .yamlsource import ConfigError, first_error

ESSENTIAL_PLUGINS = ("core.builtin", "core.filters.plugin", "core.bulk.plugin", "core.notify")
# Essential modules whose config name is not the last part of the module name.
ESSENTIAL_NAMES = {"core.builtin": "core", "core.filters.plugin": "filters",
                  "core.bulk.plugin": "bulk", "core.notify": "notify"}
DEFAULT_PLUGINS = (
    "plugins.sms",
    "plugins.letters",
    "plugins.quant",
    "plugins.bookit",
    "plugins.mapit",
    "gadgets",
)
ENTRY_POINT_GROUP = "amsflow.plugins"


def short_name(module_name: str) -> str:
    """``plugins.sms`` -> ``sms``; the name config uses to enable a plugin."""
    if module_name in ESSENTIAL_NAMES:
        return ESSENTIAL_NAMES[module_name]
    return module_name.rsplit(".", 1)[-1]


class PluginHost:
    """pluggy's manager plus what amsflow needs around it."""

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
        self.pm.check_pending()
        self.settings = self._load_settings()
        self._subsets: dict[tuple[str, str], Any] = {}
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
        self.hook.register_models()

    # -- discovery -------------------------------------------------------------
    def _register(self, plugin: Any, name: str, version: str | None = None) -> None:
        if self.pm.get_plugin(name) is not None:
            return
        self.pm.register(plugin, name=name)
        self.versions[name] = version or getattr(plugin, "__version__", None) or \
            _dist_version()

    @property
    def hook(self) -> Any:
        """Hooks over every discovered plugin (for app-wide ``register_*`` calls)."""
        return self.pm.hook

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.pm.list_name_plugin()]

    def _impls(self, hook_name: str) -> list[Any]:
        return getattr(self.pm.hook, hook_name).get_hookimpls()

    def _fill(self, registry: Any, hook_name: str) -> None:
        """Call a ``register_*`` hook plugin by plugin so each entry knows its plugin."""
        for impl in self._impls(hook_name):
            impl.function(registry.bind(impl.plugin_name))
        registry.bind("core")

    # -- enabling --------------------------------------------------------------
    def _load_settings(self) -> dict[str, dict[str, Any]]:
        """Per project: enabled plugin -> validated settings. Unknown names fail."""
        schemas = {impl.plugin_name: impl.function()
                   for impl in self._impls("plugin_config_schema")}
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
            result[project["key"]] = enabled
        return result

    def enabled(self, project_key: str, plugin: str) -> bool:
        return plugin in self.settings.get(project_key, {})

    def plugin_settings(self, project_key: str, plugin: str) -> dict[str, Any]:
        """The validated settings a project gives a plugin ({} when not enabled)."""
        return self.settings.get(project_key, {}).get(plugin, {})

    def projects_enabling(self, plugin: str) -> list[str]:
        return [key for key, enabled in self.settings.items() if plugin in enabled]

    def for_project(self, project_key: str, hook_name: str) -> Any:
        """A caller of ``hook_name`` limited to the plugins the project enables."""
        cache_key = (project_key, hook_name)
        caller = self._subsets.get(cache_key)
        if caller is None:
            enabled = self.settings.get(project_key, {})
            remove = [plugin for name, plugin in self.pm.list_name_plugin()
                      if name not in enabled]
            caller = self.pm.subset_hook_caller(hook_name, remove_plugins=remove)
            self._subsets[cache_key] = caller
        return caller

    def emit(self, project_key: str, hook_name: str, **kwargs: Any) -> list[Any]:
        """Call an event or issue-view hook for the plugins the project enables."""
        return self.for_project(project_key, hook_name)(**kwargs)

    def migration_locations(self) -> dict[str, Path]:
        """Plugin name -> the directory of its Alembic branch (``plugin_migrations``)."""
        out = {}
        for impl in self._impls("plugin_migrations"):
            location = impl.function()
            if location is not None:
                out[impl.plugin_name] = Path(location)
        return out

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


def _dist_version() -> str:
    try:
        return metadata.version("amsflow")
    except metadata.PackageNotFoundError:
        return "0.0.0"
