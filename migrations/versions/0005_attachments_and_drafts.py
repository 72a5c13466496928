"""attachments (documents uploaded for form fields) and bundle drafts (revisions edited in the browser)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 08:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'attachment',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('jurisdiction_id', sa.String(length=64), nullable=False),
        sa.Column('process_key', sa.String(length=100), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=True),
        sa.Column('task_id', sa.String(length=36), nullable=True),
        sa.Column('field', sa.String(length=200), nullable=False),
        sa.Column('filename', sa.String(length=300), nullable=False),
        sa.Column('media_type', sa.String(length=200), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('storage_key', sa.String(length=300), nullable=False),
        sa.Column('uploaded_by', sa.String(length=64), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('bound_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['instance_id'], ['instance.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_attachment_instance_id', 'attachment', ['instance_id'], unique=False)
    op.create_index('ix_attachment_uploaded_by', 'attachment', ['uploaded_by'], unique=False)
    op.create_table(
        'bundle_draft',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('jurisdiction_id', sa.String(length=64), nullable=False),
        sa.Column('base_bundle_hash', sa.String(length=64), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('files_json', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('validation_json', sa.Text(), nullable=True),
        sa.Column('deployed_bundle_hash', sa.String(length=64), nullable=True),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['base_bundle_hash'], ['bundle.hash']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_bundle_draft_jurisdiction_id', 'bundle_draft', ['jurisdiction_id'], unique=False)


def downgrade():
    op.drop_index('ix_bundle_draft_jurisdiction_id', table_name='bundle_draft')
    op.drop_table('bundle_draft')
    op.drop_index('ix_attachment_uploaded_by', table_name='attachment')
    op.drop_index('ix_attachment_instance_id', table_name='attachment')
    op.drop_table('attachment')
