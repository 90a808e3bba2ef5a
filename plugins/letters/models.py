"""The letters plugin's tables: admin-edited templates and a log of produced letters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, UTCDateTime, utcnow


class LetterTemplate(Base):
    """A project's letter template as last saved by an admin (overrides config)."""

    __tablename__ = "letter_templates"

    project_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    updated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


class LetterRecord(Base):
    """One letter made for an order: where it went, its code, and when it was printed.

    ``printed`` is set by *Generer brev* (PC_TRANSITION_PRINTED); the SMS plugin's
    booking reminder can tell a letter booking from an SMS one by this table.
    """

    __tablename__ = "letter_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"), index=True)
    reply_code: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(String(1000))
    combined_file: Mapped[str | None] = mapped_column(String(255), nullable=True)
    attachment_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    planned_start: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    printed: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
