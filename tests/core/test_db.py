"""The database layer: a savepoint released inside a transaction must not commit
it (pysqlite, left to itself, lets a SAVEPOINT open the transaction, and then its
RELEASE commits everything so far)."""

from __future__ import annotations

import pytest
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


def test_removing_a_session_commits_only_what_only_read(host, backend):
    """The end of a request: a transaction that only read is committed (psycopg keeps
    its prepared statements then), one that wrote, through the ORM or a Core statement,
    is rolled back: what a request did not commit never lands."""
    from sqlalchemy import event

    with host.db.new_session() as s:
        before = s.scalar(select(Project.name).where(Project.key == "ELV"))
    ended: list[str] = []
    event.listen(host.db.engine, "commit", lambda _c: ended.append("commit"))
    event.listen(host.db.engine, "rollback", lambda _c: ended.append("rollback"))
    # Flushed through the ORM, never committed.
    s = host.db.session()
    s.scalar(select(Project).where(Project.key == "ELV")).name = "ORM"
    s.flush()
    host.db.remove()
    # A Core UPDATE, nothing dirty in the session.
    s = host.db.session()
    s.execute(update(Project).where(Project.key == "ELV").values(name="Core"))
    host.db.remove()
    assert ended == ["rollback", "rollback"]
    with host.db.new_session() as s:
        assert s.scalar(select(Project.name).where(Project.key == "ELV")) == before
    # Only reads: committed.
    ended.clear()
    s = host.db.session()
    s.scalar(select(Project.id).limit(1))
    host.db.remove()
    assert ended[:1] == ["commit"]


@pytest.mark.parametrize("backend", ["postgresql"])
def test_reads_keep_psycopg_prepared_statements_across_requests(client, host, users, auth,
                                                                backend):
    """Sequential API reads on PostgreSQL reach psycopg's prepare threshold (five runs):
    a rollback at the end of each request used to make psycopg forget them all."""
    from sqlalchemy import text

    assert host.db.dialect == "postgresql"
    for _ in range(7):
        assert client.get("/rest/api/2/project", headers=auth("planner")).status_code == 200
    with host.db.engine.connect() as conn:  # the one pooled connection the requests used
        prepared = conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar()
    assert prepared > 0
