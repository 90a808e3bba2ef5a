"""The database layer: a savepoint released inside a transaction must not commit
it (pysqlite, left to itself, lets a SAVEPOINT open the transaction, and then its
RELEASE commits everything so far)."""

from __future__ import annotations

from sqlalchemy import select, update

from core.models import Project


def test_released_savepoint_is_undone_by_the_outer_rollback(host, backend):
    with host.db.new_session() as s:
        before = s.scalar(select(Project.name).where(Project.key == "ELV"))
    s = host.db.session_factory()
    try:
        s.scalar(select(Project.id).limit(1))  # a read first, as a bulk claim does
        savepoint = s.begin_nested()
        s.execute(update(Project).where(Project.key == "ELV").values(name="Endret"))
        savepoint.commit()
        s.rollback()
    finally:
        s.close()
    with host.db.new_session() as s:
        assert s.scalar(select(Project.name).where(Project.key == "ELV")) == before
