"""Quant's message log (whose outbound rows are the outbox), the answers to signed
messages by webhook-id, and the time of the last order update applied.

Revision ID: quant_0002
Revises: quant_0001
Create Date: 2026-12-02 13:01:36
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import inspect
import core.models.base


revision = 'quant_0002'
down_revision = 'quant_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('quant_inbox',
    sa.Column('scope', sa.String(length=200), nullable=False),
    sa.Column('message_id', sa.String(length=100), nullable=False),
    sa.Column('http_status', sa.Integer(), nullable=False),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('received', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'message_id', name=op.f('pk_quant_inbox'))
    )
    op.create_table('quant_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('message_id', sa.String(length=100), nullable=False),
    sa.Column('element', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('project_key', sa.String(length=40), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('issue_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('http_status', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('sent_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['issue_id'], ['issues.id'], name=op.f('fk_quant_messages_issue_id_issues'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quant_messages'))
    )
    with op.batch_alter_table('quant_messages', schema=None) as batch_op:
        batch_op.create_index('ix_quant_messages_due', ['direction', 'status', 'due_at'], unique=False)
        batch_op.create_index('ix_quant_messages_issue', ['issue_id', 'id'], unique=False)
        batch_op.create_index('ix_quant_messages_project_external', ['project_key', 'external_id'], unique=False)

    columns = {c['name'] for c in inspect(op.get_bind()).get_columns('quant_order_refs')}
    if 'message_at' not in columns:  # a table made from today's models already has it
        with op.batch_alter_table('quant_order_refs', schema=None) as batch_op:
            batch_op.add_column(sa.Column('message_at', core.models.base.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('quant_order_refs', schema=None) as batch_op:
        batch_op.drop_column('message_at')

    with op.batch_alter_table('quant_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_quant_messages_project_external')
        batch_op.drop_index('ix_quant_messages_issue')
        batch_op.drop_index('ix_quant_messages_due')

    op.drop_table('quant_messages')
    op.drop_table('quant_inbox')
