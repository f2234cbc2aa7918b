"""core: coalesced rebuild jobs (the trained counts and the compliance recompute after bulk changes)

Revision ID: 0830
Revises: 0810
Create Date: 2026-12-05 00:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0830'
down_revision = "0810"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rebuilds',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_rebuilds_job_id_jobs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_rebuilds'))
    )


def downgrade():
    op.drop_table('rebuilds')
