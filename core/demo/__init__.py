"""Realistic Norwegian demo and benchmark data: orders, people and places.

``generate_orders`` and ``demo_users`` make plain dicts and need no database;
``core.demo.load`` puts them into one through the core.
"""

from core.demo.data import generate_orders, metering_point_id
from core.demo.places import COMPANIES, Company, Town, company
from core.demo.users import demo_users

__all__ = ["COMPANIES", "Company", "Town", "company", "demo_users", "generate_orders",
           "metering_point_id"]
