"""``sync_graph`` from erp_core records (SQLite) into ArcadeDB over Bolt: idempotent, tenant-scoped, queryable."""

from __future__ import annotations

import datetime as dt

import pytest

from erp_core.apar.models import Customer, Vendor
from erp_core.approvals.policy import install_default_policies
from erp_core.crm.models import CrmAccount, Opportunity
from erp_core.db import Database
from erp_core.directory import Department, DirectoryUser
from erp_core.hr.models import Employee
from erp_core.ledger.models import Account
from erp_core.tenancy import ensure_tenant
from retrieval.content_store import InMemoryContentStore
from retrieval.graph.sync import sync_graph

NOW = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)


def _seed(db: Database, tenant: str, currency: str) -> None:
    with db.unit_of_work() as s:
        ensure_tenant(s, tenant, functional_currency=currency)
        s.add_all([Department(tenant=tenant, code="FIN", name="Finance"),
                   Department(tenant=tenant, code="SALES", name="Sales")])
        people = {}
        for no, first, title, dept, manager, user in (
                ("E001", "Frank", "Chief Financial Officer", "FIN", None, "frank"),
                ("E002", "Carol", "Financial Controller", "FIN", "E001", "carol"),
                ("E003", "Alice", "Senior Accountant", "FIN", "E002", "alice"),
                ("E004", "Sam", "Account Executive", "SALES", "E001", "sam")):
            emp = Employee(tenant=tenant, employee_no=no, first_name=first, last_name="Demo",
                           email=f"{user}@example.test", user_id=f"{user}@{tenant}", title=title,
                           department_code=dept, location="HQ", level=3,
                           manager_id=people[manager].id if manager else None, hire_date=dt.date(2020, 1, 1),
                           salary_band="L3")
            s.add(emp)
            s.flush()
            people[no] = emp
        roles = {"E001": "cfo,employee", "E002": "controller,employee", "E003": "accountant,employee",
                 "E004": "sales_rep,employee"}
        s.add_all([DirectoryUser(tenant=tenant, user_id=e.user_id, display_name=e.full_name, roles=roles[no],
                                 employee_id=e.id) for no, e in people.items()])
        header = Account(tenant=tenant, code="6000", name="Operating expenses", type="expense", postable=False,
                         currency=currency)
        s.add(header)
        s.flush()
        s.add_all([Account(tenant=tenant, code=code, name=name, type="expense", parent_id=header.id,
                           currency=currency) for code, name in (("6100", "Rent Expense"), ("6200", "Travel Expense"))])
        s.add(Customer(tenant=tenant, code="C001", name="Northwind Logistics", currency=currency))
        s.add(Vendor(tenant=tenant, code="V001", name="Silicon Valley Realty", currency=currency))
        account = CrmAccount(tenant=tenant, code="C001", name="Northwind Logistics", industry="Logistics",
                             country="US", segment="enterprise", owner_user_id=f"sam@{tenant}", created_at=NOW)
        s.add(account)
        s.flush()
        s.add(Opportunity(tenant=tenant, account_id=account.id, name="AR-7 fleet", stage="proposal",
                          amount_minor=59_200_000, currency=currency, close_date=dt.date(2026, 12, 15),
                          probability=50, owner_user_id=f"sam@{tenant}", created_at=NOW, updated_at=NOW,
                          stage_changed_at=NOW))
        install_default_policies(s, tenant)


@pytest.fixture(scope="module")
def erp_db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('erp') / 'erp.db'}")
    db.create_all()
    _seed(db, "acme", "USD")
    _seed(db, "globex", "EUR")
    return db


@pytest.fixture()
def graph(graph_server, store_config):  # type: ignore[no-untyped-def]
    from retrieval.graph.bolt_store import BoltGraphStore

    store = BoltGraphStore(graph_server.uri, "root", store_config.graph_password)
    store.clear_tenant("acme")
    store.clear_tenant("globex")
    yield store
    store.clear_tenant("acme")
    store.clear_tenant("globex")
    store.close()


def test_sync_is_idempotent_and_tenant_scoped(erp_db: Database, graph) -> None:  # type: ignore[no-untyped-def]
    content = InMemoryContentStore()
    content.put_document("acme", "acme-hq-lease-summary", {
        "title": "Headquarters Lease Summary", "acl_groups": ["finance"], "doc_type": "contract",
        "text": "Leased from the landlord Silicon Valley\nRealty. Rent is booked to Rent Expense (account 6100)."})
    content.put_document("acme", "acme-contract-northwind", {
        "title": "Northwind contract", "acl_groups": ["sales", "finance"], "doc_type": "contract",
        "text": "Master supply agreement with Northwind Logistics."})
    with erp_db.read() as session:
        first = sync_graph(session, graph, "acme", content)
        second = sync_graph(session, graph, "acme", content)
    assert first == second
    assert first["Employee"] == 4 and first["REPORTS_TO"] == 3 and first["Account"] == 3
    assert first["Document"] == 2 and first["MENTIONS"] == 3
    assert graph.counts("globex") == {}

    chain = graph.run_named("reporting_chain", "acme", employee="E003")
    assert [r["name"] for r in chain] == ["Carol Demo", "Frank Demo"]

    po = graph.run_named("approvers_for", "acme", document_type="purchase_order", amount_minor=2_000_000)
    assert [(r["rule"], r["role"], r["employee"]) for r in po] == [("po-controller", "controller", "Carol Demo")]
    small_je = graph.run_named("approvers_for", "acme", document_type="journal_entry", amount_minor=500_000)
    assert all(r["conditional"] for r in small_je), "under 10,000 only the anomaly review can apply"

    assert [r["code"] for r in graph.run_named("account_subtree", "acme", code="6000")] == ["6000", "6100", "6200"]
    owner = graph.run_named("owner_of", "acme", label="Customer", key="C001")
    assert [r["name"] for r in owner] == ["Sam Demo"]
    relations = graph.run_named("account_360", "acme", customer="C001", groups=["all", "sales"])
    assert {r["relation"] for r in relations} == {"owner", "opportunity", "document"}
    mentions = graph.run_named("documents_mentioning", "acme", label="Vendor", key="V001", groups=["finance"])
    assert [r["doc_id"] for r in mentions] == ["acme-hq-lease-summary"]

    with erp_db.read() as session:
        sync_graph(session, graph, "globex")
    assert graph.counts("globex")["Employee"] == 4
    assert graph.counts("acme") == first
