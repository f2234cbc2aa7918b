"""records: the training-record ledger refuses TRUNCATE (PostgreSQL) and DELETE (SQLite) in the database

Migration 0450 already refuses UPDATE and DELETE per row on PostgreSQL and UPDATE on SQLite. A plain
``TRUNCATE training_records`` (or a ``TRUNCATE … CASCADE`` from a parent table) skips row triggers,
and SQLite still accepted ``DELETE``: this adds a statement-level BEFORE TRUNCATE trigger on PostgreSQL
(using the same raising function) and a BEFORE DELETE trigger on SQLite. Corrections stay appended
amendments (``kind`` correction/revocation).

Revision ID: 0720
Revises: 0700
Create Date: 2026-12-04 14:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0720'
down_revision = '0700'
branch_labels = None
depends_on = None


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "CREATE TRIGGER training_records_no_truncate BEFORE TRUNCATE ON training_records "
            "FOR EACH STATEMENT EXECUTE FUNCTION training_records_append_only()"
        )
    elif dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER training_records_no_delete BEFORE DELETE ON training_records "
            "BEGIN SELECT RAISE(ABORT, 'training_records is append-only: append a revocation instead'); END"
        )


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS training_records_no_truncate ON training_records")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS training_records_no_delete")
