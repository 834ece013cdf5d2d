"""What-if batches: the ``whatif_batches`` table; each variant job's batch, index and
summary row.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('whatif_batches',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('scenario_id', sa.String(length=32), nullable=False),
    sa.Column('base_job_id', sa.String(length=32), nullable=False),
    sa.Column('owner_token_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['scenario_id'], ['scenarios.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('whatif_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_whatif_batches_scenario_id'), ['scenario_id'],
                              unique=False)
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('batch_index', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('batch_summary', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_jobs_batch_id'), ['batch_id'], unique=False)
        batch_op.create_foreign_key('fk_jobs_batch_id_whatif_batches', 'whatif_batches',
                                    ['batch_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_constraint('fk_jobs_batch_id_whatif_batches', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_jobs_batch_id'))
        batch_op.drop_column('batch_summary')
        batch_op.drop_column('batch_index')
        batch_op.drop_column('batch_id')
    with op.batch_alter_table('whatif_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_whatif_batches_scenario_id'))
    op.drop_table('whatif_batches')
