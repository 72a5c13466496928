"""timer leases: a scheduler's claim on a due case (holder, expiry), so M schedulers share the work

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 09:55:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('instance') as batch:
        batch.add_column(sa.Column('lease_holder', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('instance') as batch:
        batch.drop_column('lease_until')
        batch.drop_column('lease_holder')
