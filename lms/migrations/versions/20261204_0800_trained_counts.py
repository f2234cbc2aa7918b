"""reports: the home page's "cadres trained in the year / active cadres" as maintained counts

Revision ID: 0800
Revises: 0797
Create Date: 2026-12-04 20:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0800'
down_revision = '0797'
branch_labels = None
depends_on = None

PATH = sa.String(length=512).with_variant(sa.String(length=512, collation='C'), 'postgresql')


def upgrade():
    op.create_table('cadre_trained_years',
    sa.Column('cadre_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('org_path', PATH, nullable=False),
    sa.PrimaryKeyConstraint('cadre_id', 'year', name=op.f('pk_cadre_trained_years'))
    )
    op.create_table('unit_trained_counts',
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('org_path', PATH, nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('org_unit_id', 'year', name=op.f('pk_unit_trained_counts'))
    )
    op.create_index('ix_unit_trained_counts_year_path', 'unit_trained_counts', ['year', 'org_path', 'n'],
                    unique=False)
    # fill them from the cadres and the ledger (what lms.reports.trained.rebuild does)
    sqlite = op.get_bind().dialect.name == 'sqlite'
    year = "CAST(strftime('%Y', e.d) AS INTEGER)" if sqlite else "CAST(EXTRACT(YEAR FROM e.d) AS INTEGER)"
    effective = (
        "SELECT r.cadre_id, COALESCE(lc.completed_on, r.completed_on) AS d FROM training_records r"
        " LEFT JOIN (SELECT k.amends_id, k.completed_on FROM training_records k WHERE k.kind = 'correction'"
        "   AND k.id = (SELECT MAX(k2.id) FROM training_records k2"
        "               WHERE k2.amends_id = k.amends_id AND k2.kind = 'correction')) lc ON lc.amends_id = r.id"
        " WHERE r.kind = 'record' AND r.source <> 'waiver'"
        "   AND NOT EXISTS (SELECT 1 FROM training_records v WHERE v.amends_id = r.id AND v.kind = 'revocation')")
    op.execute(
        "INSERT INTO cadre_trained_years (cadre_id, year, org_unit_id, org_path)"
        " SELECT c.id, 0, c.org_unit_id, u.path FROM cadres c JOIN org_units u ON u.id = c.org_unit_id WHERE c.active"
        f" UNION SELECT c.id, {year}, c.org_unit_id, u.path FROM ({effective}) e"
        " JOIN cadres c ON c.id = e.cadre_id JOIN org_units u ON u.id = c.org_unit_id WHERE c.active")
    op.execute(
        "INSERT INTO unit_trained_counts (org_unit_id, year, org_path, n)"
        " SELECT org_unit_id, year, MIN(org_path), COUNT(*) FROM cadre_trained_years GROUP BY org_unit_id, year")


def downgrade():
    op.drop_index('ix_unit_trained_counts_year_path', table_name='unit_trained_counts')
    op.drop_table('unit_trained_counts')
    op.drop_table('cadre_trained_years')
