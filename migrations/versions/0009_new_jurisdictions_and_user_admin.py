"""new jurisdictions drafted from nothing (a draft with no base bundle) and accounts an
administrator can deactivate

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 00:30:00

A draft of a jurisdiction that does not exist yet has no bundle it was copied from, so its
base_bundle_hash is empty. A deactivated account keeps its name on every record it signed but
can no longer log in.
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bundle_draft') as batch:
        batch.alter_column('base_bundle_hash', existing_type=sa.String(length=64), nullable=True)
    with op.batch_alter_table('app_user') as batch:
        batch.add_column(sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False))


def downgrade():
    with op.batch_alter_table('app_user') as batch:
        batch.drop_column('active')
    op.execute("DELETE FROM bundle_draft WHERE base_bundle_hash IS NULL")
    with op.batch_alter_table('bundle_draft') as batch:
        batch.alter_column('base_bundle_hash', existing_type=sa.String(length=64), nullable=False)
