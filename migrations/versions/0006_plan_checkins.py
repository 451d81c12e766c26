"""plan_checkins: the task kinds of her sealed plan's duress path and of her check-ins; texts held after duress

Revision ID: 0006_plan_checkins
Revises: 0005_consoleforms

On SQLite the CHECK change rebuilds the task table; migrations/env.py turns foreign keys off for it (SQLite's
documented procedure) and checks them before the migration commits.
"""

from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = "0006_plan_checkins"
down_revision = "0005_consoleforms"
branch_labels = None
depends_on = None

OLD_TASK_KINDS = ('event_dropout', 'event_suspended', 'event_completed', 'event_programme_ended',
                  'event_attendance_concern', 'event_risk', 'consent_withdrawn_contact', 'consent_withdrawn_sms',
                  'consent_declined_web', 'her_less_safe', 'her_separation', 'message_not_delivered',
                  'message_not_sent', 'pin_locked', 'sms_help', 'sms_free_text', 'sms_stop_like', 'sms_opt_in',
                  'escalation', 'high_risk_checkin', 'safe_times_needed')
NEW_KINDS = ('plan_duress', 'her_checkin_concern', 'agreed_checkin_missed')


def _kinds(kinds: tuple[str, ...]) -> str:
    return "kind IN (" + ", ".join(repr(kind) for kind in kinds) + ")"


def upgrade() -> None:
    op.add_column('partner_contact', sa.Column('texts_held_since', portal.models.base.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('released_at', portal.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_task_kind'), type_='check')
        batch_op.create_check_constraint('kind', _kinds(OLD_TASK_KINDS + NEW_KINDS))


def downgrade() -> None:
    kinds = ", ".join(repr(kind) for kind in NEW_KINDS)
    op.execute(f"UPDATE task SET escalated_from_id = NULL WHERE escalated_from_id IN "
               f"(SELECT id FROM task WHERE kind IN ({kinds}))")
    op.execute(f"DELETE FROM task WHERE kind IN ({kinds})")
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_task_kind'), type_='check')
        batch_op.create_check_constraint('kind', _kinds(OLD_TASK_KINDS))
        batch_op.drop_column('released_at')
    op.drop_column('partner_contact', 'texts_held_since')
