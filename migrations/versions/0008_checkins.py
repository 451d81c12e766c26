"""checkins: her own check-ins, the check-in days she agreed with her worker, and the agreed days she missed

Revision ID: 0008_checkins
Revises: 0007_safety_plan

New tables only (no change to an existing table), so it can be re-chained after another revision.
"""

from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = "0008_checkins"
down_revision = "0007_safety_plan"
branch_labels = None
depends_on = None

FEELINGS = ('not_at_all', 'not_very', 'in_between', 'mostly', 'safe')
ACTOR_KINDS = ('staff', 'partner', 'api', 'system', 'sms')


def _one_of(column: str, codes: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(repr(code) for code in codes) + ")"


def upgrade() -> None:
    op.create_table('her_checkin',
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('feeling', sa.String(length=20), nullable=False),
    sa.Column('worse', sa.Boolean(), nullable=False),
    sa.Column('changed_ct', sa.LargeBinary(), nullable=True),
    sa.Column('task_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint(_one_of('feeling', FEELINGS), name=op.f('ck_her_checkin_feeling')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner_contact.id'], name=op.f('fk_her_checkin_partner_id_partner_contact')),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_her_checkin_task_id_task')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_her_checkin'))
    )
    with op.batch_alter_table('her_checkin', schema=None) as batch_op:
        batch_op.create_index('ix_her_checkin_partner_created', ['partner_id', 'created_at'], unique=False)

    op.create_table('agreed_checkin',
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('weekdays', sa.Integer(), nullable=False),
    sa.Column('ends_with_period', sa.Boolean(), nullable=False),
    sa.Column('changed_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.String(length=20), nullable=False),
    sa.Column('changed_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint(_one_of('changed_by', ACTOR_KINDS), name=op.f('ck_agreed_checkin_changed_by')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['staff_user.id'], name=op.f('fk_agreed_checkin_changed_by_id_staff_user')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner_contact.id'], name=op.f('fk_agreed_checkin_partner_id_partner_contact')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreed_checkin')),
    sa.UniqueConstraint('partner_id', name=op.f('uq_agreed_checkin_partner_id'))
    )

    op.create_table('agreed_checkin_missed',
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('day_start', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('task_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partner_contact.id'], name=op.f('fk_agreed_checkin_missed_partner_id_partner_contact')),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_agreed_checkin_missed_task_id_task')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreed_checkin_missed')),
    sa.UniqueConstraint('partner_id', 'day_start', name=op.f('uq_agreed_checkin_missed_partner_id_day_start'))
    )
    with op.batch_alter_table('agreed_checkin_missed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreed_checkin_missed_partner_id'), ['partner_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('agreed_checkin_missed', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreed_checkin_missed_partner_id'))
    op.drop_table('agreed_checkin_missed')
    op.drop_table('agreed_checkin')
    with op.batch_alter_table('her_checkin', schema=None) as batch_op:
        batch_op.drop_index('ix_her_checkin_partner_created')
    op.drop_table('her_checkin')
