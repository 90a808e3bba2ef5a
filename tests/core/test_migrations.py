"""Alembic builds the same schema as the models, on SQLite and PostgreSQL, for the core
and every installed plugin's own branch: a model change without its migration fails
here, and so does a plugin table that no plugin migration makes."""

from __future__ import annotations

import pytest
import yaml
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from sqlalchemy import insert, inspect, select, text

from core.cli import main
from core.config import parse_config
from core.hookspecs import hookimpl
from core.host import create_host
from core.migrate import MigrationError, alembic_config, autogenerate, upgrade
from core.models import Base
from tests.core import sample_plugin

PLUGIN_TABLES = {"sms": {"sms_messages"}, "letters": {"letter_templates", "letter_records"},
                 "quant": {"quant_order_refs"}}


def _diff(host):
    """What the models have and the database lacks (or back); the sample plugin's
    table counts only where the sample plugin is installed."""
    sample = "sample" in host.plugins.names
    with host.db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return [d for d in compare_metadata(ctx, Base.metadata) if not _is_search_index(d)
                and (sample or not (d[0] == "add_table" and d[1].name == "sample_notes"))]


def _heads(host):
    with host.db.engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def test_migrations_match_the_models(config_dict, backend):
    host = create_host(parse_config(config_dict), extra_plugins=(sample_plugin,))
    try:
        upgrade(host)
        assert _diff(host) == []
        assert host.catalog.status_ids["open"]  # config rows were synced after upgrade
        heads = _heads(host)
        assert {"sms_0001", "letters_0001", "quant_0002", "sample_0001"} <= heads
    finally:
        host.db.dispose()


def test_hook_plugin_migrations(config_dict, backend):
    """A third-party plugin's table is created by ``db upgrade`` from its own branch,
    and only while the plugin is installed."""
    host = create_host(parse_config(config_dict))
    try:
        upgrade(host)
        assert not inspect(host.db.engine).has_table("sample_notes")
    finally:
        host.db.dispose()
    host = create_host(parse_config(config_dict), extra_plugins=(sample_plugin,))
    try:
        assert "sample" in host.plugins.migration_locations()
        upgrade(host)  # the same database, now with the plugin installed
        assert inspect(host.db.engine).has_table("sample_notes")
        with host.db.engine.begin() as conn:
            conn.execute(insert(sample_plugin.SampleNote).values(text="hei"))
            assert conn.scalar(select(sample_plugin.SampleNote.text)) == "hei"
    finally:
        host.db.dispose()


def _upgrade_core_only(host, then=None):
    """The core's branch alone, as ``db upgrade`` did before plugins had branches;
    ``then(conn)`` runs in the same transaction."""
    cfg = alembic_config(host)
    with host.db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "core@head")
        if then is not None:
            then(conn)


def test_core_branch_no_longer_makes_plugin_tables(config_dict, backend):
    host = create_host(parse_config(config_dict))
    try:
        _upgrade_core_only(host)
        tables = set(inspect(host.db.engine).get_table_names())
        assert "issues" in tables
        assert not tables & set().union(*PLUGIN_TABLES.values())
    finally:
        host.db.dispose()


def test_a_database_from_before_the_split_upgrades(config_dict, backend):
    """An install made when the core's initial schema still held the SMS, letters and
    Quant tables: only the core's revision is stamped and the tables (with rows) are
    there. ``db upgrade`` records the plugin branches without touching the rows."""

    def old_initial_schema(conn):
        old = [Base.metadata.tables[t] for ts in PLUGIN_TABLES.values() for t in ts]
        Base.metadata.create_all(conn, tables=old)  # as the old initial schema did
        conn.execute(text("INSERT INTO letter_templates (project_key, source, updated) "
                          "VALUES ('ELV', 'old', CURRENT_TIMESTAMP)"))

    host = create_host(parse_config(config_dict))
    try:
        _upgrade_core_only(host, old_initial_schema)
        core_head = _heads(host)
        assert len(core_head) == 1

        upgrade(host)

        plugin_heads = set(ScriptDirectory.from_config(alembic_config(host)).get_heads())
        assert _heads(host) == plugin_heads  # every branch at its head, the core's too
        assert {h.split("_")[0] for h in plugin_heads} >= {"sms", "letters", "quant", "bookit"}
        assert _diff(host) == []
        with host.db.engine.connect() as conn:
            assert conn.scalar(text("SELECT source FROM letter_templates")) == "old"
        upgrade(host)  # and again: nothing left to do
    finally:
        host.db.dispose()


def test_a_revision_of_an_uninstalled_plugin_is_a_clear_error(config_dict, backend):
    host = create_host(parse_config(config_dict), extra_plugins=(sample_plugin,))
    try:
        upgrade(host)
    finally:
        host.db.dispose()
    host = create_host(parse_config(config_dict))
    try:
        with pytest.raises(MigrationError, match="sample_0001"):
            upgrade(host)
    finally:
        host.db.dispose()


def test_db_upgrade_command_makes_core_and_plugin_tables(tmp_path, config_dict):
    path = tmp_path / "instance.yaml"
    path.write_text(yaml.safe_dump(config_dict, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(path), "db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "Database is up to date." in result.output
    host = create_host(parse_config(config_dict))
    try:
        tables = set(inspect(host.db.engine).get_table_names())
        assert {"issues", *set().union(*PLUGIN_TABLES.values())} <= tables
    finally:
        host.db.dispose()


def _is_search_index(diff: object) -> bool:
    """Full-text tables and indexes are made by ``core.jql.fulltext``, not models."""
    text_ = repr(diff)
    return "_fts" in text_ or "fts" in text_.lower() and "remove_table" in text_


class _UnmigratedSample:
    """The sample plugin before its first revision: its table, an empty branch folder."""

    PLUGIN_NAME = "sample"

    def __init__(self, folder):
        self.folder = folder

    @hookimpl
    def plugin_migrations(self):
        return self.folder


def test_db_revision_starts_a_plugin_branch(tmp_path, config_dict, backend):
    """``amsflow db revision --plugin NAME`` writes the plugin's first revision into its
    own folder, and ``db upgrade`` then makes the table."""
    folder = tmp_path / "sample_migrations"
    folder.mkdir()
    host = create_host(parse_config(config_dict), extra_plugins=(_UnmigratedSample(folder),))
    try:
        upgrade(host)
        assert not inspect(host.db.engine).has_table("sample_notes")
        autogenerate(host, "sample notes", "sample")
        written = list(folder.glob("*.py"))
        assert len(written) == 1
        source = written[0].read_text(encoding="utf-8")
        assert "branch_labels = ('sample',)" in source and "create_table('sample_notes'" in source
        assert "drop_" not in source.split("def downgrade")[0]  # nothing else touched
        upgrade(host)
        assert inspect(host.db.engine).has_table("sample_notes")
        assert _diff(host) == []
    finally:
        host.db.dispose()
