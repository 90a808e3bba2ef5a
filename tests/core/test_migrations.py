"""Alembic builds the same schema as the models, on SQLite and PostgreSQL: a model
change without its migration fails here."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.config import parse_config
from core.host import create_host
from core.migrate import upgrade
from core.models import Base


def test_migrations_match_the_models(config_dict, backend):
    host = create_host(parse_config(config_dict))
    try:
        upgrade(host)
        with host.db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = [d for d in compare_metadata(ctx, Base.metadata)
                    if not _is_search_index(d) and not _is_test_table(d)]
        assert diff == []
        assert host.catalog.status_ids["open"]  # config rows were synced after upgrade
    finally:
        host.db.dispose()


def _is_test_table(diff: object) -> bool:
    """Tables of plugins that only tests load (tests/core/sample_plugin.py)."""
    test_tables = {m.local_table.name for m in Base.registry.mappers
                   if m.class_.__module__.startswith("tests.")}
    return isinstance(diff, tuple) and diff[0] == "add_table" and diff[1].name in test_tables


def _is_search_index(diff: object) -> bool:
    """Full-text tables and indexes are made by ``core.jql.fulltext``, not models."""
    text = repr(diff)
    return "_fts" in text or "fts" in text.lower() and "remove_table" in text
