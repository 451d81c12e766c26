"""safety_plan: her plan sealed in two slots (the unused stub replaced), and the copy she may share

Revision ID: 0007_safety_plan
Revises: 0006_plan_checkins

The old safety_plan table was never written by the application: it is dropped, not converted.
"""

from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = "0007_safety_plan"
down_revision = "0006_plan_checkins"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table('safety_plan')
    op.create_table('safety_plan',
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('memory_kib', sa.Integer(), nullable=False),
    sa.Column('time_cost', sa.Integer(), nullable=False),
    sa.Column('parallelism', sa.Integer(), nullable=False),
    sa.Column('salt_0', sa.LargeBinary(), nullable=False),
    sa.Column('wrapped_key_0', sa.LargeBinary(), nullable=False),
    sa.Column('content_0', sa.LargeBinary(), nullable=False),
    sa.Column('salt_1', sa.LargeBinary(), nullable=False),
    sa.Column('wrapped_key_1', sa.LargeBinary(), nullable=False),
    sa.Column('content_1', sa.LargeBinary(), nullable=False),
    sa.Column('wrong_tries', sa.Integer(), nullable=False),
    sa.Column('wait_until', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partner_contact.id'], name=op.f('fk_safety_plan_partner_id_partner_contact')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_plan')),
    sa.UniqueConstraint('partner_id', name=op.f('uq_safety_plan_partner_id'))
    )
    op.create_table('safety_plan_share',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('content_ct', sa.LargeBinary(), nullable=True),
    sa.Column('shared_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['safety_plan.id'], name=op.f('fk_safety_plan_share_plan_id_safety_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_plan_share')),
    sa.UniqueConstraint('plan_id', 'slot', name=op.f('uq_safety_plan_share_plan_id_slot'))
    )
    with op.batch_alter_table('safety_plan_share', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safety_plan_share_plan_id'), ['plan_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('safety_plan_share', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safety_plan_share_plan_id'))
    op.drop_table('safety_plan_share')
    op.drop_table('safety_plan')
    op.create_table('safety_plan',
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('salt', sa.LargeBinary(), nullable=False),
    sa.Column('time_cost', sa.Integer(), nullable=False),
    sa.Column('memory_kib', sa.Integer(), nullable=False),
    sa.Column('parallelism', sa.Integer(), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.Column('updated_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partner_contact.id'], name=op.f('fk_safety_plan_partner_id_partner_contact')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_plan')),
    sa.UniqueConstraint('partner_id', name=op.f('uq_safety_plan_partner_id'))
    )
