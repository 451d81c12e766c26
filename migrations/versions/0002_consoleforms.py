"""consoleforms: a staff member's own time zone; the "set her safe times" task kind

Revision ID: 0002_consoleforms
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa


revision = "0002_consoleforms"
down_revision = "0001"
branch_labels = None
depends_on = None

KINDS_BEFORE = (
    "event_dropout", "event_suspended", "event_completed", "event_programme_ended", "event_attendance_concern",
    "event_risk", "consent_withdrawn_contact", "consent_withdrawn_sms", "consent_declined_web", "her_less_safe",
    "her_separation", "message_not_delivered", "message_not_sent", "pin_locked", "sms_help", "sms_free_text",
    "sms_stop_like", "sms_opt_in", "escalation",
)
KINDS_AFTER = KINDS_BEFORE + ("safe_times_needed",)


def _kind_check(kinds: tuple[str, ...]) -> str:
    return "kind IN (" + ", ".join(repr(kind) for kind in kinds) + ")"


def upgrade() -> None:
    # A plain ALTER TABLE on both databases: rebuilding staff_user on SQLite would trip the many keys to it.
    op.add_column("staff_user", sa.Column("timezone", sa.String(length=64), nullable=True))
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_task_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_task_kind"), _kind_check(KINDS_AFTER))


def downgrade() -> None:
    op.execute("DELETE FROM task WHERE kind = 'safe_times_needed'")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_task_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_task_kind"), _kind_check(KINDS_BEFORE))
    op.drop_column("staff_user", "timezone")  # SQLite 3.35+ drops a column in place
