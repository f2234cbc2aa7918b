"""records: in-person classes, attendances, import batches; append-only trigger on training_records

Revision ID: 0450
Revises: 0410
Create Date: 2026-11-23 19:10:57.846936

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0450'
down_revision = '0410'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('record_import_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('rows_total', sa.Integer(), nullable=False),
    sa.Column('rows_added', sa.Integer(), nullable=False),
    sa.Column('rows_skipped', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_record_import_batches_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_import_batches'))
    )
    with op.batch_alter_table('record_import_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_import_batches_sha256'), ['sha256'], unique=False)

    op.create_table('training_classes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=True),
    sa.Column('topic', sa.String(length=16), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('place', sa.String(length=255), nullable=False),
    sa.Column('lecturer_name', sa.String(length=255), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_training_classes_status_valid')),
    sa.CheckConstraint("topic IN ('union_law', 'osh', 'finance', 'democracy', 'other')", name=op.f('ck_training_classes_topic_valid')),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_training_classes_dates_ordered')),
    sa.CheckConstraint('hours >= 0', name=op.f('ck_training_classes_hours_nonneg')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_training_classes_closed_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_training_classes_created_by_id_users')),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_training_classes_module_id_modules')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_training_classes_org_unit_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_classes'))
    )
    with op.batch_alter_table('training_classes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_classes_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_classes_module_id'), ['module_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_classes_org_unit_id'), ['org_unit_id'], unique=False)

    op.create_table('class_attendances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('cadre_id', sa.Integer(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('score', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('removed_reason', sa.Text(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('score IS NULL OR (score >= 0 AND score <= 100)', name=op.f('ck_class_attendances_score_range')),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_class_attendances_added_by_id_users')),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_class_attendances_cadre_id_cadres')),
    sa.ForeignKeyConstraint(['class_id'], ['training_classes.id'], name=op.f('fk_class_attendances_class_id_training_classes')),
    sa.ForeignKeyConstraint(['record_id'], ['training_records.id'], name=op.f('fk_class_attendances_record_id_training_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_attendances')),
    sa.UniqueConstraint('class_id', 'cadre_id', name='uq_class_attendances_class_cadre')
    )
    with op.batch_alter_table('class_attendances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_attendances_cadre_id'), ['cadre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_class_attendances_class_id'), ['class_id'], unique=False)


    _create_append_only_triggers()


def downgrade():
    _drop_append_only_triggers()
    with op.batch_alter_table('class_attendances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_attendances_class_id'))
        batch_op.drop_index(batch_op.f('ix_class_attendances_cadre_id'))

    op.drop_table('class_attendances')
    with op.batch_alter_table('training_classes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_classes_org_unit_id'))
        batch_op.drop_index(batch_op.f('ix_training_classes_module_id'))
        batch_op.drop_index(batch_op.f('ix_training_classes_created_by_id'))

    op.drop_table('training_classes')
    with op.batch_alter_table('record_import_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_import_batches_sha256'))

    op.drop_table('record_import_batches')


def _create_append_only_triggers():
    """Refuse UPDATE and DELETE on training_records in the database itself (PostgreSQL).

    On SQLite only UPDATE is refused: the test suite empties tables with DELETE between tests
    (PostgreSQL uses TRUNCATE, which row triggers do not see).
    """
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            """
            CREATE FUNCTION training_records_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'training_records is append-only: append a correction or revocation instead'
                    USING ERRCODE = 'restrict_violation';
            END
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER training_records_append_only BEFORE UPDATE OR DELETE ON training_records "
            "FOR EACH ROW EXECUTE FUNCTION training_records_append_only()"
        )
    elif dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER training_records_no_update BEFORE UPDATE ON training_records "
            "BEGIN SELECT RAISE(ABORT, 'training_records is append-only'); END"
        )


def _drop_append_only_triggers():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS training_records_append_only ON training_records")
        op.execute("DROP FUNCTION IF EXISTS training_records_append_only()")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS training_records_no_update")
