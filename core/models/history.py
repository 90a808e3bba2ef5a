"""Change history as Jira keeps it: a group per change, an item per field.

JQL's WAS and CHANGED query these rows, so every status, assignee, resolution and
field change writes one, whoever makes it (web, API, plugin, bulk, Quant).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .users import User


class ChangeGroup(Base):
    __tablename__ = "change_groups"
    __table_args__ = (Index("ix_change_groups_issue_created", "issue_id", "created"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")
    items: Mapped[list[ChangeItem]] = relationship(
        back_populates="group", cascade="all, delete-orphan", lazy="selectin"
    )


class ChangeItem(Base):
    __tablename__ = "change_items"
    __table_args__ = (Index("ix_change_items_field_to", "field", "to_value"),
                      Index("ix_change_items_field_from", "field", "from_value"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("change_groups.id", ondelete="CASCADE"),
                                          index=True)
    field: Mapped[str] = mapped_column(String(60))
    from_value: Mapped[str | None] = mapped_column(String(255), nullable=True)
    from_string: Mapped[str | None] = mapped_column(Text, nullable=True)
    to_value: Mapped[str | None] = mapped_column(String(255), nullable=True)
    to_string: Mapped[str | None] = mapped_column(Text, nullable=True)

    group: Mapped[ChangeGroup] = relationship(back_populates="items")
