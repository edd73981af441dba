"""Ledger, approvals, audit log, outbox, AP/AR (issue 3): every table of this revision's models.

Revision ID: 0001_ledger
Revises:
Create Date: 2026-11-25 21:52:42.896064
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_ledger"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ap_vendors",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("payment_terms_days", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ap_vendors")),
        sa.UniqueConstraint("tenant", "code", name=op.f("uq_ap_vendors_tenant_code")),
    )
    op.create_table(
        "approval_delegations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("delegator_id", sa.String(length=200), nullable=False),
        sa.Column("delegate_id", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_delegations")),
    )
    with op.batch_alter_table("approval_delegations", schema=None) as batch_op:
        batch_op.create_index("ix_approval_delegations_delegate", ["tenant", "delegate_id"], unique=False)

    op.create_table(
        "approval_policies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("document_type", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("min_amount", sa.String(length=40), nullable=True),
        sa.Column("max_amount", sa.String(length=40), nullable=True),
        sa.Column("account_classes", sa.Text(), nullable=False),
        sa.Column("match_flags", sa.Text(), nullable=False),
        sa.Column("min_anomaly_score", sa.Float(), nullable=True),
        sa.Column("required_role", sa.String(length=64), nullable=True),
        sa.Column("approver_user_id", sa.String(length=200), nullable=True),
        sa.Column("approver_relation", sa.String(length=64), nullable=True),
        sa.Column("approver_count", sa.Integer(), nullable=False),
        sa.Column("expires_after_days", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_policies")),
        sa.UniqueConstraint("tenant", "name", name=op.f("uq_approval_policies_tenant_name")),
    )
    with op.batch_alter_table("approval_policies", schema=None) as batch_op:
        batch_op.create_index("ix_approval_policies_doc", ["tenant", "document_type"], unique=False)

    op.create_table(
        "approval_requests",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("document_type", sa.String(length=64), nullable=False),
        sa.Column("document_id", sa.String(length=64), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.String(length=40), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("preparer_id", sa.String(length=200), nullable=False),
        sa.Column("requirements", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_requests")),
    )
    with op.batch_alter_table("approval_requests", schema=None) as batch_op:
        batch_op.create_index("ix_approval_requests_doc", ["tenant", "document_type", "document_id"], unique=False)
        batch_op.create_index("ix_approval_requests_status", ["tenant", "status"], unique=False)

    op.create_table(
        "ar_customers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("payment_terms_days", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ar_customers")),
        sa.UniqueConstraint("tenant", "code", name=op.f("uq_ar_customers_tenant_code")),
    )
    op.create_table(
        "audit_chain_heads",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("last_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("tenant", name=op.f("pk_audit_chain_heads")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", sa.String(length=40), nullable=False),
        sa.Column("actor_id", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("tenant", "seq", name=op.f("uq_audit_log_tenant_seq")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_entity", ["tenant", "entity_type", "entity_id"], unique=False)

    op.create_table(
        "gl_accounts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("postable", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["gl_accounts.id"], name=op.f("fk_gl_accounts_parent_id_gl_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gl_accounts")),
        sa.UniqueConstraint("tenant", "code", name=op.f("uq_gl_accounts_tenant_code")),
    )
    op.create_table(
        "gl_exchange_rates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("rate_date", sa.Date(), nullable=False),
        sa.Column("rate", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gl_exchange_rates")),
        sa.UniqueConstraint(
            "tenant", "currency", "rate_date", name=op.f("uq_gl_exchange_rates_tenant_currency_rate_date")
        ),
    )
    op.create_table(
        "gl_journal_entries",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("memo", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("functional_amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("reverses_id", sa.String(length=32), nullable=True),
        sa.Column("anomaly_score", sa.Float(), nullable=True),
        sa.Column("anomaly_reasons", sa.Text(), nullable=False),
        sa.Column("approval_id", sa.String(length=32), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posted_by", sa.String(length=200), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rejected_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["gl_journal_entries.id"],
            name=op.f("fk_gl_journal_entries_reverses_id_gl_journal_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gl_journal_entries")),
        sa.UniqueConstraint("tenant", "idempotency_key", name=op.f("uq_gl_journal_entries_tenant_idempotency_key")),
    )
    with op.batch_alter_table("gl_journal_entries", schema=None) as batch_op:
        batch_op.create_index("ix_gl_journal_entries_reverses", ["reverses_id"], unique=False)
        batch_op.create_index("ix_gl_journal_entries_status", ["tenant", "status"], unique=False)

    op.create_table(
        "gl_periods",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("month >= 1 AND month <= 12", name=op.f("ck_gl_periods_month_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gl_periods")),
        sa.UniqueConstraint("tenant", "year", "month", name=op.f("uq_gl_periods_tenant_year_month")),
    )
    op.create_table(
        "outbox_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("aggregate_type", sa.String(length=64), nullable=False),
        sa.Column("aggregate_id", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
        sa.UniqueConstraint(
            "tenant", "event_type", "aggregate_id", name=op.f("uq_outbox_events_tenant_event_type_aggregate_id")
        ),
    )
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_events_tenant"), ["tenant"], unique=False)

    op.create_table(
        "tenants",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("functional_currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenants")),
    )
    op.create_table(
        "ap_bills",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("doc_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("memo", sa.String(length=500), nullable=False),
        sa.Column("journal_entry_id", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["journal_entry_id"],
            ["gl_journal_entries.id"],
            name=op.f("fk_ap_bills_journal_entry_id_gl_journal_entries"),
        ),
        sa.ForeignKeyConstraint(["vendor_id"], ["ap_vendors.id"], name=op.f("fk_ap_bills_vendor_id_ap_vendors")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ap_bills")),
        sa.UniqueConstraint("tenant", "vendor_id", "number", name=op.f("uq_ap_bills_tenant_vendor_id_number")),
    )
    with op.batch_alter_table("ap_bills", schema=None) as batch_op:
        batch_op.create_index("ix_ap_bills_due", ["tenant", "due_date"], unique=False)

    op.create_table(
        "apar_payments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("document_id", sa.String(length=32), nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("journal_entry_id", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["journal_entry_id"],
            ["gl_journal_entries.id"],
            name=op.f("fk_apar_payments_journal_entry_id_gl_journal_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apar_payments")),
        sa.UniqueConstraint("tenant", "idempotency_key", name=op.f("uq_apar_payments_tenant_idempotency_key")),
    )
    with op.batch_alter_table("apar_payments", schema=None) as batch_op:
        batch_op.create_index("ix_apar_payments_document", ["tenant", "kind", "document_id"], unique=False)

    op.create_table(
        "approval_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("requirement", sa.String(length=64), nullable=False),
        sa.Column("approver_id", sa.String(length=200), nullable=False),
        sa.Column("on_behalf_of", sa.String(length=200), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["approval_requests.id"], name=op.f("fk_approval_decisions_request_id_approval_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_decisions")),
        sa.UniqueConstraint("request_id", "approver_id", name=op.f("uq_approval_decisions_request_id_approver_id")),
    )
    op.create_table(
        "ar_invoices",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("doc_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("memo", sa.String(length=500), nullable=False),
        sa.Column("journal_entry_id", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["ar_customers.id"], name=op.f("fk_ar_invoices_customer_id_ar_customers")
        ),
        sa.ForeignKeyConstraint(
            ["journal_entry_id"],
            ["gl_journal_entries.id"],
            name=op.f("fk_ar_invoices_journal_entry_id_gl_journal_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ar_invoices")),
        sa.UniqueConstraint("tenant", "number", name=op.f("uq_ar_invoices_tenant_number")),
    )
    with op.batch_alter_table("ar_invoices", schema=None) as batch_op:
        batch_op.create_index("ix_ar_invoices_due", ["tenant", "due_date"], unique=False)

    op.create_table(
        "gl_journal_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("entry_id", sa.String(length=32), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("debit_minor", sa.BigInteger(), nullable=False),
        sa.Column("credit_minor", sa.BigInteger(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("cost_center", sa.String(length=64), nullable=True),
        sa.Column("project", sa.String(length=64), nullable=True),
        sa.CheckConstraint("(debit_minor = 0) <> (credit_minor = 0)", name=op.f("ck_gl_journal_lines_one_side")),
        sa.CheckConstraint("debit_minor >= 0 AND credit_minor >= 0", name=op.f("ck_gl_journal_lines_non_negative")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["gl_accounts.id"], name=op.f("fk_gl_journal_lines_account_id_gl_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["gl_journal_entries.id"], name=op.f("fk_gl_journal_lines_entry_id_gl_journal_entries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gl_journal_lines")),
        sa.UniqueConstraint("entry_id", "line_no", name=op.f("uq_gl_journal_lines_entry_id_line_no")),
    )
    with op.batch_alter_table("gl_journal_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_gl_journal_lines_balance",
            ["tenant", "account_id", "currency", "entry_date", "debit_minor", "credit_minor"],
            unique=False,
        )
        batch_op.create_index("ix_gl_journal_lines_date", ["tenant", "entry_date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("gl_journal_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_gl_journal_lines_date")
        batch_op.drop_index("ix_gl_journal_lines_balance")

    op.drop_table("gl_journal_lines")
    with op.batch_alter_table("ar_invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_ar_invoices_due")

    op.drop_table("ar_invoices")
    op.drop_table("approval_decisions")
    with op.batch_alter_table("apar_payments", schema=None) as batch_op:
        batch_op.drop_index("ix_apar_payments_document")

    op.drop_table("apar_payments")
    with op.batch_alter_table("ap_bills", schema=None) as batch_op:
        batch_op.drop_index("ix_ap_bills_due")

    op.drop_table("ap_bills")
    op.drop_table("tenants")
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_events_tenant"))

    op.drop_table("outbox_events")
    op.drop_table("gl_periods")
    with op.batch_alter_table("gl_journal_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_gl_journal_entries_status")
        batch_op.drop_index("ix_gl_journal_entries_reverses")

    op.drop_table("gl_journal_entries")
    op.drop_table("gl_exchange_rates")
    op.drop_table("gl_accounts")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_entity")

    op.drop_table("audit_log")
    op.drop_table("audit_chain_heads")
    op.drop_table("ar_customers")
    with op.batch_alter_table("approval_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_approval_requests_status")
        batch_op.drop_index("ix_approval_requests_doc")

    op.drop_table("approval_requests")
    with op.batch_alter_table("approval_policies", schema=None) as batch_op:
        batch_op.drop_index("ix_approval_policies_doc")

    op.drop_table("approval_policies")
    with op.batch_alter_table("approval_delegations", schema=None) as batch_op:
        batch_op.drop_index("ix_approval_delegations_delegate")

    op.drop_table("approval_delegations")
    op.drop_table("ap_vendors")
