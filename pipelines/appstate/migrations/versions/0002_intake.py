"""Claim intake: requests, documents, added addresses, handovers, audit, request numbers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

IDENTIFIER = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
NOT_ACKNOWLEDGED = sa.text("acknowledged_at is null")


def upgrade() -> None:
    op.create_table(
        "intake_handovers",
        sa.Column("handover_id", IDENTIFIER, autoincrement=True, nullable=False),
        sa.Column("stamp", sa.String(32), nullable=False),
        sa.Column("out_dir", sa.String(4096), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("handover_id", name="pk_intake_handovers"),
        sa.UniqueConstraint("stamp", name="uq_intake_handovers_stamp"),
    )
    op.create_table(
        "intake_addresses",
        sa.Column("address_id", IDENTIFIER, autoincrement=True, nullable=False),
        sa.Column("customer_code", sa.String(64), nullable=False),
        sa.Column("site_code", sa.String(32), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("postcode", sa.String(5), nullable=False),
        sa.Column("municipality", sa.String(100), nullable=False),
        sa.Column("province", sa.String(2), nullable=False),
        sa.Column("added_by", sa.String(320), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("handover_id", IDENTIFIER, nullable=True),
        sa.PrimaryKeyConstraint("address_id", name="pk_intake_addresses"),
    )
    op.create_index("ix_intake_addresses_customer_code", "intake_addresses", ["customer_code"])
    op.create_index("ix_intake_addresses_handover_id", "intake_addresses", ["handover_id"])
    op.create_table(
        "intake_requests",
        sa.Column("request_number", sa.String(32), nullable=False),
        sa.Column("customer_code", sa.String(64), nullable=False),
        sa.Column("imei", sa.String(15), nullable=False),
        sa.Column("nmu", sa.String(32), nullable=True),
        sa.Column("request_type", sa.String(32), nullable=False),
        sa.Column("fault_causes", sa.String(400), nullable=True),
        sa.Column("opened_by", sa.String(320), nullable=False),
        sa.Column("opening_profile", sa.String(32), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("delivery_mode", sa.String(32), nullable=False),
        sa.Column("assistance_point_code", sa.String(64), nullable=True),
        sa.Column("address_id", IDENTIFIER, nullable=True),
        sa.Column("delivery_address", sa.String(400), nullable=True),
        sa.Column("documentation_received_at", sa.DateTime(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.Column("handover_id", IDENTIFIER, nullable=True),
        sa.CheckConstraint("request_number like 'KP-%'", name="ck_intake_requests_kp_number"),
        sa.PrimaryKeyConstraint("request_number", name="pk_intake_requests"),
    )
    op.create_index("ix_intake_requests_customer_code", "intake_requests", ["customer_code"])
    op.create_index("ix_intake_requests_handover_id", "intake_requests", ["handover_id"])
    op.create_index("uq_intake_requests_open_imei", "intake_requests", ["imei"], unique=True,
                    sqlite_where=NOT_ACKNOWLEDGED, postgresql_where=NOT_ACKNOWLEDGED)
    op.create_table(
        "intake_documents",
        sa.Column("document_id", IDENTIFIER, autoincrement=True, nullable=False),
        sa.Column("request_number", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("media_type", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(320), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("handover_id", IDENTIFIER, nullable=True),
        sa.PrimaryKeyConstraint("document_id", name="pk_intake_documents"),
    )
    op.create_index("uq_intake_documents_request_kind", "intake_documents",
                    ["request_number", "kind"], unique=True)
    op.create_index("ix_intake_documents_handover_id", "intake_documents", ["handover_id"])
    op.create_table(
        "intake_audit",
        sa.Column("audit_id", IDENTIFIER, autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("login", sa.String(320), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("request_number", sa.String(32), nullable=True),
        sa.Column("customer_code", sa.String(64), nullable=False),
        sa.Column("detail", sa.String(1000), nullable=False),
        sa.CheckConstraint("action in ('submission', 'upload', 'address', 'refused_upload')",
                           name="ck_intake_audit_action"),
        sa.PrimaryKeyConstraint("audit_id", name="pk_intake_audit"),
    )
    op.create_index("ix_intake_audit_request_number", "intake_audit", ["request_number"])
    op.create_index("ix_intake_audit_customer_code", "intake_audit", ["customer_code"])
    counters = op.create_table(
        "intake_counters",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_intake_counters"),
    )
    op.bulk_insert(counters, [{"name": "request_number", "value": 0}])
    if op.get_context().dialect.name == "postgresql":
        op.execute("create sequence intake_request_number_seq minvalue 1 no cycle")
    op.bulk_insert(sa.table("state_versions", sa.column("topic"), sa.column("version")),
                   [{"topic": "intake", "version": 0}])


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("drop sequence intake_request_number_seq")
    op.execute("delete from state_versions where topic = 'intake'")
    for table in ("intake_counters", "intake_audit", "intake_documents", "intake_requests",
                  "intake_addresses", "intake_handovers"):
        op.drop_table(table)
