"""risk: her risk assessments (append-only, per case) and the risk factors of a facilitator's risk report

Revision ID: 0009_risk
Revises: 0008_checkins

Two new tables only (nothing existing is altered), so it goes up and down the same way on SQLite and
PostgreSQL. The integrator re-chains down_revision after the other revisions of this round.
"""

from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = "0009_risk"
down_revision = "0008_checkins"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('risk_assessment',
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('assessed_by_id', sa.Uuid(), nullable=False),
    sa.Column('assessed_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('checklist_id', sa.String(length=60), nullable=False),
    sa.Column('checklist_version', sa.String(length=40), nullable=False),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.Column('yes_count', sa.Integer(), nullable=False),
    sa.Column('not_known_count', sa.Integer(), nullable=False),
    sa.Column('scored_level', sa.String(length=20), nullable=False),
    sa.Column('judgement_level', sa.String(length=20), nullable=True),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('incidents_12m', sa.Integer(), nullable=False),
    sa.Column('escalation', sa.Boolean(), nullable=False),
    sa.Column('answers_ct', sa.LargeBinary(), nullable=True),
    sa.Column('fears_ct', sa.LargeBinary(), nullable=True),
    sa.Column('judgement_ct', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("judgement_level IN ('standard', 'medium', 'high')", name=op.f('ck_risk_assessment_judgement_level')),
    sa.CheckConstraint("level IN ('standard', 'medium', 'high')", name=op.f('ck_risk_assessment_level')),
    sa.CheckConstraint("scored_level IN ('standard', 'medium', 'high')", name=op.f('ck_risk_assessment_scored_level')),
    sa.ForeignKeyConstraint(['assessed_by_id'], ['staff_user.id'], name=op.f('fk_risk_assessment_assessed_by_id_staff_user')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner_contact.id'], name=op.f('fk_risk_assessment_partner_id_partner_contact')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_assessment'))
    )
    with op.batch_alter_table('risk_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_assessment_partner_id'), ['partner_id'], unique=False)

    op.create_table('programme_event_factor',
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('factor', sa.String(length=30), nullable=False),
    sa.CheckConstraint("factor IN ('suicidal_ideation', 'threats_to_kill', 'weapons', 'stalking', 'separation')", name=op.f('ck_programme_event_factor_factor')),
    sa.ForeignKeyConstraint(['event_id'], ['programme_event.id'], name=op.f('fk_programme_event_factor_event_id_programme_event')),
    sa.PrimaryKeyConstraint('event_id', 'factor', name=op.f('pk_programme_event_factor'))
    )


def downgrade() -> None:
    op.drop_table('programme_event_factor')
    with op.batch_alter_table('risk_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_assessment_partner_id'))

    op.drop_table('risk_assessment')
