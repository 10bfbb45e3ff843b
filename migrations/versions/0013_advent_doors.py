"""advent calendar: images and advent_doors

Revision ID: 7a4e1c0b9d13
Revises: 5d2b8f0e3c21
Create Date: 2026-12-01 18:00:00

Twenty-four doors per rally at most, each opening on a local day, with an optional
picture. Pictures live in their own table (re-encoded without metadata by
app.services.images) so that later content can use them too. New tables only: nothing
of the running rally is touched.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a4e1c0b9d13'
down_revision = '5d2b8f0e3c21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'images',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('mime', sa.String(length=16), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("mime IN ('image/webp', 'image/jpeg', 'image/png')",
                           name=op.f('ck_images_mime_known')),
        sa.CheckConstraint('width > 0 AND height > 0', name=op.f('ck_images_has_size')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_images')),
        sa.UniqueConstraint('sha256', name=op.f('uq_images_sha256')),
    )
    op.create_table(
        'advent_doors',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rally_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('opens_on', sa.Date(), nullable=False),
        sa.Column('title', sa.String(length=120), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('image_id', sa.Integer(), nullable=True),
        sa.Column('image_alt', sa.String(length=200), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=True),
        sa.Column('offer', sa.String(length=300), nullable=False),
        sa.Column('daily_draw', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('number BETWEEN 1 AND 24', name=op.f('ck_advent_doors_number_in_calendar')),
        sa.CheckConstraint('image_id IS NULL OR length(image_alt) > 0',
                           name=op.f('ck_advent_doors_image_has_alt_text')),
        sa.ForeignKeyConstraint(['image_id'], ['images.id'],
                                name=op.f('fk_advent_doors_image_id_images')),
        sa.ForeignKeyConstraint(['rally_id'], ['rallies.id'],
                                name=op.f('fk_advent_doors_rally_id_rallies')),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'],
                                name=op.f('fk_advent_doors_shop_id_shops')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_advent_doors')),
        sa.UniqueConstraint('rally_id', 'number', name=op.f('uq_advent_doors_rally_id_number')),
    )
    op.create_index(op.f('ix_advent_doors_rally_id'), 'advent_doors', ['rally_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_advent_doors_rally_id'), table_name='advent_doors')
    op.drop_table('advent_doors')
    op.drop_table('images')
