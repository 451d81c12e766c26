"""promises: her high-risk period and its check-ins, raised tasks, checking once after a texted STOP

Revision ID: 0002_promises
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = "0002_promises"
down_revision = "0001"
branch_labels = None
depends_on = None

OLD_TASK_KINDS = ('event_dropout', 'event_suspended', 'event_completed', 'event_programme_ended',
                  'event_attendance_concern', 'event_risk', 'consent_withdrawn_contact', 'consent_withdrawn_sms',
                  'consent_declined_web', 'her_less_safe', 'her_separation', 'message_not_delivered',
                  'message_not_sent', 'pin_locked', 'sms_help', 'sms_free_text', 'sms_stop_like', 'sms_opt_in',
                  'escalation')
# safe_times_needed (revision 0005's) is added here too: on SQLite a CHECK change rebuilds the task table, which
# a later revision cannot do once high_risk_checkin rows point at tasks.
NEW_TASK_KINDS = OLD_TASK_KINDS + ('high_risk_checkin', 'safe_times_needed')


def _kinds(kinds: tuple[str, ...]) -> str:
    return "kind IN (" + ", ".join(repr(kind) for kind in kinds) + ")"


def upgrade() -> None:
    # Plain ADD/DROP COLUMN (SQLite has both natively): recreating her table would trip the foreign keys to it.
    op.add_column('partner_contact', sa.Column('high_risk_from', portal.models.base.UTCDateTime(timezone=True), nullable=True))
    op.add_column('partner_contact', sa.Column('checkin_every_days', sa.Integer(), nullable=True))
    op.add_column('preferences', sa.Column('check_after_stop', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('raised_high_risk', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('check_once_allowed', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.drop_constraint(batch_op.f('ck_task_kind'), type_='check')
        batch_op.create_check_constraint('kind', _kinds(NEW_TASK_KINDS))
    op.create_table('high_risk_checkin',
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('slot_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('task_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partner_contact.id'], name=op.f('fk_high_risk_checkin_partner_id_partner_contact')),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_high_risk_checkin_task_id_task')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_high_risk_checkin')),
    sa.UniqueConstraint('partner_id', 'slot_at', name=op.f('uq_high_risk_checkin_partner_id_slot_at'))
    )
    with op.batch_alter_table('high_risk_checkin', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_high_risk_checkin_partner_id'), ['partner_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('high_risk_checkin', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_high_risk_checkin_partner_id'))
    op.drop_table('high_risk_checkin')
    op.execute("DELETE FROM task WHERE kind IN ('high_risk_checkin', 'safe_times_needed')")
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_task_kind'), type_='check')
        batch_op.create_check_constraint('kind', _kinds(OLD_TASK_KINDS))
        batch_op.drop_column('check_once_allowed')
        batch_op.drop_column('raised_high_risk')
    op.drop_column('preferences', 'check_after_stop')
    op.drop_column('partner_contact', 'checkin_every_days')
    op.drop_column('partner_contact', 'high_risk_from')
