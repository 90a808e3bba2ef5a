"""Schemathesis over the whole OpenAPI document, on SQLite and PostgreSQL: no
generated request gets a server error, and every refusal is Jira's error JSON.

Bounded for CI: a few examples per operation (``EXAMPLES``), one app per backend,
as the planner (the role with the most write routes) with an API token.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy import create_engine, text

from conftest import PG_URL, ROOT, demo_config_dict, make_test_users
from core.app import create_app
from core.auth import create_token
from core.config import parse_config
from core.models import User
from core.services.issues import create_issue
from core.services.uow import run

EXAMPLES = int(os.environ.get("AMSFLOW_FUZZ_EXAMPLES", "6"))
SKIP = {("GET", "/rest/api/2/openapi.json")}  # the document itself


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzz_app(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[Any]:
    tmp = tmp_path_factory.mktemp("fuzz")
    schema, url = None, f"sqlite:///{tmp / 'fuzz.sqlite'}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    if request.param == "postgresql":
        schema = f"fuzz_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    cfg = demo_config_dict()
    cfg.update(database_url=url, data_dir=str(tmp / "data"),
               workflows={"ams": str(ROOT / "workflows" / "ams.yaml")})
    os.environ.setdefault("AMSFLOW_SECRET_KEY", "test-secret")
    app = create_app(parse_config(cfg), create_schema=True)
    host = app.extensions["amsflow"]
    ids = make_test_users(host)
    s = host.db.session()
    planner = s.get(User, ids["planner"])
    for n in range(3):  # ids 1..3 exist, so generated small ids reach real orders
        run(host, s, lambda n=n: create_issue(host, s, planner, "ELV", "Målerbytte",
                                              f"Målerbytte {n}", {"customer_name": "Åse"}))
    with host.db.new_session() as t:
        app.config["FUZZ_TOKEN"] = create_token(t, t.get(User, ids["planner"]), "fuzz")
    host.db.remove()
    yield app
    host.jobs.wait()
    host.db.dispose()
    if schema:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def _operations(app: Any) -> list[Any]:
    api = schemathesis.openapi.from_wsgi("/rest/api/2/openapi.json", app)
    out = []
    for result in api.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) not in SKIP:
            out.append(operation)
    return out


def test_no_server_error_from_any_generated_request(fuzz_app: Any) -> None:
    headers = {"Authorization": f"Bearer {fuzz_app.config['FUZZ_TOKEN']}"}
    operations = _operations(fuzz_app)
    assert len(operations) > 40  # the whole document, search and filters included
    failures: list[str] = []
    seen: list[int] = []
    for operation in operations:

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def probe(case: Any) -> None:
            response = case.call(headers=headers)
            seen.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> "
                                f"{response.status_code}: {response.text[:300]}")
            elif response.status_code >= 400 and "json" in response.headers.get(
                    "Content-Type", ""):
                assert set(response.json()) >= {"errorMessages", "errors"}, (
                    case.method, case.formatted_path, response.text[:200])

        probe()
    assert failures == []
    assert len(seen) >= len(operations) and any(c < 300 for c in seen)


def test_every_rest_route_of_the_app_is_in_the_document(fuzz_app: Any) -> None:
    document = fuzz_app.test_client().get("/rest/api/2/openapi.json").get_json()
    described = {(m.upper(), p) for p, ops in document["paths"].items() for m in ops}
    missing = []
    for rule in fuzz_app.url_map.iter_rules():
        if not rule.rule.startswith("/rest/api/2/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            if (method, path) not in described:
                missing.append(f"{method} {path}")
    assert missing == []
