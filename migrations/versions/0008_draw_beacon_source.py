"""draws: the beacon named at sealing (drand chain, round, due time) and a seal reason

Revision ID: 3f6b2d8e1a70
Revises: 5b8e3f1c7a20
Create Date: 2026-11-26 10:00:00

A draw's operator knows the seed from sealing on; a beacon value typed in at the run
could be picked to suit. The source is now fixed at sealing: a drand round due after the
seal, whose published value the run must take. Draws sealed before this revision named
no beacon: their three beacon columns stay NULL, and they keep whatever beacon_hex they
have. A final draw sealed before entries close needs a reason; older draws have none ('').
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f6b2d8e1a70'
down_revision = '5b8e3f1c7a20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('draws', schema=None) as batch_op:
        batch_op.add_column(sa.Column('beacon_chain', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('beacon_round', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('beacon_due_at', sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column('seal_reason', sa.String(length=500), server_default='', nullable=False)
        )
        batch_op.create_check_constraint(
            op.f('ck_draws_beacon_chain_known'),
            "beacon_chain IS NULL OR beacon_chain IN ('default', 'quicknet')",
        )
        batch_op.create_check_constraint(
            op.f('ck_draws_beacon_named_before_due'),
            "(beacon_chain IS NULL AND beacon_round IS NULL AND beacon_due_at IS NULL)"
            " OR (beacon_chain IS NOT NULL AND beacon_round IS NOT NULL"
            " AND beacon_due_at IS NOT NULL AND beacon_due_at > sealed_at)",
        )
        batch_op.create_check_constraint(
            op.f('ck_draws_run_takes_named_beacon'),
            "status <> 'run' OR beacon_chain IS NULL OR beacon_hex IS NOT NULL",
        )


def downgrade():
    with op.batch_alter_table('draws', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_draws_run_takes_named_beacon'), type_='check')
        batch_op.drop_constraint(op.f('ck_draws_beacon_named_before_due'), type_='check')
        batch_op.drop_constraint(op.f('ck_draws_beacon_chain_known'), type_='check')
        batch_op.drop_column('seal_reason')
        batch_op.drop_column('beacon_due_at')
        batch_op.drop_column('beacon_round')
        batch_op.drop_column('beacon_chain')
