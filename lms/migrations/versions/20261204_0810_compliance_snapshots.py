"""standards: compliance snapshots at period ends (fast "as of" reads); created_at / updated_at indexes

Revision ID: 0810
Revises: 0800
Create Date: 2026-12-04 20:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0810'
down_revision = "0800"
branch_labels = None
depends_on = None

PATH = sa.String(length=512).with_variant(sa.String(length=512, collation='C'), 'postgresql')


def upgrade():
    op.create_table('compliance_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('pending', sa.JSON(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compliance_snapshots')),
    sa.UniqueConstraint('day', name=op.f('uq_compliance_snapshots_day'))
    )
    op.create_table('compliance_snapshot_rows',
    sa.Column('cadre_id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('requirement_id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('org_path', PATH, nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('satisfied_on', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('renew_from', sa.Date(), nullable=True),
    sa.Column('waived_on', sa.Date(), nullable=True),
    sa.Column('record_ids', sa.String(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_compliance_snapshot_rows_cadre_id_cadres'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['snapshot_id'], ['compliance_snapshots.id'],
                            name=op.f('fk_compliance_snapshot_rows_snapshot_id_compliance_snapshots'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cadre_id', 'snapshot_id', 'requirement_id', name=op.f('pk_compliance_snapshot_rows'))
    )
    op.create_index('ix_compliance_snapshot_rows_path', 'compliance_snapshot_rows', ['snapshot_id', 'org_path'],
                    unique=False)
    # "what changed since the snapshot": ledger rows entered, cadres and units edited after it
    op.create_index('ix_training_records_created_at', 'training_records', ['created_at', 'cadre_id', 'amends_id'],
                    unique=False)
    op.create_index('ix_cadres_updated_at', 'cadres', ['updated_at'], unique=False)
    op.create_index('ix_org_units_updated_at', 'org_units', ['updated_at'], unique=False)


def downgrade():
    op.drop_index('ix_org_units_updated_at', table_name='org_units')
    op.drop_index('ix_cadres_updated_at', table_name='cadres')
    op.drop_index('ix_training_records_created_at', table_name='training_records')
    op.drop_index('ix_compliance_snapshot_rows_path', table_name='compliance_snapshot_rows')
    op.drop_table('compliance_snapshot_rows')
    op.drop_table('compliance_snapshots')
