"""her language choice on her record; helplines shown on every page of hers

Revision ID: 0004_language
Revises: 0003_wording
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_language"
down_revision = "0003_wording"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD/DROP COLUMN (SQLite 3.35+ has both): a batch copy would drop partner_contact, which other tables
    # reference, and SQLite's foreign keys refuse that.
    op.add_column("partner_contact", sa.Column("locale_chosen", sa.Boolean(), nullable=False,
                                               server_default=sa.false()))
    op.add_column("helpline", sa.Column("on_every_page", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("helpline", "on_every_page")
    op.drop_column("partner_contact", "locale_chosen")
