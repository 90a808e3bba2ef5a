"""the SMS log (sms_messages)

The first revision of the sms plugin's own branch. Until plugins had their own
migrations, the core's initial schema made these tables: a database made then has
them already (and only the core's revision stamped), so this revision only records
that they are there.

Revision ID: sms_0001
Revises:
Create Date: 2026-12-02 12:45:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import inspect
import core.models.base


revision = 'sms_0001'
down_revision = None
branch_labels = ('sms',)
depends_on = '8ea00d18a34f'  # the core's initial schema: issues and users


def upgrade() -> None:
    bind = op.get_bind()
    if inspect(bind).has_table('sms_messages'):
        return  # made by the core's initial schema before the split
    op.create_table('sms_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=True),
    sa.Column('project_key', sa.String(length=40), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('encoding', sa.String(length=8), nullable=False),
    sa.Column('segments', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=120), nullable=True),
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('provider_id', sa.String(length=120), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('send_after', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_sms_messages_author_id_users')),
    sa.ForeignKeyConstraint(['issue_id'], ['issues.id'], name=op.f('fk_sms_messages_issue_id_issues'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_messages')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_sms_messages_idempotency_key')),
    sa.UniqueConstraint('provider', 'provider_id', 'direction', name='uq_sms_provider_msg')
    )
    op.create_index('ix_sms_direction_status', 'sms_messages', ['direction', 'status'], unique=False)
    op.create_index('ix_sms_issue_created', 'sms_messages', ['issue_id', 'created'], unique=False)
    op.create_index(op.f('ix_sms_messages_provider_id'), 'sms_messages', ['provider_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_sms_messages_provider_id'), table_name='sms_messages')
    op.drop_index('ix_sms_issue_created', table_name='sms_messages')
    op.drop_index('ix_sms_direction_status', table_name='sms_messages')
    op.drop_table('sms_messages')
