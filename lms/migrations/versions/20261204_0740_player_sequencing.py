"""player: SCORM 2004 sequencing state per attempt (activity tree) and the learner's global objectives

Revision ID: 0740
Revises: 0730
Create Date: 2026-12-04 16:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0740'
down_revision = '0730'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('player_sequencing_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('tree', sa.Text(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('current_activity', sa.String(length=255), nullable=True),
    sa.Column('suspended_activity', sa.String(length=255), nullable=True),
    sa.Column('root_completion', sa.String(length=16), nullable=False),
    sa.Column('root_success', sa.String(length=16), nullable=False),
    sa.Column('root_measure', sa.Float(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('seq >= 0', name=op.f('ck_player_sequencing_states_seq_nonneg')),
    sa.ForeignKeyConstraint(['attempt_id'], ['player_attempts.id'],
                            name=op.f('fk_player_sequencing_states_attempt_id_player_attempts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_player_sequencing_states')),
    sa.UniqueConstraint('attempt_id', name=op.f('uq_player_sequencing_states_attempt_id'))
    )
    op.create_table('player_global_objectives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cadre_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=4000), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_player_global_objectives_cadre_id_cadres'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_player_global_objectives')),
    sa.UniqueConstraint('cadre_id', 'key', name='uq_player_global_objectives_cadre_key')
    )


def downgrade():
    op.drop_table('player_global_objectives')
    op.drop_table('player_sequencing_states')
