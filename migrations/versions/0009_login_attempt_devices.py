"""login_attempts.device: failed logins from a trusted device cookie count against it

Revision ID: 3f8b2d6c1a90
Revises: 3f6b2d8e1a70
Create Date: 2026-12-01 12:00:00

OWASP's device cookies: a browser that logged in before carries a signed cookie, and its
failed logins count against that cookie instead of the account, so that a stranger's
guesses lock out untrusted clients only. Existing attempts came from untrusted clients
(no device cookie existed), which is what NULL says.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f8b2d6c1a90'
down_revision = '3f6b2d8e1a70'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_login_attempts_device_at', ['device', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_device_at')
        batch_op.drop_column('device')
