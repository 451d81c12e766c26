"""risk note: her worker's note to his programme, with her agreement; the agency kind "programme"

Revision ID: 0013_risk_note
Revises: 0012_marac

A new table, and one more code in the agency CHECK of her sharing ledger and of child-protection referrals (on
SQLite a CHECK change rebuilds those two tables; portal/migrate runs it with foreign keys off and checks them
before commit).
"""

from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = '0013_risk_note'
down_revision = '0012_marac'
branch_labels = None
depends_on = None

OLD_AGENCIES = ('childrens_services', 'police', 'health', 'education', 'housing', 'risk_conference', 'probation',
                'other')
NEW_AGENCIES = OLD_AGENCIES + ('programme',)
AGENCY_TABLES = ('sharing_consent_event', 'child_protection_referral')


def _agencies(codes: tuple[str, ...]) -> str:
    return "agency IN (" + ", ".join(repr(code) for code in codes) + ")"


def _agency_check(codes: tuple[str, ...]) -> None:
    for table in AGENCY_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'ck_{table}_agency'), type_='check')
            batch_op.create_check_constraint('agency', _agencies(codes))


def upgrade() -> None:
    _agency_check(NEW_AGENCIES)
    op.create_table('risk_note',
    sa.Column('participant_id', sa.Uuid(), nullable=False),
    sa.Column('programme_id', sa.Uuid(), nullable=False),
    sa.Column('text_ct', sa.LargeBinary(), nullable=True),
    sa.Column('sent_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('consent_entry_id', sa.Uuid(), nullable=True),
    sa.Column('sent_by_id', sa.Uuid(), nullable=True),
    sa.Column('withdrawn_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['consent_entry_id'], ['sharing_consent_event.id'], name=op.f('fk_risk_note_consent_entry_id_sharing_consent_event')),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_risk_note_participant_id_participant')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner_contact.id'], name=op.f('fk_risk_note_partner_id_partner_contact')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_risk_note_programme_id_programme')),
    sa.ForeignKeyConstraint(['sent_by_id'], ['staff_user.id'], name=op.f('fk_risk_note_sent_by_id_staff_user')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['staff_user.id'], name=op.f('fk_risk_note_withdrawn_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_note'))
    )
    with op.batch_alter_table('risk_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_note_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_note_partner_id'), ['partner_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('risk_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_note_partner_id'))
        batch_op.drop_index(batch_op.f('ix_risk_note_participant_id'))
    op.drop_table('risk_note')
    # Entries and referrals naming his programme cannot stay under the old CHECK.
    op.execute("UPDATE child_protection_referral SET consent_entry_id = NULL WHERE consent_entry_id IN "
               "(SELECT id FROM sharing_consent_event WHERE agency = 'programme')")
    op.execute("DELETE FROM child_protection_referral WHERE agency = 'programme'")
    op.execute("DELETE FROM sharing_consent_event WHERE agency = 'programme'")
    _agency_check(OLD_AGENCIES)
