"""Schema migrations with Alembic, run programmatically against an app's engine.

Every table (core and plugins) is in ``core.models.Base.metadata``; plugin models
are imported by the host through the ``register_models`` hook before this runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config as AlembicConfig

if TYPE_CHECKING:
    from .host import Amsflow

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(host: Amsflow, revision: str = "head") -> None:
    """Bring the schema to ``revision`` and sync the config-defined rows."""
    cfg = alembic_config()
    with host.db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    host.after_schema()


def autogenerate(host: Amsflow, message: str) -> None:
    """Write a new revision from the difference between models and database."""
    cfg = alembic_config()
    with host.db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True)
