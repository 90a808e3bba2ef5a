"""Work orders with fields, comments and change history, made through the services.

The data is built once per module and backend (searches only read), on SQLite and
on PostgreSQL in a fresh schema.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, text

from conftest import make_test_users
from core.config import parse_config
from core.host import Amsflow, create_host
from core.jql import search
from core.models import Comment
from core.services.issues import create_issue, edit_issue
from core.workflow.engine import transition_issue

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("AMSFLOW_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)  # 10:00 in Oslo


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def jql_backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def jql_host(jql_backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Amsflow]:
    """A host with the demo config and its own database, for one test module."""
    tmp = tmp_path_factory.mktemp("jql")
    schema = None
    url = f"sqlite:///{tmp / 'jql.sqlite'}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    if jql_backend == "postgresql":
        schema = f"jql_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in PG_URL else "?"
        url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    cfg = yaml.safe_load((ROOT / "config" / "demo.yaml").read_text(encoding="utf-8"))
    cfg.update(database_url=url, data_dir=str(tmp / "data"),
               workflows={"ams": str(ROOT / "workflows" / "ams.yaml")})
    host = create_host(parse_config(cfg))
    host.create_schema()
    yield host
    host.db.dispose()
    if schema:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="module")
def jql_users(jql_host: Amsflow) -> dict[str, Any]:
    """admin, planner (group planleggere: Planlegger), installer/installer2 (Montør), outsider."""
    host = jql_host
    ids = make_test_users(host, "x")
    from core.models import User

    session = host.db.session()
    return {name: session.get(User, uid) for name, uid in ids.items()}


@pytest.fixture(scope="module")
def orders(jql_host: Amsflow, jql_users: dict[str, Any]) -> dict[str, Any]:
    """A..D created at T0; A and C planned on day 1; C followed up and B assigned on day 2.

    A  ELV Målerbytte   Åse Ødegård   0150 Etappe 1  planned 2024-05-06 10:00, 1h, important
    B  ELV Tilleggsarb. Bjørn Ås      0151 Etappe 2  SMS opt-out, assigned to installer2
    C  ELV Målerbytte   Ola Nordmann  0150 Etappe 1  difficult meter, comment on day 2
    D  FJN Avvik        Kari Fjell    6800           no fields but the customer
    """
    host, users = jql_host, jql_users
    session = host.db.session()
    planner, admin = users["planner"], users["admin"]
    clock = {"now": T0}
    host.clock = lambda: clock["now"]

    def make(project: str, kind: str, summary: str, description: str, **fields: Any) -> Any:
        issue = create_issue(host, session, planner, project, kind, summary, fields,
                             description=description, system=True)
        host.db.commit(session)
        return issue

    made = {
        "A": make("ELV", "Målerbytte", "Målerbytte Storgata 1", "Kunden har hund",
                  customer_name="Åse Ødegård", postcode="0150", stage="Etappe 1",
                  planned_start="2024-05-06T10:00:00+02:00", estimate="1h",
                  important_info=True),
        "B": make("ELV", "Tilleggsarbeid", "Tilleggsarbeid Bjørnveien 2", "",
                  customer_name="Bjørn Ås", postcode="0151", stage="Etappe 2",
                  sms_opt_out=True),
        "C": make("ELV", "Målerbytte", "Målerbytte Kirkeveien 3", "Vanskelig tilkomst",
                  customer_name="Ola Nordmann", postcode="0150", stage="Etappe 1",
                  difficult_meter=True),
        "D": make("FJN", "Avvik", "Avvik ved målerskap", "", customer_name="Kari Fjell",
                  postcode="6800"),
    }
    clock["now"] = T0 + timedelta(days=1)
    for name in ("A", "C"):
        transition_issue(host, session, planner, made[name], "START_PLANNING")
    host.db.commit(session)
    clock["now"] = T0 + timedelta(days=2)
    transition_issue(host, session, admin, made["C"], "FOLLOW_UP",
                     comment="Kunden ringte tilbake om målerbyttet")
    edit_issue(host, session, planner, made["B"], {"assignee": "installer2",
                                                   "postcode": "0152"})
    session.add(Comment(issue_id=made["A"].id, body="Hunden heter Tassen",
                        author_id=planner.id, created=clock["now"], updated=clock["now"]))
    host.db.commit(session)
    clock["now"] = T0 + timedelta(days=3)
    return made


@pytest.fixture
def find(jql_host: Amsflow, jql_users: dict[str, Any], orders: dict[str, Any]) -> Any:
    """``find(jql, as_user="admin")`` -> the set of order letters found."""
    letters = {issue.key: name for name, issue in orders.items()}

    def run(jql: str, as_user: str = "admin") -> set[str]:
        session = jql_host.db.session()
        issues, total = search(jql_host, session, jql, jql_users[as_user], 0, 1000)
        assert total == len(issues)
        return {letters[i.key] for i in issues if i.key in letters}

    return run
