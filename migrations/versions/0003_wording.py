"""her warnings' wording per kind of news, her worker's callback number

Revision ID: 0003_wording
Revises: 0002_promises

A warning_wording row says how a warning of one kind reads on her phone (one of three neutral texts or her
own words, and whether her worker's number is added); staff_user.callback_phone is that number. The
unused preferences.custom_warning_ct (nothing ever wrote it) gives way to the per-kind own words.
"""

from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = "0003_wording"
down_revision = "0002_promises"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('warning_wording',
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('wording', sa.String(length=20), nullable=False),
    sa.Column('own_words_ct', sa.LargeBinary(), nullable=True),
    sa.Column('with_number', sa.Boolean(), nullable=False),
    sa.Column('updated_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("kind IN ('dropout', 'suspended', 'completed', 'risk')", name=op.f('ck_warning_wording_kind')),
    sa.CheckConstraint("wording IN ('neutral_1', 'neutral_2', 'neutral_3', 'own')", name=op.f('ck_warning_wording_wording')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner_contact.id'], name=op.f('fk_warning_wording_partner_id_partner_contact')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warning_wording')),
    sa.UniqueConstraint('partner_id', 'kind', name=op.f('uq_warning_wording_partner_id_kind'))
    )
    with op.batch_alter_table('warning_wording', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_warning_wording_partner_id'), ['partner_id'], unique=False)

    # Plain ADD/DROP COLUMN (SQLite 3.35+ has both): a batch copy of staff_user would trip the keys to it.
    op.add_column('staff_user', sa.Column('callback_phone', sa.String(length=20), nullable=True))
    op.drop_column('preferences', 'custom_warning_ct')


def downgrade() -> None:
    op.add_column('preferences', sa.Column('custom_warning_ct', sa.LargeBinary(), nullable=True))
    op.drop_column('staff_user', 'callback_phone')

    with op.batch_alter_table('warning_wording', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_warning_wording_partner_id'))

    op.drop_table('warning_wording')
