"""Projects and the named things a config defines: issue types, statuses, resolutions.

They live in tables (synced from config at start-up) so issues can point at them by
id, ids stay stable for Jira clients, and JQL can join on them.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000), default="")
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    # Highest number ever handed out: keys are never reused, even after a delete.
    issue_counter: Mapped[int] = mapped_column(Integer, default=0)


class IssueType(Base):
    __tablename__ = "issue_types"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    subtask: Mapped[bool] = mapped_column(default=False)


class Status(Base):
    __tablename__ = "statuses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20))  # new | indeterminate | done


class Resolution(Base):
    __tablename__ = "resolutions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
