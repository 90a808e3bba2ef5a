"""Quant's order references (quant_order_refs)

The first revision of the quant plugin's own branch. Until plugins had their own
migrations, the core's initial schema made these tables: a database made then has
them already (and only the core's revision stamped), so this revision only records
that they are there.

Revision ID: quant_0001
Revises:
Create Date: 2026-12-02 12:45:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import inspect
import core.models.base


revision = 'quant_0001'
down_revision = None
branch_labels = ('quant',)
depends_on = '8ea00d18a34f'  # the core's initial schema: issues and users


def upgrade() -> None:
    bind = op.get_bind()
    if inspect(bind).has_table('quant_order_refs'):
        return  # made by the core's initial schema before the split
    op.create_table('quant_order_refs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('project_key', sa.String(length=40), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('created', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('validation_status', sa.String(length=20), nullable=False),
    sa.Column('validation_reason', sa.Text(), nullable=False),
    sa.Column('validation_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['issue_id'], ['issues.id'], name=op.f('fk_quant_order_refs_issue_id_issues'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quant_order_refs')),
    sa.UniqueConstraint('issue_id', name=op.f('uq_quant_order_refs_issue_id')),
    sa.UniqueConstraint('project_key', 'external_id', name='uq_quant_order_refs_project_external')
    )


def downgrade() -> None:
    op.drop_table('quant_order_refs')
