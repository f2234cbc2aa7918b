"""xapi: cmi5 courses, AUs, registrations, AU states and launch sessions

Revision ID: 0797
Revises: 0796
Create Date: 2026-12-04 18:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0797'
down_revision = '0796'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cmi5_courses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('course_iri', sa.Text(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['package_versions.id'], name=op.f('fk_cmi5_courses_version_id_package_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cmi5_courses')),
    sa.UniqueConstraint('version_id', name=op.f('uq_cmi5_courses_version_id'))
    )
    op.create_table('cmi5_aus',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('au_iri', sa.Text(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('move_on', sa.String(length=32), nullable=False),
    sa.Column('mastery_score', sa.Float(), nullable=True),
    sa.Column('launch_method', sa.String(length=16), nullable=False),
    sa.Column('launch_parameters', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['cmi5_courses.id'], name=op.f('fk_cmi5_aus_course_id_cmi5_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cmi5_aus')),
    sa.UniqueConstraint('course_id', 'position', name='uq_cmi5_aus_course_position')
    )
    op.create_index(op.f('ix_cmi5_aus_course_id'), 'cmi5_aus', ['course_id'], unique=False)
    op.create_table('cmi5_registrations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('cadre_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('satisfied_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_cmi5_registrations_cadre_id_cadres')),
    sa.ForeignKeyConstraint(['course_id'], ['cmi5_courses.id'], name=op.f('fk_cmi5_registrations_course_id_cmi5_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cmi5_registrations')),
    sa.UniqueConstraint('course_id', 'cadre_id', name='uq_cmi5_registrations_course_cadre')
    )
    op.create_index(op.f('ix_cmi5_registrations_cadre_id'), 'cmi5_registrations', ['cadre_id'], unique=False)
    op.create_index(op.f('ix_cmi5_registrations_course_id'), 'cmi5_registrations', ['course_id'], unique=False)
    op.create_table('cmi5_au_states',
    sa.Column('registration_id', sa.String(length=36), nullable=False),
    sa.Column('au_id', sa.Integer(), nullable=False),
    sa.Column('completed', sa.Boolean(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('failed', sa.Boolean(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('satisfied_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['au_id'], ['cmi5_aus.id'], name=op.f('fk_cmi5_au_states_au_id_cmi5_aus'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['cmi5_registrations.id'], name=op.f('fk_cmi5_au_states_registration_id_cmi5_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('registration_id', 'au_id', name=op.f('pk_cmi5_au_states'))
    )
    op.create_table('cmi5_sessions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('registration_id', sa.String(length=36), nullable=False),
    sa.Column('au_id', sa.Integer(), nullable=False),
    sa.Column('fetch_hash', sa.String(length=64), nullable=False),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('auth_hash', sa.String(length=64), nullable=False),
    sa.Column('launch_data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('terminated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['au_id'], ['cmi5_aus.id'], name=op.f('fk_cmi5_sessions_au_id_cmi5_aus'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['cmi5_registrations.id'], name=op.f('fk_cmi5_sessions_registration_id_cmi5_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cmi5_sessions')),
    sa.UniqueConstraint('auth_hash', name=op.f('uq_cmi5_sessions_auth_hash')),
    sa.UniqueConstraint('fetch_hash', name=op.f('uq_cmi5_sessions_fetch_hash'))
    )
    op.create_index(op.f('ix_cmi5_sessions_registration_id'), 'cmi5_sessions', ['registration_id'], unique=False)


def downgrade():
    op.drop_table('cmi5_sessions')
    op.drop_table('cmi5_au_states')
    op.drop_table('cmi5_registrations')
    op.drop_table('cmi5_aus')
    op.drop_table('cmi5_courses')
