"""marac: her referrals to a multi-agency risk conference; the manager flag on staff accounts

Revision ID: 0012_marac
Revises: 0011_her_sessions

A new table, and one plain boolean column on staff_user (server default false: no table rebuild, no CHECK
change on an existing table), so the integrator can re-chain it after other revisions.
"""

from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = '0012_marac'
down_revision = '0011_her_sessions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('risk_conference_referral',
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('assessment_id', sa.Uuid(), nullable=True),
    sa.Column('assessed_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('yes_count', sa.Integer(), nullable=False),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('escalation', sa.Boolean(), nullable=False),
    sa.Column('judgement_ct', sa.LargeBinary(), nullable=True),
    sa.Column('conference_name_ct', sa.LargeBinary(), nullable=True),
    sa.Column('referred_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('she_knows', sa.Boolean(), nullable=False),
    sa.Column('she_consents', sa.Boolean(), nullable=False),
    sa.Column('how_given', sa.String(length=20), nullable=True),
    sa.Column('basis', sa.String(length=30), nullable=False),
    sa.Column('reason_ct', sa.LargeBinary(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('required_by_law', sa.Boolean(), nullable=False),
    sa.Column('sharing_entry_id', sa.Uuid(), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('approved_by_id', sa.Uuid(), nullable=True),
    sa.Column('approved_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Uuid(), nullable=True),
    sa.Column('revoked_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoke_reason_ct', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("basis IN ('consent', 'child_protection', 'risk_to_life', 'crime_prevention', 'court_order')", name=op.f('ck_risk_conference_referral_basis')),
    sa.CheckConstraint("how_given IN ('in_person', 'phone', 'in_writing', 'other')", name=op.f('ck_risk_conference_referral_how_given')),
    sa.CheckConstraint("level IN ('standard', 'medium', 'high')", name=op.f('ck_risk_conference_referral_level')),
    sa.CheckConstraint("status IN ('awaiting_approval', 'referred', 'revoked')", name=op.f('ck_risk_conference_referral_status')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['staff_user.id'], name=op.f('fk_risk_conference_referral_approved_by_id_staff_user')),
    sa.ForeignKeyConstraint(['assessment_id'], ['risk_assessment.id'], name=op.f('fk_risk_conference_referral_assessment_id_risk_assessment')),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_user.id'], name=op.f('fk_risk_conference_referral_created_by_id_staff_user')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner_contact.id'], name=op.f('fk_risk_conference_referral_partner_id_partner_contact')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['staff_user.id'], name=op.f('fk_risk_conference_referral_revoked_by_id_staff_user')),
    sa.ForeignKeyConstraint(['sharing_entry_id'], ['sharing_consent_event.id'], name=op.f('fk_risk_conference_referral_sharing_entry_id_sharing_consent_event')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_conference_referral'))
    )
    with op.batch_alter_table('risk_conference_referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_conference_referral_partner_id'), ['partner_id'], unique=False)

    op.add_column('staff_user', sa.Column('is_manager', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column('staff_user', 'is_manager')
    with op.batch_alter_table('risk_conference_referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_conference_referral_partner_id'))
    op.drop_table('risk_conference_referral')
