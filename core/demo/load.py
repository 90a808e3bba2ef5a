"""Fill a database with the demo: people who can log in, and orders in every status.

``load_demo`` is what ``amsflow run --demo`` and ``amsflow demo load`` call. Users are
made through the user service (real password hashes, groups, project roles); orders
go through the bulk loader with the past ``Lifecycle`` gives them, so the navigator,
Bookit, the map and the dashboards all have something true-looking to show.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.demo.bulk import LoadStats, bulk_insert_orders
from core.demo.data import generate_orders
from core.demo.lifecycle import Lifecycle
from core.demo.places import COMPANIES
from core.demo.users import demo_users
from core.models import User
from core.services.users import create_user, get_or_create_group, grant_role

if TYPE_CHECKING:
    from core.host import Amsflow

PASSWORDS = {"admin": "admin123", "planner": "planlegger123", "installer": "montor123"}
ROLE_GROUPS = {"planner": ("planleggere", "Planlegger"), "installer": ("montører", "Montør")}
ORDERS_PER_PROJECT = 1500
SPAN_DAYS = 100


def ensure_demo_users(host: Amsflow, with_passwords: bool = True) -> list[str]:
    """Create the demo users (known passwords) with groups and roles; returns new names.

    The admin joins the instance's admin group; planners and installers join a group
    holding their role in every project. Users that exist already are left alone.
    ``with_passwords=False`` skips the (deliberately slow) hashing for benchmarks and
    tests that never log in.
    """
    made = []
    with host.db.new_session() as s:
        existing = set(s.scalars(select(User.username)))
        groups = {role: get_or_create_group(s, name) for role, (name, _) in ROLE_GROUPS.items()}
        for project in host.config["projects"]:
            for role, (_, project_role) in ROLE_GROUPS.items():
                grant_role(s, project["key"], project_role, group=groups[role])
        for u in demo_users():
            if u["username"] in existing:
                continue
            extra = (host.config["admin_group"],) if u["role"] == "admin" else \
                (ROLE_GROUPS[u["role"]][0],)
            password = PASSWORDS[u["role"]] if with_passwords else ""
            create_user(s, u["username"], u["display_name"], password, u["email"],
                        groups=extra)
            made.append(u["username"])
    return made


def _people(project_key: str, role: str) -> list[dict]:
    """The demo users of a role working in a project (all of them for other projects)."""
    everyone = [u for u in demo_users() if u["role"] == role]
    own = [u for u in everyone if u["company"] == project_key]
    return own or everyone


def load_project(host: Amsflow, project_key: str, n: int = ORDERS_PER_PROJECT,
                 seed: int = 1) -> LoadStats:
    """``n`` demo orders in one project, spread over the workflow's statuses."""
    company = project_key if project_key in COMPANIES else sorted(COMPANIES)[0]
    now = host.now()
    life = Lifecycle(host, project_key, seed, _people(project_key, "planner"),
                     _people(project_key, "installer"), now)
    created = random.Random(f"created:{project_key}:{seed}")

    def orders():  # noqa: ANN202
        for order in generate_orders(company, n, seed):
            order["created"] = now - timedelta(days=SPAN_DAYS * created.random() ** 0.7,
                                               hours=1)
            life.apply(order, order["issuetype"])
            yield order

    ordered = sorted(orders(), key=lambda o: o["created"])  # keys follow creation order
    return bulk_insert_orders(host, project_key, ordered)


def load_demo(host: Amsflow, progress: Callable[[str], None] | None = None, *,
              orders_per_project: int = ORDERS_PER_PROJECT, seed: int = 1) -> list[LoadStats]:
    """Demo users plus ``orders_per_project`` orders in every configured project."""
    say = progress or (lambda _msg: None)
    made = ensure_demo_users(host)
    say(f"{len(made)} demo users (admin/admin123, planlegger1/planlegger123, "
        "montor1/montor123, ...)")
    results = []
    for project in host.config["projects"]:
        stats = load_project(host, project["key"], orders_per_project, seed)
        say(f"{project['key']}: {stats.orders} orders ({stats.first_key}..{stats.last_key}) "
            f"in {stats.seconds:.1f} s")
        results.append(stats)
    return results
