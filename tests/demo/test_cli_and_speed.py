"""The demo commands, and a floor under bulk-loading speed on both databases."""

import yaml
from click.testing import CliRunner
from sqlalchemy import func, select

from core.demo.bulk import bulk_load
from core.demo.cli import standalone
from core.models import Issue, User


def test_demo_commands_fill_an_empty_database(tmp_path, config_dict):
    path = tmp_path / "instance.yaml"
    path.write_text(yaml.safe_dump(config_dict, allow_unicode=True), encoding="utf-8")
    runner = CliRunner()
    bulk = runner.invoke(standalone, ["--config", str(path), "bulk", "FJN", "-n", "700"])
    assert bulk.exit_code == 0, bulk.output
    assert "700 orders (FJN-1..FJN-700)" in bulk.output and "orders/s" in bulk.output
    load = runner.invoke(standalone, ["--config", str(path), "load", "--orders", "30"])
    assert load.exit_code == 0, load.output
    assert "ELV: 30 orders (ELV-1..ELV-30)" in load.output
    assert "FJN: 30 orders (FJN-701..FJN-730)" in load.output
    from core.app import config_from
    from core.host import create_host

    host = create_host(config_from(str(path)))
    with host.db.new_session() as s:
        assert s.scalar(select(func.count()).select_from(Issue)) == 760
        assert s.scalar(select(func.count()).select_from(User).where(
            User.username.like("montor%"))) == 12
    host.db.dispose()


def test_bulk_loading_stays_in_bulk_speed(host, backend):
    # Row-by-row ORM inserts manage a few hundred orders a second; the bulk path is
    # thousands even on a busy machine. The bound only catches a fall back to the former.
    stats = bulk_load(host, "ELV", 10_000, seed=4)
    assert stats.orders == 10_000
    assert stats.rate > 700, f"{stats.rate:.0f} orders/s"
