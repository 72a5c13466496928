"""task list index: (jurisdiction, role, due order, readiness, unit, assignee, suspended)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 13:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('task_index', schema=None) as batch_op:
        batch_op.drop_index('ix_task_index_role')
    op.create_index('ix_task_index_list', 'task_index',
                    ['jurisdiction_id', 'role', sa.text('(due_at IS NULL)'), 'due_at', 'ready_at',
                     'unit', 'assignee', 'suspended'], unique=False)


def downgrade():
    op.drop_index('ix_task_index_list', table_name='task_index')
    with op.batch_alter_table('task_index', schema=None) as batch_op:
        batch_op.create_index('ix_task_index_role', ['jurisdiction_id', 'role'], unique=False)
