"""Knowledge tools: document search with citations, and named knowledge-graph queries.

The graph tool never runs model-written Cypher: the model picks one of the named queries of
``retrieval.graph.queries`` and gives its parameters in plain words, which the erp_core resolvers turn into the
graph's keys (employee numbers, customer, vendor and account codes). Both read only what the actor may see: the
search and the document-returning queries are filtered by the actor's ACL groups, customer data by the CRM's scope.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from erp_core.crm.access import owner_scope
from erp_core.errors import ErrorCode, Issue, NexusError, validation_error
from erp_core.money import parse_amount, to_minor
from erp_core.resolve.accounts import resolve_account
from erp_core.resolve.domain_queries import DocumentQuery, GraphQuery
from erp_core.resolve.parties import resolve_customer, resolve_vendor
from erp_core.resolve.people import resolve_employee
from erp_core.tenancy import functional_currency
from retrieval.acl import groups_for_roles
from retrieval.extract import extract_answer
from retrieval.graph.queries import NAMED_QUERIES, Input
from tools.context import ToolContext
from tools.output import ToolOutput
from tools.present_documents import document_answer
from tools.present_graph import graph_answer
from tools.registry import tool

MAX_ROWS = 20


@tool("search_documents", DocumentQuery, examples=(
    "What does the travel policy say about hotel caps?", "How many days of annual leave do we get?",
    "Find the section on month-end close deadlines", "What are the payment terms in our vendor contracts?"))
def search_documents(ctx: ToolContext, q: DocumentQuery) -> ToolOutput:
    """Search company documents (policies, guides, contracts) and quote the sentence that answers, with its citation.

    The answer is extractive (``retrieval.extract``): the passages' own sentence, never a paraphrase; ``data`` keeps
    every passage found and the quoted answer's place in them.
    """
    documents = ctx.document_search()
    if documents is None:
        raise NexusError(ErrorCode.STORE_UNAVAILABLE, "document search is not configured or its store is down")
    # A continued question ("and the accruals?") is searched with the question it continues, and answered by the
    # sentence about what it adds.
    hits = documents.search(ctx.actor, f"{q.query} {q.context}" if q.context else q.query, k=q.k)
    passages = [{"n": i, "doc_id": h.doc_id, "chunk_id": h.chunk_id, "title": h.title, "section": h.section,
                 "page": h.page, "text": h.text[:600]} for i, h in enumerate(hits, start=1)]
    extract = extract_answer(q.query, hits, documents.embedder, context=q.context) if hits else None
    shown = document_answer(q.query, hits, extract)
    answer = None if extract is None else {
        "text": extract.text, "doc_id": extract.hit.doc_id, "chunk_id": extract.hit.chunk_id,
        "title": extract.hit.title, "section": extract.hit.section, "page": extract.hit.page,
        "similarity": extract.similarity, "confident": extract.confident}
    return ToolOutput(shown.headline, {"answer": answer, "passages": passages},
                      citations=[h.citation() for h in hits], presentation=shown,
                      query={"query": q.query, "k": q.k, **({"context": q.context} if q.context else {})})


@tool("graph_query", GraphQuery, examples=(
    "Who approves a purchase order of 25,000?", "Who reports directly to Carol?",
    "Which accounts roll up into operating expenses?", "Who owns the Northwind account?"))
def graph_query(ctx: ToolContext, q: GraphQuery) -> ToolOutput:
    """Answer a relationship question from the knowledge graph with one named query (org chart, approvers,
    account tree, customer relations, ownership, documents mentioning something)."""
    graph = ctx.graph_store()
    if graph is None:
        raise NexusError(ErrorCode.STORE_UNAVAILABLE, "the knowledge graph is not configured or its server is down")
    with ctx.db.read() as session:
        params = graph_params(session, ctx, q)
        currency = functional_currency(session, ctx.actor.tenant) if q.amount else None
    rows: list[dict[str, Any]] = graph.run_named(q.query, ctx.actor.tenant, **params)
    shown = {k: v for k, v in params.items() if k != "groups"}
    brief = "; ".join(", ".join(str(v) for v in row.values() if v not in (None, "")) for row in rows[:5])
    said = q.person or q.customer or q.vendor or q.account or q.text
    shown_rows = rows[:MAX_ROWS]
    presentation = graph_answer(q.query, shown_rows, subject=said, amount=q.amount, currency=currency,
                                document_type=q.document_type)
    return ToolOutput(f"{q.query} {shown}: {len(rows)} rows" + (f": {brief}" if brief else ""),
                      {"query": q.query, "params": shown, "rows": shown_rows}, presentation=presentation,
                      query=_remembered(q, params))


def _remembered(q: GraphQuery, params: dict[str, Any]) -> dict[str, Any]:
    """The call as a follow-up edits it: the arguments by name, a person as the employee number resolved (so "her
    leave balance" after "who reports to Carol?" is Carol's)."""
    said = q.model_dump(exclude_none=True)
    if "employee" in params and said.get("person"):
        said["person"] = params["employee"]
    return said


def graph_params(session: Session, ctx: ToolContext, q: GraphQuery) -> dict[str, Any]:
    """The named query's parameters, resolved from what was said by the inputs the graph layer declares for it
    (``retrieval.graph.queries``); a missing one is a fixable error naming it."""
    named = NAMED_QUERIES[q.query]
    if named.crm_scope == "always":
        owner_scope(ctx.actor)  # customers and deals: CRM readers only
    resolved: dict[str, Any] = {}
    for source in named.inputs:
        resolved.update(_INPUTS[source](session, ctx, q))
    if named.crm_scope == "customers" and resolved.get("label") == "Customer":
        owner_scope(ctx.actor)
    return {name: resolved[name] for name in named.params}


def _need(q: GraphQuery, value: str | None, name: str) -> str:
    if not value:
        raise validation_error([Issue("missing_param", f"which {name.replace('_', ' ')} do you mean?", name)])
    return value


def _only_name(q: GraphQuery) -> str | None:
    """The one name said, whichever slot it landed in (a small model, or grounding, may put "Northwind" under
    person); None when several or none were said."""
    said = {value for value in (q.customer, q.vendor, q.person, q.account) if value}
    return said.pop() if len(said) == 1 else None


def _any_entity(session: Session, ctx: ToolContext, name: str) -> dict[str, Any] | None:
    """``name`` as a customer, a vendor, an employee or an account, the first that knows it."""
    resolvers: tuple[tuple[str, Callable[[], str]], ...] = (
        ("Customer", lambda: resolve_customer(session, ctx.actor, name).code),
        ("Vendor", lambda: resolve_vendor(session, ctx.actor.tenant, name).code),
        ("Employee", lambda: resolve_employee(session, ctx.actor, name).employee_no),
        ("Account", lambda: resolve_account(session, ctx.actor.tenant, name).code))
    for label, resolve in resolvers:
        try:
            return {"label": label, "key": resolve()}
        except NexusError as exc:
            if exc.code not in (ErrorCode.UNKNOWN_NAME, ErrorCode.NOT_FOUND):
                raise
    return None


def _entity(session: Session, ctx: ToolContext, q: GraphQuery) -> dict[str, Any]:
    actor = ctx.actor
    if (name := _only_name(q)) is not None and (found := _any_entity(session, ctx, name)) is not None:
        return found
    if q.customer:
        return {"label": "Customer", "key": resolve_customer(session, actor, q.customer).code}
    if q.vendor:
        return {"label": "Vendor", "key": resolve_vendor(session, actor.tenant, q.vendor).code}
    if q.person:
        return {"label": "Employee", "key": resolve_employee(session, actor, q.person).employee_no}
    if q.account:
        return {"label": "Account", "key": resolve_account(session, actor.tenant, q.account).code}
    raise validation_error([Issue("missing_param", "which customer, vendor, person or account do you mean?",
                                  "customer")])


def _amount(session: Session, ctx: ToolContext, q: GraphQuery) -> dict[str, Any]:
    currency = functional_currency(session, ctx.actor.tenant)
    return {"amount_minor": to_minor(parse_amount(_need(q, q.amount, "amount"), currency), currency)}


Resolver = Callable[[Session, ToolContext, GraphQuery], dict[str, Any]]
_INPUTS: dict[Input, Resolver] = {
    # a name said in another slot is still the person asked about: never the asker's own chart instead
    "person_or_me": lambda s, ctx, q: {
        "employee": resolve_employee(s, ctx.actor, q.person or _only_name(q) or "me").employee_no},
    "name_text": lambda s, ctx, q: {"text": _need(q, q.text or q.person, "text")},
    "account": lambda s, ctx, q: {"code": resolve_account(s, ctx.actor.tenant, _need(q, q.account, "account")).code},
    "customer": lambda s, ctx, q: {
        "customer": resolve_customer(s, ctx.actor, _need(q, q.customer or _only_name(q), "customer")).code},
    "entity": _entity,
    "document_type": lambda s, ctx, q: {"document_type": _need(q, q.document_type, "document_type")},
    "amount": _amount,
    "reader_groups": lambda s, ctx, q: {"groups": sorted(groups_for_roles(ctx.actor.roles))},
}
