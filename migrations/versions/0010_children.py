"""children: her children, child-protection referrals, her information-sharing ledger; her safe address and new number

Revision ID: 0010_children
Revises: 0009_risk

New tables only, and two plain nullable columns on partner_contact (no table rebuild, no CHECK change on an
existing table), so the integrator can re-chain it after other revisions.
"""

from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = '0010_children'
down_revision = '0009_risk'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('child_record',
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('first_name_ct', sa.LargeBinary(), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('school_ct', sa.LargeBinary(), nullable=True),
    sa.Column('details_ct', sa.LargeBinary(), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_user.id'], name=op.f('fk_child_record_created_by_id_staff_user')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner_contact.id'], name=op.f('fk_child_record_partner_id_partner_contact')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_child_record'))
    )
    with op.batch_alter_table('child_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_child_record_partner_id'), ['partner_id'], unique=False)

    op.create_table('sharing_consent_event',
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('agency', sa.String(length=30), nullable=False),
    sa.Column('agency_name_ct', sa.LargeBinary(), nullable=True),
    sa.Column('information', sa.String(length=200), nullable=True),
    sa.Column('basis', sa.String(length=30), nullable=False),
    sa.Column('how_given', sa.String(length=20), nullable=True),
    sa.Column('reason_ct', sa.LargeBinary(), nullable=True),
    sa.Column('occurred_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("action IN ('agreed', 'withdrawn', 'without_consent')", name=op.f('ck_sharing_consent_event_action')),
    sa.CheckConstraint("agency IN ('childrens_services', 'police', 'health', 'education', 'housing', 'risk_conference', 'probation', 'other')", name=op.f('ck_sharing_consent_event_agency')),
    sa.CheckConstraint("basis IN ('consent', 'child_protection', 'risk_to_life', 'crime_prevention', 'court_order')", name=op.f('ck_sharing_consent_event_basis')),
    sa.CheckConstraint("how_given IN ('in_person', 'phone', 'in_writing', 'other')", name=op.f('ck_sharing_consent_event_how_given')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner_contact.id'], name=op.f('fk_sharing_consent_event_partner_id_partner_contact')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff_user.id'], name=op.f('fk_sharing_consent_event_recorded_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sharing_consent_event'))
    )
    with op.batch_alter_table('sharing_consent_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sharing_consent_event_partner_id'), ['partner_id'], unique=False)

    op.create_table('child_protection_referral',
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('referred_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('agency', sa.String(length=30), nullable=False),
    sa.Column('agency_name_ct', sa.LargeBinary(), nullable=True),
    sa.Column('information', sa.String(length=200), nullable=False),
    sa.Column('basis', sa.String(length=30), nullable=False),
    sa.Column('basis_reason_ct', sa.LargeBinary(), nullable=True),
    sa.Column('consent_entry_id', sa.Uuid(), nullable=True),
    sa.Column('outcome', sa.String(length=30), nullable=False),
    sa.Column('outcome_notes_ct', sa.LargeBinary(), nullable=True),
    sa.Column('required_by_law', sa.Boolean(), nullable=False),
    sa.Column('source_task_id', sa.Uuid(), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("agency IN ('childrens_services', 'police', 'health', 'education', 'housing', 'risk_conference', 'probation', 'other')", name=op.f('ck_child_protection_referral_agency')),
    sa.CheckConstraint("basis IN ('consent', 'child_protection', 'risk_to_life', 'crime_prevention', 'court_order')", name=op.f('ck_child_protection_referral_basis')),
    sa.CheckConstraint("outcome IN ('awaiting', 'assessment', 'plan', 'advice_only', 'no_further_action', 'other')", name=op.f('ck_child_protection_referral_outcome')),
    sa.ForeignKeyConstraint(['consent_entry_id'], ['sharing_consent_event.id'], name=op.f('fk_child_protection_referral_consent_entry_id_sharing_consent_event')),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_user.id'], name=op.f('fk_child_protection_referral_created_by_id_staff_user')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner_contact.id'], name=op.f('fk_child_protection_referral_partner_id_partner_contact')),
    sa.ForeignKeyConstraint(['source_task_id'], ['task.id'], name=op.f('fk_child_protection_referral_source_task_id_task')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_child_protection_referral'))
    )
    with op.batch_alter_table('child_protection_referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_child_protection_referral_partner_id'), ['partner_id'], unique=False)

    op.create_table('referral_child',
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('child_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['child_record.id'], name=op.f('fk_referral_child_child_id_child_record')),
    sa.ForeignKeyConstraint(['referral_id'], ['child_protection_referral.id'], name=op.f('fk_referral_child_referral_id_child_protection_referral')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_child')),
    sa.UniqueConstraint('referral_id', 'child_id', name=op.f('uq_referral_child_referral_id_child_id'))
    )
    with op.batch_alter_table('referral_child', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_child_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_child_referral_id'), ['referral_id'], unique=False)

    op.add_column('partner_contact', sa.Column('safe_address_ct', sa.LargeBinary(), nullable=True))
    op.add_column('partner_contact', sa.Column('new_number_ct', sa.LargeBinary(), nullable=True))



def downgrade() -> None:
    op.drop_column('partner_contact', 'new_number_ct')
    op.drop_column('partner_contact', 'safe_address_ct')

    with op.batch_alter_table('referral_child', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_child_referral_id'))
        batch_op.drop_index(batch_op.f('ix_referral_child_child_id'))

    op.drop_table('referral_child')
    with op.batch_alter_table('child_protection_referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_child_protection_referral_partner_id'))

    op.drop_table('child_protection_referral')
    with op.batch_alter_table('sharing_consent_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sharing_consent_event_partner_id'))

    op.drop_table('sharing_consent_event')
    with op.batch_alter_table('child_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_child_record_partner_id'))

    op.drop_table('child_record')
