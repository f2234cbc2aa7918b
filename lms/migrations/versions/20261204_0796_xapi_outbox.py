"""xapi: the outbox of statements for the LRS

Revision ID: 0796
Revises: 0795
Create Date: 2026-12-04 17:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0796'
down_revision = '0795'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('xapi_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('verb', sa.String(length=255), nullable=False),
    sa.Column('statement', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('next_try_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f('ck_xapi_outbox_status_valid')),
    sa.ForeignKeyConstraint(['record_id'], ['training_records.id'], name=op.f('fk_xapi_outbox_record_id_training_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_xapi_outbox')),
    sa.UniqueConstraint('statement_id', name=op.f('uq_xapi_outbox_statement_id'))
    )
    with op.batch_alter_table('xapi_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_xapi_outbox_status_next', ['status', 'next_try_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_xapi_outbox_record_id'), ['record_id'], unique=False)


def downgrade():
    op.drop_table('xapi_outbox')
