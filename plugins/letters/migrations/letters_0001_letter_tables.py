"""letter templates and records

The first revision of the letters plugin's own branch. Until plugins had their own
migrations, the core's initial schema made these tables: a database made then has
them already (and only the core's revision stamped), so this revision only records
that they are there.

Revision ID: letters_0001
Revises:
Create Date: 2026-12-02 12:45:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import inspect
import core.models.base


revision = 'letters_0001'
down_revision = None
branch_labels = ('letters',)
depends_on = '8ea00d18a34f'  # the core's initial schema: issues and users


def upgrade() -> None:
    bind = op.get_bind()
    if inspect(bind).has_table('letter_templates') and inspect(bind).has_table('letter_records'):
        return  # made by the core's initial schema before the split
    op.create_table('letter_templates',
    sa.Column('project_key', sa.String(length=40), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('updated', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('project_key', name=op.f('pk_letter_templates'))
    )
    op.create_table('letter_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('reply_code', sa.String(length=16), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('path', sa.String(length=1000), nullable=False),
    sa.Column('combined_file', sa.String(length=255), nullable=True),
    sa.Column('attachment_id', sa.Integer(), nullable=True),
    sa.Column('planned_start', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('printed', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['issue_id'], ['issues.id'], name=op.f('fk_letter_records_issue_id_issues'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_records'))
    )
    op.create_index(op.f('ix_letter_records_issue_id'), 'letter_records', ['issue_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_letter_records_issue_id'), table_name='letter_records')
    op.drop_table('letter_records')
    op.drop_table('letter_templates')
