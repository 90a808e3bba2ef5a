"""Auto-planning's tables: plan proposals and customers' self-service links

Revision ID: bookit_0002
Revises: bookit_0001
Create Date: 2026-12-02 14:00:00
"""
from alembic import op
import sqlalchemy as sa
import core.models.base


revision = 'bookit_0002'
down_revision = 'bookit_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bookit_plan_proposals',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('project_key', sa.String(length=40), nullable=False),
    sa.Column('created', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('cancel_requested', sa.Boolean(), nullable=False),
    sa.Column('request_json', sa.Text(), nullable=False),
    sa.Column('result_json', sa.Text(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('bulk_task_id', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_bookit_plan_proposals_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookit_plan_proposals'))
    )
    op.create_table('bookit_selfservice_links',
    sa.Column('nonce', sa.String(length=16), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('created', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('choice', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['issue_id'], ['issues.id'], name=op.f('fk_bookit_selfservice_links_issue_id_issues'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('nonce', name=op.f('pk_bookit_selfservice_links'))
    )
    op.create_index(op.f('ix_bookit_selfservice_links_issue_id'), 'bookit_selfservice_links', ['issue_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_bookit_selfservice_links_issue_id'), table_name='bookit_selfservice_links')
    op.drop_table('bookit_selfservice_links')
    op.drop_table('bookit_plan_proposals')
