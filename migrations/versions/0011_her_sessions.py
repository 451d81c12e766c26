"""her_sessions: partner_contact.session_epoch, so that a stop ends her other sessions in any session store

Revision ID: 0011_her_sessions
Revises: 0010_children

One plain column with a server default (no table rebuild): her signed-in sessions carry the epoch they were
opened in; a stop raises it (services/her/consent.end_her_sessions), which ends sessions kept in Redis too.
"""

from alembic import op
import sqlalchemy as sa


revision = '0011_her_sessions'
down_revision = '0010_children'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('partner_contact', sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    op.drop_column('partner_contact', 'session_epoch')
