"""lti: LTI 1.3 platforms, tool keys, platform identities, resource-link launches, OIDC state store

Revision ID: 0790
Revises: 0780
Create Date: 2026-12-04 16:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0790'
down_revision = '0780'
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade():
    op.create_table('lti_platforms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=False),
    sa.Column('deployment_ids', sa.Text(), nullable=False),
    sa.Column('auth_login_url', sa.String(length=1024), nullable=False),
    sa.Column('auth_token_url', sa.String(length=1024), nullable=False),
    sa.Column('key_set_url', sa.String(length=1024), nullable=False),
    sa.Column('auth_audience', sa.String(length=1024), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', TZ, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_platforms')),
    sa.UniqueConstraint('issuer', 'client_id', name='uq_lti_platforms_issuer_client'))
    op.create_table('lti_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('private_key_encrypted', sa.Text(), nullable=False),
    sa.Column('public_jwk', sa.JSON(), nullable=False),
    sa.Column('created_at', TZ, nullable=False),
    sa.Column('retired_at', TZ, nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_keys')),
    sa.UniqueConstraint('kid', name=op.f('uq_lti_keys_kid')))
    op.create_table('lti_identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('sub', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('cadre_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('linked_at', TZ, nullable=True),
    sa.Column('created_at', TZ, nullable=False),
    sa.Column('last_launch_at', TZ, nullable=True),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'], name=op.f('fk_lti_identities_platform_id_lti_platforms')),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_lti_identities_cadre_id_cadres')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lti_identities_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_identities')),
    sa.UniqueConstraint('platform_id', 'sub', name='uq_lti_identities_platform_sub'))
    op.create_index(op.f('ix_lti_identities_cadre_id'), 'lti_identities', ['cadre_id'])
    op.create_table('lti_launches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('identity_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=True),
    sa.Column('context_id', sa.String(length=255), nullable=False),
    sa.Column('context_title', sa.String(length=255), nullable=False),
    sa.Column('resource_link_id', sa.String(length=255), nullable=False),
    sa.Column('lineitem_url', sa.String(length=1024), nullable=True),
    sa.Column('ags_scopes', sa.Text(), nullable=False),
    sa.Column('memberships_url', sa.String(length=1024), nullable=True),
    sa.Column('score_status', sa.String(length=16), nullable=False),
    sa.Column('score_sent_at', TZ, nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', TZ, nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'], name=op.f('fk_lti_launches_platform_id_lti_platforms')),
    sa.ForeignKeyConstraint(['identity_id'], ['lti_identities.id'], name=op.f('fk_lti_launches_identity_id_lti_identities')),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_lti_launches_module_id_modules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_launches')))
    op.create_index('ix_lti_launches_attempt', 'lti_launches', ['attempt_id'])
    op.create_table('lti_store',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('expires_at', TZ, nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_lti_store')))
    op.create_index(op.f('ix_lti_store_expires_at'), 'lti_store', ['expires_at'])


def downgrade():
    op.drop_index(op.f('ix_lti_store_expires_at'), table_name='lti_store')
    op.drop_table('lti_store')
    op.drop_index('ix_lti_launches_attempt', table_name='lti_launches')
    op.drop_table('lti_launches')
    op.drop_index(op.f('ix_lti_identities_cadre_id'), table_name='lti_identities')
    op.drop_table('lti_identities')
    op.drop_table('lti_keys')
    op.drop_table('lti_platforms')
