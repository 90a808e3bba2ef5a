"""Bookit's availability tables: installer profiles, weekly hours, absences

The first revision of the bookit plugin's own branch.

Revision ID: bookit_0001
Revises:
Create Date: 2026-12-02 13:20:00
"""
from alembic import op
import sqlalchemy as sa
import core.models.base


revision = 'bookit_0001'
down_revision = None
branch_labels = ('bookit',)
depends_on = '8ea00d18a34f'  # the core's initial schema: users


def upgrade() -> None:
    op.create_table('bookit_installers',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('team', sa.String(length=100), nullable=False),
    sa.Column('home_lat', sa.Float(), nullable=True),
    sa.Column('home_lon', sa.Float(), nullable=True),
    sa.Column('skills', sa.String(length=500), nullable=False),
    sa.Column('feed_token', sa.String(length=64), nullable=True),
    sa.Column('updated', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_bookit_installers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_bookit_installers')),
    sa.UniqueConstraint('feed_token', name=op.f('uq_bookit_installers_feed_token'))
    )
    op.create_table('bookit_weekly_hours',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_bookit_weekly_hours_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'weekday', name=op.f('pk_bookit_weekly_hours'))
    )
    op.create_table('bookit_absences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('start', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('end', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_bookit_absences_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_bookit_absences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookit_absences'))
    )
    op.create_index('ix_bookit_absences_user_start', 'bookit_absences', ['user_id', 'start'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_bookit_absences_user_start', table_name='bookit_absences')
    op.drop_table('bookit_absences')
    op.drop_table('bookit_weekly_hours')
    op.drop_table('bookit_installers')
