"""sample_notes: the sample plugin's table, the guide's example of a plugin branch

Revision ID: sample_0001
Revises:
Create Date: 2026-12-02 12:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = "sample_0001"
down_revision = None
branch_labels = ("sample",)
depends_on = "8ea00d18a34f"  # the core's initial schema


def upgrade() -> None:
    op.create_table(
        "sample_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample_notes")),
    )


def downgrade() -> None:
    op.drop_table("sample_notes")
