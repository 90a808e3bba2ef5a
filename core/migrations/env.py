"""Alembic environment: the connection and metadata come from the caller
(``core.migrate``), so migrations run against whichever app's database."""

from __future__ import annotations

from typing import Any

from alembic import context

from core.models import Base

config = context.config
connection = config.attributes["connection"]


def _include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Full-text tables and indexes are made by ``core.jql.fulltext``, not by models:
    autogenerate must not offer to drop them."""
    return not (reflected and compare_to is None and name and "fts" in name)


context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite",
                  compare_type=True, include_object=_include)
with context.begin_transaction():
    context.run_migrations()
