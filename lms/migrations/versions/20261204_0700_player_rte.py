"""player: learner attempts per SCO (sco_attempt, prior_seconds), refused elements, suspendAll position,
shared data buckets (adl.data)

Revision ID: 0700
Revises: 0600
Create Date: 2026-12-04 13:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0700'
down_revision = '0600'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('player_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspended_sco', sa.String(length=255), nullable=True))
    with op.batch_alter_table('player_sco_states', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sco_attempt', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('prior_seconds', sa.Numeric(precision=12, scale=2), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('refused', sa.JSON(), nullable=True))
    op.create_table('player_shared_data',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cadre_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=4000), nullable=False),
    sa.Column('store', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_player_shared_data_cadre_id_cadres'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_player_shared_data')),
    sa.UniqueConstraint('cadre_id', 'key', name='uq_player_shared_data_cadre_key')
    )


def downgrade():
    op.drop_table('player_shared_data')
    with op.batch_alter_table('player_sco_states', schema=None) as batch_op:
        batch_op.drop_column('refused')
        batch_op.drop_column('prior_seconds')
        batch_op.drop_column('sco_attempt')
    with op.batch_alter_table('player_attempts', schema=None) as batch_op:
        batch_op.drop_column('suspended_sco')
