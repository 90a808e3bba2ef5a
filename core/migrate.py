"""Schema migrations with Alembic, run programmatically against an app's engine.

The core's revisions are the branch ``core`` in ``core/migrations/versions``; every
installed plugin that returns a directory from the ``plugin_migrations`` hook has its
own branch there (labelled with the plugin's name), so ``db upgrade`` brings the core
and all installed plugins to their heads together. The models (core and plugins,
imported through ``register_models``) are ``core.models.Base.metadata``, which
autogenerate compares against.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import ResolutionError

if TYPE_CHECKING:
    from .host import Amsflow

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
CORE_BRANCH = "core"


class MigrationError(Exception):
    """The database and the installed plugins' migrations do not fit together."""


def alembic_config(host: Amsflow | None = None) -> AlembicConfig:
    """Alembic's config: the core's scripts plus each installed plugin's branch."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    locations = [MIGRATIONS / "versions"]
    if host is not None:
        locations += list(host.plugins.migration_locations().values())
    cfg.set_main_option("version_path_separator", "os")
    cfg.set_main_option("version_locations", _joined(locations))
    return cfg


def _joined(paths: list[Path]) -> str:
    return os.pathsep.join(str(p) for p in paths)


def upgrade(host: Amsflow, revision: str = "heads") -> None:
    """Bring the core and every installed plugin's branch to ``revision`` (their
    heads), then sync the config-defined rows."""
    cfg = alembic_config(host)
    with host.db.engine.begin() as conn:
        _check_known(cfg, conn)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    host.after_schema()


def _check_known(cfg: AlembicConfig, conn: object) -> None:
    """A revision in the database that no installed migration holds (a plugin that
    was uninstalled) would stop Alembic with a bare 'Can't locate revision'."""
    script = ScriptDirectory.from_config(cfg)
    current = MigrationContext.configure(conn).get_current_heads()
    unknown = []
    for rev in current:
        try:
            script.revision_map.get_revision(rev)
        except ResolutionError:
            unknown.append(rev)
    if unknown:
        raise MigrationError(
            f"the database has migration revision(s) {', '.join(unknown)} that no "
            "installed plugin holds: install the plugin that made them again")


def autogenerate(host: Amsflow, message: str, plugin: str = CORE_BRANCH) -> None:
    """Write a new revision on ``plugin``'s branch (the core's by default) from the
    difference between the models and the database; a plugin's first revision
    starts its branch in the directory its ``plugin_migrations`` hook returns."""
    cfg = alembic_config(host)
    script = ScriptDirectory.from_config(cfg)
    kwargs: dict[str, object] = {"head": f"{plugin}@head"}
    if plugin != CORE_BRANCH:
        location = host.plugins.migration_locations().get(plugin)
        if location is None:
            raise MigrationError(f"plugin '{plugin}' has no plugin_migrations directory")
        if not _has_branch(script, plugin):
            kwargs = {"head": "base", "branch_label": plugin, "version_path": str(location),
                      "depends_on": script.get_revision(f"{CORE_BRANCH}@head").revision}
    with host.db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True, **kwargs)


def _has_branch(script: ScriptDirectory, label: str) -> bool:
    return any(label in rev.branch_labels for rev in script.walk_revisions())
