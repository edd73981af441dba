"""Domains (issue 4): directory, HR, CRM, service desk, procurement, EPM budgets, seed bookkeeping.

Revision ID: 0002_domains
Revises: 0001_ledger
Create Date: 2026-11-25 21:59:57.163896
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_domains"
down_revision: str | None = "0001_ledger"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crm_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("industry", sa.String(length=80), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("segment", sa.String(length=24), nullable=False),
        sa.Column("owner_user_id", sa.String(length=160), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_accounts")),
        sa.UniqueConstraint("tenant", "code", name=op.f("uq_crm_accounts_tenant_code")),
    )
    op.create_index(op.f("ix_crm_accounts_tenant"), "crm_accounts", ["tenant"], unique=False)
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("tenant", "code", name=op.f("uq_departments_tenant_code")),
    )
    op.create_index(op.f("ix_departments_tenant"), "departments", ["tenant"], unique=False)
    op.create_table(
        "epm_budgets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("department_code", sa.String(length=16), nullable=False),
        sa.Column("account_code", sa.String(length=32), nullable=False),
        sa.Column("amount_minor", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_epm_budgets")),
        sa.UniqueConstraint(
            "tenant",
            "year",
            "month",
            "department_code",
            "account_code",
            name=op.f("uq_epm_budgets_tenant_year_month_department_code_account_code"),
        ),
    )
    op.create_index(
        "ix_epm_budgets_tenant_year_dept", "epm_budgets", ["tenant", "year", "department_code"], unique=False
    )
    op.create_table(
        "hr_employees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("employee_no", sa.String(length=16), nullable=False),
        sa.Column("first_name", sa.String(length=80), nullable=False),
        sa.Column("last_name", sa.String(length=80), nullable=False),
        sa.Column("email", sa.String(length=160), nullable=False),
        sa.Column("user_id", sa.String(length=160), nullable=True),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("department_code", sa.String(length=16), nullable=False),
        sa.Column("location", sa.String(length=80), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("hire_date", sa.Date(), nullable=False),
        sa.Column("termination_date", sa.Date(), nullable=True),
        sa.Column("salary_band", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["hr_employees.id"], name=op.f("fk_hr_employees_manager_id_hr_employees")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hr_employees")),
        sa.UniqueConstraint("tenant", "employee_no", name=op.f("uq_hr_employees_tenant_employee_no")),
    )
    op.create_index(op.f("ix_hr_employees_tenant"), "hr_employees", ["tenant"], unique=False)
    op.create_index("ix_hr_employees_tenant_department", "hr_employees", ["tenant", "department_code"], unique=False)
    op.create_index("ix_hr_employees_tenant_manager", "hr_employees", ["tenant", "manager_id"], unique=False)
    op.create_index(op.f("ix_hr_employees_user_id"), "hr_employees", ["user_id"], unique=False)
    op.create_table(
        "hr_leave_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("leave_type", sa.String(length=32), nullable=False),
        sa.Column("annual_days", sa.Integer(), nullable=False),
        sa.Column("carry_over_max_days", sa.Integer(), nullable=False),
        sa.Column("accrual", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hr_leave_policies")),
        sa.UniqueConstraint("tenant", "leave_type", name=op.f("uq_hr_leave_policies_tenant_leave_type")),
    )
    op.create_index(op.f("ix_hr_leave_policies_tenant"), "hr_leave_policies", ["tenant"], unique=False)
    op.create_table(
        "proc_requisitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("requester_user_id", sa.String(length=160), nullable=False),
        sa.Column("department_code", sa.String(length=16), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proc_requisitions")),
        sa.UniqueConstraint("tenant", "number", name=op.f("uq_proc_requisitions_tenant_number")),
    )
    op.create_index(op.f("ix_proc_requisitions_tenant"), "proc_requisitions", ["tenant"], unique=False)
    op.create_table(
        "seed_planted_anomalies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("entry_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seed_planted_anomalies")),
        sa.UniqueConstraint("tenant", "entry_id", name=op.f("uq_seed_planted_anomalies_tenant_entry_id")),
    )
    op.create_index(op.f("ix_seed_planted_anomalies_tenant"), "seed_planted_anomalies", ["tenant"], unique=False)
    op.create_table(
        "seed_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("size", sa.String(length=16), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seed_runs")),
        sa.UniqueConstraint("tenant", name=op.f("uq_seed_runs_tenant")),
    )
    op.create_table(
        "crm_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("email", sa.String(length=160), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["crm_accounts.id"], name=op.f("fk_crm_contacts_account_id_crm_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_contacts")),
    )
    op.create_index(op.f("ix_crm_contacts_account_id"), "crm_contacts", ["account_id"], unique=False)
    op.create_index(op.f("ix_crm_contacts_tenant"), "crm_contacts", ["tenant"], unique=False)
    op.create_table(
        "crm_opportunities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("stage", sa.String(length=24), nullable=False),
        sa.Column("amount_minor", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("close_date", sa.Date(), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("owner_user_id", sa.String(length=160), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stage_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["crm_accounts.id"], name=op.f("fk_crm_opportunities_account_id_crm_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_opportunities")),
    )
    op.create_index(op.f("ix_crm_opportunities_account_id"), "crm_opportunities", ["account_id"], unique=False)
    op.create_index(op.f("ix_crm_opportunities_tenant"), "crm_opportunities", ["tenant"], unique=False)
    op.create_index("ix_crm_opportunities_tenant_owner", "crm_opportunities", ["tenant", "owner_user_id"], unique=False)
    op.create_index("ix_crm_opportunities_tenant_stage", "crm_opportunities", ["tenant", "stage"], unique=False)
    op.create_table(
        "directory_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=160), nullable=False),
        sa.Column("display_name", sa.String(length=160), nullable=False),
        sa.Column("roles", sa.String(length=400), nullable=False),
        sa.Column("department_code", sa.String(length=16), nullable=True),
        sa.Column("employee_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["hr_employees.id"], name=op.f("fk_directory_users_employee_id_hr_employees")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_users")),
        sa.UniqueConstraint("tenant", "user_id", name=op.f("uq_directory_users_tenant_user_id")),
    )
    op.create_index(op.f("ix_directory_users_tenant"), "directory_users", ["tenant"], unique=False)
    op.create_table(
        "hr_leave_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("leave_type", sa.String(length=32), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("requested_by", sa.String(length=160), nullable=False),
        sa.Column("approval_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["hr_employees.id"], name=op.f("fk_hr_leave_requests_employee_id_hr_employees")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hr_leave_requests")),
    )
    op.create_index(op.f("ix_hr_leave_requests_tenant"), "hr_leave_requests", ["tenant"], unique=False)
    op.create_index(
        "ix_hr_leave_requests_tenant_employee", "hr_leave_requests", ["tenant", "employee_id"], unique=False
    )
    op.create_table(
        "proc_purchase_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("requisition_id", sa.Integer(), nullable=True),
        sa.Column("vendor_code", sa.String(length=32), nullable=False),
        sa.Column("requester_user_id", sa.String(length=160), nullable=False),
        sa.Column("department_code", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_minor", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("approval_id", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.String(length=160), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["requisition_id"],
            ["proc_requisitions.id"],
            name=op.f("fk_proc_purchase_orders_requisition_id_proc_requisitions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proc_purchase_orders")),
        sa.UniqueConstraint("tenant", "number", name=op.f("uq_proc_purchase_orders_tenant_number")),
    )
    op.create_index("ix_proc_purchase_orders_status", "proc_purchase_orders", ["tenant", "status"], unique=False)
    op.create_index(op.f("ix_proc_purchase_orders_tenant"), "proc_purchase_orders", ["tenant"], unique=False)
    op.create_table(
        "sd_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("priority", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("assignee_user_id", sa.String(length=160), nullable=True),
        sa.Column("opened_by", sa.String(length=160), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sla_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["crm_accounts.id"], name=op.f("fk_sd_tickets_account_id_crm_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sd_tickets")),
        sa.UniqueConstraint("tenant", "number", name=op.f("uq_sd_tickets_tenant_number")),
    )
    op.create_index(op.f("ix_sd_tickets_tenant"), "sd_tickets", ["tenant"], unique=False)
    op.create_index("ix_sd_tickets_tenant_account", "sd_tickets", ["tenant", "account_id"], unique=False)
    op.create_index("ix_sd_tickets_tenant_status", "sd_tickets", ["tenant", "status"], unique=False)
    op.create_table(
        "crm_activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.String(length=160), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["crm_accounts.id"], name=op.f("fk_crm_activities_account_id_crm_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["crm_opportunities.id"],
            name=op.f("fk_crm_activities_opportunity_id_crm_opportunities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_activities")),
    )
    op.create_index(op.f("ix_crm_activities_account_id"), "crm_activities", ["account_id"], unique=False)
    op.create_index(op.f("ix_crm_activities_tenant"), "crm_activities", ["tenant"], unique=False)
    op.create_index(
        "ix_crm_activities_tenant_opportunity", "crm_activities", ["tenant", "opportunity_id"], unique=False
    )
    op.create_table(
        "crm_opportunity_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("requested_by", sa.String(length=160), nullable=False),
        sa.Column("approval_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["crm_opportunities.id"],
            name=op.f("fk_crm_opportunity_changes_opportunity_id_crm_opportunities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_opportunity_changes")),
    )
    op.create_index(
        op.f("ix_crm_opportunity_changes_opportunity_id"), "crm_opportunity_changes", ["opportunity_id"], unique=False
    )
    op.create_index(op.f("ix_crm_opportunity_changes_tenant"), "crm_opportunity_changes", ["tenant"], unique=False)
    op.create_table(
        "proc_goods_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("po_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("received_by", sa.String(length=160), nullable=False),
        sa.Column("amount_minor", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("bill_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["po_id"], ["proc_purchase_orders.id"], name=op.f("fk_proc_goods_receipts_po_id_proc_purchase_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proc_goods_receipts")),
    )
    op.create_index(op.f("ix_proc_goods_receipts_po_id"), "proc_goods_receipts", ["po_id"], unique=False)
    op.create_index(op.f("ix_proc_goods_receipts_tenant"), "proc_goods_receipts", ["tenant"], unique=False)
    op.create_table(
        "proc_purchase_order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("po_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("account_code", sa.String(length=32), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("received_quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["po_id"], ["proc_purchase_orders.id"], name=op.f("fk_proc_purchase_order_lines_po_id_proc_purchase_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proc_purchase_order_lines")),
        sa.UniqueConstraint("po_id", "line_no", name=op.f("uq_proc_purchase_order_lines_po_id_line_no")),
    )
    op.create_index(op.f("ix_proc_purchase_order_lines_po_id"), "proc_purchase_order_lines", ["po_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_proc_purchase_order_lines_po_id"), table_name="proc_purchase_order_lines")
    op.drop_table("proc_purchase_order_lines")
    op.drop_index(op.f("ix_proc_goods_receipts_tenant"), table_name="proc_goods_receipts")
    op.drop_index(op.f("ix_proc_goods_receipts_po_id"), table_name="proc_goods_receipts")
    op.drop_table("proc_goods_receipts")
    op.drop_index(op.f("ix_crm_opportunity_changes_tenant"), table_name="crm_opportunity_changes")
    op.drop_index(op.f("ix_crm_opportunity_changes_opportunity_id"), table_name="crm_opportunity_changes")
    op.drop_table("crm_opportunity_changes")
    op.drop_index("ix_crm_activities_tenant_opportunity", table_name="crm_activities")
    op.drop_index(op.f("ix_crm_activities_tenant"), table_name="crm_activities")
    op.drop_index(op.f("ix_crm_activities_account_id"), table_name="crm_activities")
    op.drop_table("crm_activities")
    op.drop_index("ix_sd_tickets_tenant_status", table_name="sd_tickets")
    op.drop_index("ix_sd_tickets_tenant_account", table_name="sd_tickets")
    op.drop_index(op.f("ix_sd_tickets_tenant"), table_name="sd_tickets")
    op.drop_table("sd_tickets")
    op.drop_index(op.f("ix_proc_purchase_orders_tenant"), table_name="proc_purchase_orders")
    op.drop_index("ix_proc_purchase_orders_status", table_name="proc_purchase_orders")
    op.drop_table("proc_purchase_orders")
    op.drop_index("ix_hr_leave_requests_tenant_employee", table_name="hr_leave_requests")
    op.drop_index(op.f("ix_hr_leave_requests_tenant"), table_name="hr_leave_requests")
    op.drop_table("hr_leave_requests")
    op.drop_index(op.f("ix_directory_users_tenant"), table_name="directory_users")
    op.drop_table("directory_users")
    op.drop_index("ix_crm_opportunities_tenant_stage", table_name="crm_opportunities")
    op.drop_index("ix_crm_opportunities_tenant_owner", table_name="crm_opportunities")
    op.drop_index(op.f("ix_crm_opportunities_tenant"), table_name="crm_opportunities")
    op.drop_index(op.f("ix_crm_opportunities_account_id"), table_name="crm_opportunities")
    op.drop_table("crm_opportunities")
    op.drop_index(op.f("ix_crm_contacts_tenant"), table_name="crm_contacts")
    op.drop_index(op.f("ix_crm_contacts_account_id"), table_name="crm_contacts")
    op.drop_table("crm_contacts")
    op.drop_table("seed_runs")
    op.drop_index(op.f("ix_seed_planted_anomalies_tenant"), table_name="seed_planted_anomalies")
    op.drop_table("seed_planted_anomalies")
    op.drop_index(op.f("ix_proc_requisitions_tenant"), table_name="proc_requisitions")
    op.drop_table("proc_requisitions")
    op.drop_index(op.f("ix_hr_leave_policies_tenant"), table_name="hr_leave_policies")
    op.drop_table("hr_leave_policies")
    op.drop_index(op.f("ix_hr_employees_user_id"), table_name="hr_employees")
    op.drop_index("ix_hr_employees_tenant_manager", table_name="hr_employees")
    op.drop_index("ix_hr_employees_tenant_department", table_name="hr_employees")
    op.drop_index(op.f("ix_hr_employees_tenant"), table_name="hr_employees")
    op.drop_table("hr_employees")
    op.drop_index("ix_epm_budgets_tenant_year_dept", table_name="epm_budgets")
    op.drop_table("epm_budgets")
    op.drop_index(op.f("ix_departments_tenant"), table_name="departments")
    op.drop_table("departments")
    op.drop_index(op.f("ix_crm_accounts_tenant"), table_name="crm_accounts")
    op.drop_table("crm_accounts")
