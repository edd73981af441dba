"""Every Cypher statement the graph layer runs: named, parameterised, portable openCypher (Neo4j and ArcadeDB).

Model-written Cypher is never executed: tools pick a query *name* and pass parameters; ``BoltGraphStore.run_named``
refuses any name not in ``NAMED_QUERIES``. Every query is scoped by ``$tenant``. Queries that return documents also
take ``$groups`` (the reader's ACL groups) and return only documents sharing one of them.

Each named query also declares its ``inputs``: what a caller (the ``graph_query`` tool) resolves from what was said
to fill its parameters, in that order, and whether it reads CRM data (``crm_scope``), which only CRM readers may.

Labels and relationship types cannot be parameters in Cypher, so the write statements are built from the closed
sets ``LABELS`` and ``RELATIONSHIPS`` below and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

LABELS = frozenset({"Employee", "Department", "Account", "Customer", "Vendor", "Opportunity", "ApprovalRule", "Role",
                    "Document"})
RELATIONSHIPS = frozenset({"REPORTS_TO", "MEMBER_OF", "CHILD_OF", "OWNED_BY", "FOR_CUSTOMER", "REQUIRES",
                           "HAS_ROLE", "MENTIONS"})


#: What a caller resolves for a query, and the parameters each input fills.
Input = Literal["person_or_me", "name_text", "account", "customer", "entity", "document_type", "amount",
                "reader_groups"]
INPUT_PARAMS: Mapping[Input, tuple[str, ...]] = {
    "person_or_me": ("employee",),  # the employee named, or the speaker when nobody is
    "name_text": ("text",),  # a name or part of one (the person said, when no text was given)
    "account": ("code",),  # a GL account code
    "customer": ("customer",),  # a customer code
    "entity": ("label", "key"),  # a customer, vendor, person or account, whichever was named (in that order)
    "document_type": ("document_type",),  # an approvable document type
    "amount": ("amount_minor",),  # an amount in the tenant's functional currency, in minor units
    "reader_groups": ("groups",),  # the reader's ACL groups (queries returning documents)
}


@dataclass(frozen=True)
class NamedQuery:
    """A named query: its Cypher, its parameters, and the inputs that fill them in resolution order.

    ``crm_scope``: "always" when it reads customer data whatever is asked (checked before the inputs); "customers"
    when it does so only if the entity resolved is a customer (checked after).
    """

    name: str
    description: str
    params: tuple[str, ...]
    cypher: str
    inputs: tuple[Input, ...] = ()
    crm_scope: Literal["always", "customers"] | None = None


_QUERIES = [
    NamedQuery(
        "reporting_chain", "Managers above an employee, nearest first.", ("employee",),
        "MATCH p = (e:Employee {tenant: $tenant, key: $employee})-[:REPORTS_TO*1..12]->(m:Employee) "
        "RETURN m.key AS key, m.name AS name, m.title AS title, length(p) AS level ORDER BY level",
        inputs=("person_or_me",)),
    NamedQuery(
        "direct_reports", "Employees reporting directly to a manager.", ("employee",),
        "MATCH (r:Employee {tenant: $tenant})-[:REPORTS_TO]->(m:Employee {tenant: $tenant, key: $employee}) "
        "RETURN r.key AS key, r.name AS name, r.title AS title ORDER BY key",
        inputs=("person_or_me",)),
    NamedQuery(
        "approvers_for", "Approval rules matching a document type and amount (minor units), the roles they "
        "require and the employees holding those roles.", ("document_type", "amount_minor"),
        "MATCH (r:ApprovalRule {tenant: $tenant, document_type: $document_type})-[:REQUIRES]->(role:Role) "
        "WHERE r.min_minor <= $amount_minor AND (r.max_minor IS NULL OR $amount_minor < r.max_minor) "
        "OPTIONAL MATCH (e:Employee {tenant: $tenant})-[:HAS_ROLE]->(role) "
        "RETURN r.key AS rule, r.description AS description, coalesce(r.conditional, false) AS conditional, "
        "role.key AS role, e.key AS employee_key, "
        "e.name AS employee ORDER BY rule, role, employee_key",
        inputs=("amount", "document_type")),
    NamedQuery(
        "account_subtree", "An account and every account below it in the chart of accounts.", ("code",),
        "MATCH p = (c:Account {tenant: $tenant})-[:CHILD_OF*0..8]->(root:Account {tenant: $tenant, key: $code}) "
        "RETURN c.key AS code, c.name AS name, c.account_type AS account_type, c.postable AS postable, "
        "length(p) AS depth ORDER BY code",
        inputs=("account",)),
    NamedQuery(
        "account_360", "Everything linked to a customer account: owner, opportunities and readable documents.",
        ("customer", "groups"),
        "MATCH (c:Customer {tenant: $tenant, key: $customer})-[:OWNED_BY]->(e:Employee) "
        "RETURN 'owner' AS relation, e.key AS key, e.name AS name, e.title AS detail "
        "UNION ALL "
        "MATCH (o:Opportunity {tenant: $tenant})-[:FOR_CUSTOMER]->(c:Customer {tenant: $tenant, key: $customer}) "
        "RETURN 'opportunity' AS relation, o.key AS key, o.name AS name, o.stage AS detail "
        "UNION ALL "
        "MATCH (d:Document {tenant: $tenant})-[:MENTIONS]->(c:Customer {tenant: $tenant, key: $customer}) "
        "WHERE any(g IN d.acl_groups WHERE g IN $groups) "
        "RETURN 'document' AS relation, d.key AS key, d.title AS name, d.doc_type AS detail",
        inputs=("customer", "reader_groups")),
    NamedQuery(
        "owner_of", "The employee owning a customer, vendor or opportunity.", ("label", "key"),
        "MATCH (n {tenant: $tenant, key: $key})-[:OWNED_BY]->(e:Employee) WHERE $label IN labels(n) "
        "RETURN e.key AS key, e.name AS name, e.title AS title",
        inputs=("entity",), crm_scope="customers"),
    NamedQuery(
        "owned_by", "Customers, vendors and opportunities an employee owns.", ("employee",),
        "MATCH (n {tenant: $tenant})-[:OWNED_BY]->(e:Employee {tenant: $tenant, key: $employee}) "
        "RETURN labels(n)[0] AS label, n.key AS key, n.name AS name ORDER BY label, key",
        inputs=("person_or_me",), crm_scope="always"),
    NamedQuery(
        "documents_mentioning", "Readable documents that mention an entity.", ("label", "key", "groups"),
        "MATCH (d:Document {tenant: $tenant})-[:MENTIONS]->(n {tenant: $tenant, key: $key}) "
        "WHERE $label IN labels(n) AND any(g IN d.acl_groups WHERE g IN $groups) "
        "RETURN d.key AS doc_id, d.title AS title ORDER BY doc_id",
        inputs=("entity", "reader_groups")),
    NamedQuery(
        "find_employee", "Employees whose name, user id or key matches (case-insensitive substring).", ("text",),
        "MATCH (e:Employee {tenant: $tenant}) WHERE toLower(e.name) CONTAINS toLower($text) "
        "OR toLower(coalesce(e.user_id, '')) CONTAINS toLower($text) OR e.key = $text "
        "RETURN e.key AS key, e.name AS name, e.title AS title, e.user_id AS user_id ORDER BY key LIMIT 20",
        inputs=("name_text",)),
]

NAMED_QUERIES: dict[str, NamedQuery] = {q.name: q for q in _QUERIES}


def merge_nodes_cypher(label: str) -> str:
    _require(label, LABELS, "label")
    return (f"UNWIND $rows AS row MERGE (n:{label} {{tenant: $tenant, key: row.key}}) "
            "SET n += row.props RETURN count(n) AS n")


def merge_edges_cypher(rel: str, from_label: str, to_label: str) -> str:
    _require(rel, RELATIONSHIPS, "relationship")
    _require(from_label, LABELS, "label")
    _require(to_label, LABELS, "label")
    return (f"UNWIND $rows AS row MATCH (a:{from_label} {{tenant: $tenant, key: row.src}}) "
            f"MATCH (b:{to_label} {{tenant: $tenant, key: row.dst}}) MERGE (a)-[r:{rel}]->(b) RETURN count(r) AS n")


def prune_nodes_cypher(label: str) -> str:
    _require(label, LABELS, "label")
    return f"MATCH (n:{label} {{tenant: $tenant}}) WHERE NOT n.key IN $keys DETACH DELETE n"


def prune_edges_cypher(rel: str, from_label: str, to_label: str) -> str:
    _require(rel, RELATIONSHIPS, "relationship")
    _require(from_label, LABELS, "label")
    _require(to_label, LABELS, "label")
    return (f"MATCH (a:{from_label} {{tenant: $tenant}})-[r:{rel}]->(b:{to_label} {{tenant: $tenant}}) "
            "WHERE NOT (a.key + '|' + b.key) IN $pairs DELETE r")


COUNT_NODES = "MATCH (n {tenant: $tenant}) RETURN labels(n)[0] AS label, count(n) AS n"
COUNT_EDGES = "MATCH (a {tenant: $tenant})-[r]->(b {tenant: $tenant}) RETURN type(r) AS rel, count(r) AS n"
CLEAR_TENANT = "MATCH (n {tenant: $tenant}) DETACH DELETE n"


def _require(value: str, allowed: frozenset[str], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"unknown graph {what} {value!r}")
