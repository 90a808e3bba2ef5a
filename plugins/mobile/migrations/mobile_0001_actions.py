"""the phone's action ledger (mobile_actions)

The first revision of the mobile plugin's own branch: one row per action a phone
sent, unique by user and client id, and the input kept when it met a conflict.

Revision ID: mobile_0001
Revises:
Create Date: 2026-12-02 13:20:00
"""
from alembic import op
import sqlalchemy as sa
import core.models.base


revision = 'mobile_0001'
down_revision = None
branch_labels = ('mobile',)
depends_on = '8ea00d18a34f'  # the core's initial schema: issues and users


def upgrade() -> None:
    op.create_table('mobile_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('created', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['issue_id'], ['issues.id'], name=op.f('fk_mobile_actions_issue_id_issues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mobile_actions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mobile_actions')),
    sa.UniqueConstraint('user_id', 'client_id', name='uq_mobile_actions_user_client')
    )
    op.create_index('ix_mobile_actions_issue_outcome', 'mobile_actions', ['issue_id', 'outcome'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_mobile_actions_issue_outcome', table_name='mobile_actions')
    op.drop_table('mobile_actions')
