"""consoleforms: a staff member's own time zone (the "set her safe times" task kind is in 0002's CHECK)

Revision ID: 0005_consoleforms
Revises: 0004_language
"""

from alembic import op
import sqlalchemy as sa


revision = "0005_consoleforms"
down_revision = "0004_language"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ALTER TABLE on both databases: rebuilding staff_user on SQLite would trip the many keys to it.
    op.add_column("staff_user", sa.Column("timezone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("staff_user", "timezone")  # SQLite 3.35+ drops a column in place
