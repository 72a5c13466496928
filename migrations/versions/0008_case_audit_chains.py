"""case audit chains: a case's entries chain on their own, headed on the instance row

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 12:00:00

Entries already written stay in the global chain (case_chain false). Downgrading drops the
case heads: the older code's `audit verify` then reports the per-case entries as breaks in
its single chain, since they were never linked into it.
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('instance') as batch:
        batch.add_column(sa.Column('audit_last_hash', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('audit_count', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('audit_entry') as batch:
        batch.add_column(sa.Column('case_chain', sa.Boolean(), server_default=sa.text('false'),
                                   nullable=False))


def downgrade():
    with op.batch_alter_table('audit_entry') as batch:
        batch.drop_column('case_chain')
    with op.batch_alter_table('instance') as batch:
        batch.drop_column('audit_count')
        batch.drop_column('audit_last_hash')
