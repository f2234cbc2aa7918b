"""standards: per-standard counts of distinct cadres (the headline), their top-unit snapshot and deltas

Revision ID: 0730
Revises: 0720
Create Date: 2026-12-04 13:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0730'
down_revision = '0720'
branch_labels = None
depends_on = None

PATH = sa.String(length=512).with_variant(sa.String(length=512, collation='C'), 'postgresql')
FIGURES = ('applicable', 'met', 'overdue', 'due_soon')


def _figures():
    return [sa.Column(name, sa.Integer(), nullable=False) for name in FIGURES]


def upgrade():
    op.create_table('compliance_standard_counts',
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('standard_id', sa.Integer(), nullable=False),
    sa.Column('org_path', PATH, nullable=False),
    *_figures(),
    sa.PrimaryKeyConstraint('org_unit_id', 'standard_id', name=op.f('pk_compliance_standard_counts'))
    )
    op.create_index('ix_compliance_standard_counts_path', 'compliance_standard_counts',
                    ['org_path', 'standard_id', *FIGURES], unique=False)
    op.create_table('compliance_standard_rollups',
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('standard_id', sa.Integer(), nullable=False),
    *_figures(),
    sa.PrimaryKeyConstraint('org_unit_id', 'standard_id', name=op.f('pk_compliance_standard_rollups'))
    )
    op.create_table('compliance_standard_deltas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_path', PATH, nullable=False),
    sa.Column('standard_id', sa.Integer(), nullable=False),
    *_figures(),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compliance_standard_deltas'))
    )
    op.create_index('ix_compliance_standard_deltas_path', 'compliance_standard_deltas', ['org_path'], unique=False)
    # fill the new counts from the stored statuses (the next daily recompute would do it too)
    op.execute(
        "INSERT INTO compliance_standard_counts (org_unit_id, standard_id, org_path, applicable, met, overdue, due_soon)"
        " SELECT f.u, f.sid, MIN(f.p), COUNT(*), SUM(f.met), SUM(f.late), SUM(CASE WHEN f.late = 0 THEN f.soon ELSE 0 END)"
        " FROM (" + _flags("q.standard_id", ", q.standard_id") + " UNION ALL " + _flags("0", "") + ") f"
        " GROUP BY f.u, f.sid")
    op.execute(
        "INSERT INTO compliance_standard_rollups (org_unit_id, standard_id, applicable, met, overdue, due_soon)"
        " SELECT a.id, c.standard_id, SUM(c.applicable), SUM(c.met), SUM(c.overdue), SUM(c.due_soon)"
        " FROM org_units a JOIN compliance_standard_counts c ON c.org_path >= a.path AND c.org_path < a.path || '~'"
        " WHERE a.depth <= 1 GROUP BY a.id, c.standard_id")


def _flags(sid, group):
    return (f"SELECT s.org_unit_id AS u, MIN(s.org_path) AS p, {sid} AS sid, s.cadre_id AS cid,"
            " MIN(CASE WHEN s.state IN ('compliant', 'waived') OR (s.state = 'due_soon' AND s.satisfied_on IS NOT NULL)"
            " THEN 1 ELSE 0 END) AS met, MAX(CASE WHEN s.state IN ('overdue', 'expired') THEN 1 ELSE 0 END) AS late,"
            " MAX(CASE WHEN s.state = 'due_soon' THEN 1 ELSE 0 END) AS soon"
            " FROM compliance_statuses s JOIN requirements q ON q.id = s.requirement_id"
            f" GROUP BY s.org_unit_id, s.cadre_id{group}")


def downgrade():
    op.drop_index('ix_compliance_standard_deltas_path', table_name='compliance_standard_deltas')
    op.drop_table('compliance_standard_deltas')
    op.drop_table('compliance_standard_rollups')
    op.drop_index('ix_compliance_standard_counts_path', table_name='compliance_standard_counts')
    op.drop_table('compliance_standard_counts')
