"""login throttle: refused logins kept for the throttling window (per username and address)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 10:05:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_failure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=150), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_login_failure_username', 'login_failure', ['username'])
    op.create_index('ix_login_failure_address', 'login_failure', ['address'])
    op.create_index('ix_login_failure_at', 'login_failure', ['at'])


def downgrade():
    op.drop_table('login_failure')
