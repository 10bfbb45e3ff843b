"""invitations: single-use links with which shopkeepers set their password

Revision ID: 4c1a7e9d2b10
Revises: 3f8b2d6c1a90
Create Date: 2026-12-01 14:40:00

Staff invite an address for a shop; only the SHA-256 of the link's token is stored. The
account an invitation created or renews must be one of that shop's: a composite foreign
key onto users (id, shop_id), whose unique constraint comes first. No existing row
needs a value: the table is new, and every user already has at most one shop.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4c1a7e9d2b10'
down_revision = '3f8b2d6c1a90'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_users_id_shop_id'), ['id', 'shop_id'])

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('expires_at > created_at', name=op.f('ck_invitations_expires_after_creation')),
    sa.CheckConstraint('length(token_hash) = 64', name=op.f('ck_invitations_token_hash_sha256')),
    sa.CheckConstraint('used_at IS NULL OR revoked_at IS NULL', name=op.f('ck_invitations_used_or_revoked')),
    sa.CheckConstraint('used_at IS NULL OR user_id IS NOT NULL', name=op.f('ck_invitations_used_names_account')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_invitations_created_by_users')),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_invitations_shop_id_shops')),
    sa.ForeignKeyConstraint(['user_id', 'shop_id'], ['users.id', 'users.shop_id'], name=op.f('fk_invitations_user_id_shop_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitations_token_hash'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_shop_id'), ['shop_id'], unique=False)


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_shop_id'))

    op.drop_table('invitations')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_id_shop_id'), type_='unique')
