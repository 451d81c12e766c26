"""evaluation: her optional stage questionnaires (WWP EN B.6), each programme's stage timing, his programme dates

Revision ID: 0014_evaluation
Revises: 0013_risk_note

Two new tables (a programme's stage plan; each stage's offer to her), two dates on a participant, her yes to
evaluation questions on her record (off; the ledger holds each change), and the
questionnaire table made usable (which offer, which item set, who recorded it; one answer per stage). The old
stage codes of the empty questionnaire table are mapped (start -> intake, follow_up -> after_6). One more code
in the CHECKs of consent scopes (evaluation), task kinds (evaluation_by_phone) and notification kinds
(evaluation).
"""

from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = '0014_evaluation'
down_revision = '0013_risk_note'
branch_labels = None
depends_on = None

STAGES = ('intake', 'middle', 'end', 'after_6', 'after_12')
OLD_TASK_KINDS = ('event_dropout', 'event_suspended', 'event_completed', 'event_programme_ended',
                  'event_attendance_concern', 'event_risk', 'consent_withdrawn_contact', 'consent_withdrawn_sms',
                  'consent_declined_web', 'her_less_safe', 'her_separation', 'message_not_delivered',
                  'message_not_sent', 'pin_locked', 'sms_help', 'sms_free_text', 'sms_stop_like', 'sms_opt_in',
                  'escalation', 'high_risk_checkin', 'safe_times_needed', 'plan_duress', 'her_checkin_concern',
                  'agreed_checkin_missed')
OLD_SCOPES = ('contact', 'sms')
OLD_NOTIFICATION_KINDS = ('invite', 'warning', 'confirmation', 'help')
# (table, column, codes before, the code this revision adds)
CODE_CHECKS = (('task', 'kind', OLD_TASK_KINDS, 'evaluation_by_phone'),
               ('consent_event', 'scope', OLD_SCOPES, 'evaluation'),
               ('notification', 'kind', OLD_NOTIFICATION_KINDS, 'evaluation'))


def _one_of(column: str, codes: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(repr(code) for code in codes) + ")"


def _code_checks(with_new: bool) -> None:
    for table, column, codes, new in CODE_CHECKS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'ck_{table}_{column}'), type_='check')
            batch_op.create_check_constraint(column, _one_of(column, codes + ((new,) if with_new else ())))


def upgrade() -> None:
    _code_checks(with_new=True)
    op.create_table('evaluation_stage_plan',
    sa.Column('programme_id', sa.Uuid(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('anchor', sa.String(length=20), nullable=False),
    sa.Column('offset_days', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('updated_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("anchor IN ('start', 'middle', 'end')", name=op.f('ck_evaluation_stage_plan_anchor')),
    sa.CheckConstraint(_one_of('stage', STAGES), name=op.f('ck_evaluation_stage_plan_stage')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_evaluation_stage_plan_programme_id_programme')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['staff_user.id'], name=op.f('fk_evaluation_stage_plan_updated_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_stage_plan')),
    sa.UniqueConstraint('programme_id', 'stage', name=op.f('uq_evaluation_stage_plan_programme_id_stage'))
    )
    with op.batch_alter_table('evaluation_stage_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_stage_plan_programme_id'), ['programme_id'], unique=False)

    op.create_table('evaluation_offer',
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('programme_id', sa.Uuid(), nullable=False),
    sa.Column('participant_id', sa.Uuid(), nullable=True),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('offered_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('task_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint(_one_of('stage', STAGES), name=op.f('ck_evaluation_offer_stage')),
    sa.CheckConstraint("state IN ('pending', 'offered', 'answered', 'skipped', 'cancelled', 'expired')", name=op.f('ck_evaluation_offer_state')),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_evaluation_offer_participant_id_participant')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner_contact.id'], name=op.f('fk_evaluation_offer_partner_id_partner_contact')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_evaluation_offer_programme_id_programme')),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_evaluation_offer_task_id_task')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_offer')),
    sa.UniqueConstraint('partner_id', 'programme_id', 'stage', name=op.f('uq_evaluation_offer_partner_id_programme_id_stage'))
    )
    with op.batch_alter_table('evaluation_offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_offer_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_offer_programme_id'), ['programme_id'], unique=False)

    with op.batch_alter_table('partner_contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evaluation_yes', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('started_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('expected_end_on', sa.Date(), nullable=True))

    op.execute("UPDATE questionnaire_response SET stage = 'intake' WHERE stage = 'start'")
    op.execute("UPDATE questionnaire_response SET stage = 'after_6' WHERE stage = 'follow_up'")
    with op.batch_alter_table('questionnaire_response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offer_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('items_id', sa.String(length=40), nullable=False, server_default='starter'))
        batch_op.add_column(sa.Column('items_version', sa.String(length=40), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('recorded_by', sa.String(length=20), nullable=False, server_default='her'))
        batch_op.add_column(sa.Column('recorded_by_id', sa.Uuid(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_questionnaire_response_partner_id_programme_id_stage'), ['partner_id', 'programme_id', 'stage'])
        batch_op.create_foreign_key(batch_op.f('fk_questionnaire_response_recorded_by_id_staff_user'), 'staff_user', ['recorded_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_questionnaire_response_offer_id_evaluation_offer'), 'evaluation_offer', ['offer_id'], ['id'])
        batch_op.create_check_constraint('stage', _one_of('stage', STAGES))
        batch_op.create_check_constraint('recorded_by', "recorded_by IN ('her', 'worker_phone')")


def downgrade() -> None:
    with op.batch_alter_table('questionnaire_response', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_questionnaire_response_recorded_by'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_questionnaire_response_stage'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_questionnaire_response_offer_id_evaluation_offer'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_questionnaire_response_recorded_by_id_staff_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_questionnaire_response_partner_id_programme_id_stage'), type_='unique')
        batch_op.drop_column('recorded_by_id')
        batch_op.drop_column('recorded_by')
        batch_op.drop_column('items_version')
        batch_op.drop_column('items_id')
        batch_op.drop_column('offer_id')

    with op.batch_alter_table('partner_contact', schema=None) as batch_op:
        batch_op.drop_column('evaluation_yes')
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_column('expected_end_on')
        batch_op.drop_column('started_on')

    with op.batch_alter_table('evaluation_offer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_offer_programme_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_offer_partner_id'))
    op.drop_table('evaluation_offer')
    with op.batch_alter_table('evaluation_stage_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_stage_plan_programme_id'))
    op.drop_table('evaluation_stage_plan')

    # Rows with this revision's codes cannot stay under the old CHECKs; what points at them lets go first.
    for table, column in (('her_checkin', 'task_id'), ('agreed_checkin_missed', 'task_id'),
                          ('high_risk_checkin', 'task_id'), ('child_protection_referral', 'source_task_id')):
        op.execute(f"UPDATE {table} SET {column} = NULL WHERE {column} IN "
                   "(SELECT id FROM task WHERE kind = 'evaluation_by_phone')")
    op.execute("UPDATE task SET escalated_from_id = NULL WHERE escalated_from_id IN "
               "(SELECT id FROM task WHERE kind = 'evaluation_by_phone')")
    op.execute("DELETE FROM task WHERE kind = 'evaluation_by_phone'")
    op.execute("UPDATE task SET notification_id = NULL WHERE notification_id IN "
               "(SELECT id FROM notification WHERE kind = 'evaluation')")
    op.execute("DELETE FROM notification WHERE kind = 'evaluation'")
    op.execute("DELETE FROM consent_event WHERE scope = 'evaluation'")
    _code_checks(with_new=False)
