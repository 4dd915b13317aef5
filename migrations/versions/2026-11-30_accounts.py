"""accounts: expiring first-login codes, session idle timeout, bounded API tokens

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 15:15:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tokens issued before this revision never expired; they get the default lifetime from now.
_TOKEN_DAYS = 30


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(
            sa.Column(
                "temporary_password_expires_at",
                app.core.db.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
    with op.batch_alter_table("user_session") as batch:
        batch.add_column(
            sa.Column("last_seen_at", app.core.db.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute("UPDATE user_session SET last_seen_at = created_at")
    api_token = sa.table(
        "api_token",
        sa.column("expires_at", app.core.db.UTCDateTime(timezone=True)),
    )
    op.execute(
        api_token.update()
        .where(api_token.c.expires_at.is_(None))
        .values(expires_at=datetime.now(UTC) + timedelta(days=_TOKEN_DAYS))
    )
    # Codes handed out before this revision had no end: they get a week from now.
    user_account = sa.table(
        "user_account",
        sa.column("must_change_password", sa.Boolean()),
        sa.column("password_hash", sa.String()),
        sa.column("temporary_password_expires_at", app.core.db.UTCDateTime(timezone=True)),
    )
    op.execute(
        user_account.update()
        .where(
            user_account.c.must_change_password.is_(True),
            user_account.c.password_hash.like("$cakap-hmac-sha256$%"),
        )
        .values(temporary_password_expires_at=datetime.now(UTC) + timedelta(days=7))
    )


def downgrade() -> None:
    with op.batch_alter_table("user_session") as batch:
        batch.drop_column("last_seen_at")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("temporary_password_expires_at")
