"""The dashboard's state: accounts, sign-in attempts, enablement changes, versions, imports.

Revision ID: 0001
Revises:
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# SQLite gives rowid-backed automatic keys only to a column declared INTEGER PRIMARY KEY.
IDENTIFIER = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("login", sa.String(320), nullable=False),
        sa.Column("password_hash", sa.String(512), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("login", name="pk_accounts"),
    )
    op.create_table(
        "sign_in_attempts",
        sa.Column("attempt_id", IDENTIFIER, autoincrement=True, nullable=False),
        sa.Column("login", sa.String(320), nullable=False),
        sa.Column("attempted_at", sa.DateTime(), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("throttled", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.PrimaryKeyConstraint("attempt_id", name="pk_sign_in_attempts"),
    )
    op.create_index(
        "ix_sign_in_attempts_login_attempted_at", "sign_in_attempts", ["login", "attempted_at"]
    )
    op.create_table(
        "enablement_changes",
        sa.Column("change_id", IDENTIFIER, autoincrement=True, nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by", sa.String(320), nullable=False),
        sa.Column("customer_code", sa.String(64), nullable=False),
        sa.Column("nmu", sa.String(32), nullable=False),
        sa.Column("enabled_before", sa.Boolean(), nullable=True),
        sa.Column("enabled_after", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(16), server_default=sa.text("'dashboard'"), nullable=False),
        sa.CheckConstraint("source = 'dashboard'", name="ck_enablement_changes_source"),
        sa.PrimaryKeyConstraint("change_id", name="pk_enablement_changes"),
    )
    op.create_index(
        "ix_enablement_changes_customer_code_nmu", "enablement_changes", ["customer_code", "nmu"]
    )
    versions = op.create_table(
        "state_versions",
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("topic", name="pk_state_versions"),
    )
    op.bulk_insert(versions, [{"topic": "enablements", "version": 0}])
    op.create_table(
        "legacy_imports",
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("file", sa.String(4096), nullable=False),
        sa.Column("accounts", sa.Integer(), nullable=False),
        sa.Column("sign_in_attempts", sa.Integer(), nullable=False),
        sa.Column("enablement_changes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("source", name="pk_legacy_imports"),
    )


def downgrade() -> None:
    for table in (
        "legacy_imports", "state_versions", "enablement_changes", "sign_in_attempts", "accounts"
    ):
        op.drop_table(table)
