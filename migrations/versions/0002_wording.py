"""her warnings' wording per kind of news, her worker's callback number

Revision ID: 0002_wording
Revises: 0001

A warning_wording row says how a warning of one kind reads on her phone (one of three neutral texts or her
own words, and whether her worker's number is added); staff_user.callback_phone is that number. The
unused preferences.custom_warning_ct (nothing ever wrote it) gives way to the per-kind own words.
"""

from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = '0002_wording'
down_revision = '0001'
branch_labels = None
depends_on = None


def _drop_column(table: str, column: str) -> None:
    """SQLite (3.35+) drops a plain column in place: a batch copy would DROP a table other rows point at."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    else:
        op.drop_column(table, column)


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

    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('callback_phone', sa.String(length=20), nullable=True))

    _drop_column('preferences', 'custom_warning_ct')


def downgrade() -> None:
    with op.batch_alter_table('preferences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('custom_warning_ct', sa.LargeBinary(), nullable=True))

    _drop_column('staff_user', 'callback_phone')

    with op.batch_alter_table('warning_wording', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_warning_wording_partner_id'))

    op.drop_table('warning_wording')
