"""records: an ``lti`` ledger source and ``source_detail`` (the LTI platform's name) on training_records

Revision ID: 0795
Revises: 0790
Create Date: 2026-12-04 17:20:00

On SQLite the CHECK constraint can only change by rebuilding the table (Alembic batch mode), which
drops its triggers: the append-only triggers of 0450/0720 are created again afterwards.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0795'
down_revision = '0790'
branch_labels = None
depends_on = None

OLD = "source IN ('online', 'assessment', 'in_person', 'import', 'waiver', 'xblock')"
NEW = "source IN ('online', 'assessment', 'in_person', 'import', 'waiver', 'xblock', 'lti')"
NAME = 'ck_training_records_source_valid'
SQLITE_TRIGGERS = (
    "CREATE TRIGGER training_records_no_update BEFORE UPDATE ON training_records "
    "BEGIN SELECT RAISE(ABORT, 'training_records is append-only'); END",
    "CREATE TRIGGER training_records_no_delete BEFORE DELETE ON training_records "
    "BEGIN SELECT RAISE(ABORT, 'training_records is append-only: append a revocation instead'); END",
)


def _swap_check(condition: str, *, add_column: bool) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS training_records_no_update")
        op.execute("DROP TRIGGER IF EXISTS training_records_no_delete")
    with op.batch_alter_table('training_records', recreate="always" if sqlite else "auto") as batch_op:
        if add_column:
            batch_op.add_column(sa.Column('source_detail', sa.String(length=255), nullable=True))
        else:
            batch_op.drop_column('source_detail')
        batch_op.drop_constraint(op.f(NAME), type_='check')
        batch_op.create_check_constraint(op.f(NAME), condition)
    if sqlite:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def upgrade():
    _swap_check(NEW, add_column=True)


def downgrade():
    _swap_check(OLD, add_column=False)
