"""reports: plan budgets (kinh phí planned on the plan, amounts spent per day) and the periodic summary
reminder kind

Revision ID: 0770
Revises: 0750
Create Date: 2026-12-04 16:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0770'
down_revision = '0750'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('training_plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('budget_planned', sa.BigInteger(), nullable=False, server_default='0'))
    op.create_table('plan_spendings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('spent_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('note', sa.String(length=255), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_plan_spendings_amount_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_plan_spendings_created_by_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['training_plans.id'], name=op.f('fk_plan_spendings_plan_id_training_plans'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_spendings'))
    )
    op.create_index('ix_plan_spendings_plan_day', 'plan_spendings', ['plan_id', 'spent_on'], unique=False)
    with op.batch_alter_table('reminder_logs', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_reminder_logs_kind_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_reminder_logs_kind_valid'), "kind IN ('cadre', 'digest', 'summary')")


def downgrade():
    op.execute("DELETE FROM reminder_logs WHERE kind = 'summary'")
    with op.batch_alter_table('reminder_logs', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_reminder_logs_kind_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_reminder_logs_kind_valid'), "kind IN ('cadre', 'digest')")
    op.drop_index('ix_plan_spendings_plan_day', table_name='plan_spendings')
    op.drop_table('plan_spendings')
    with op.batch_alter_table('training_plans', schema=None) as batch_op:
        batch_op.drop_column('budget_planned')
