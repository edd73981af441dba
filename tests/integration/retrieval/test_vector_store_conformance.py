"""VectorStore conformance: one suite, run against Milvus Lite in-process and ``milvus-lite server`` over gRPC."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator

import pytest

from erp_core.errors import ErrorCode, NexusError
from retrieval.ports import AccessScope, Chunk, VectorStore

DIM = 8


def _vector(seed: int) -> list[float]:
    raw = [math.sin(seed * (i + 1)) + 1.5 for i in range(DIM)]
    norm = math.sqrt(sum(x * x for x in raw))
    return [x / norm for x in raw]


def _chunk(tenant: str, doc: str, index: int, text: str, acl: tuple[str, ...], seed: int,
           doc_hash: str = "h1") -> Chunk:
    return Chunk(chunk_id=f"{tenant}/{doc}#{index}", doc_id=doc, tenant=tenant, acl_groups=acl, title=doc.title(),
                 section="Intro", page=1 + index, text=text, doc_hash=doc_hash, source="conformance",
                 embedding=_vector(seed))


@pytest.fixture(params=["lite-file", "lite-server"])
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[VectorStore]:  # type: ignore[no-untyped-def]
    from retrieval.milvus_store import MilvusVectorStore

    in_process = request.param == "lite-file"
    uri = str(tmp_path / "milvus.db") if in_process else request.getfixturevalue("milvus_server").uri
    collection = f"conf_{uuid.uuid4().hex[:8]}"
    instance = MilvusVectorStore(uri, DIM, collection)
    instance.upsert([
        _chunk("acme", "travel", 0, "The hotel cap is 250 USD per night.", ("all",), 1),
        _chunk("acme", "travel", 1, "Receipts are required above 25 USD.", ("all",), 2),
        _chunk("acme", "salaries", 0, "Salary bands for hotel managers are confidential.", ("hr",), 3),
        _chunk("globex", "travel", 0, "The hotel cap is 200 EUR per night.", ("all",), 1),
    ])
    yield instance
    instance.drop()
    instance.close()


EVERYONE = AccessScope("acme", frozenset({"all"}))
HR = AccessScope("acme", frozenset({"all", "hr"}))


@pytest.mark.parametrize("mode", ["dense", "keyword", "hybrid"])
def test_search_respects_tenant_and_acl(store: VectorStore, mode: str) -> None:
    hits = store.search(EVERYONE, mode=mode, k=10, query="hotel cap", vector=_vector(1))  # type: ignore[arg-type]
    assert hits, "the tenant's readable chunks must be found"
    assert {h.chunk_id for h in hits} <= {"acme/travel#0", "acme/travel#1"}
    assert hits[0].chunk_id == "acme/travel#0"
    assert hits[0].title == "Travel" and hits[0].section == "Intro" and hits[0].page == 1

    hr_hits = store.search(HR, mode=mode, k=10, query="hotel salary bands", vector=_vector(3))  # type: ignore[arg-type]
    assert "acme/salaries#0" in {h.chunk_id for h in hr_hits}


def test_hybrid_fuses_both_rankings(store: VectorStore) -> None:
    # dense prefers chunk #1 (its own vector), keyword prefers chunk #0 ("hotel cap"): fusion returns both
    hits = store.search(EVERYONE, mode="hybrid", k=2, query="hotel cap", vector=_vector(2))
    assert {h.chunk_id for h in hits} == {"acme/travel#0", "acme/travel#1"}


def test_upsert_replaces_and_stale_chunks_go(store: VectorStore) -> None:
    store.upsert([_chunk("acme", "travel", 0, "New travel rules: the hotel cap is 300 USD.", ("all",), 1, "h2")])
    assert store.delete_stale_versions("acme", {"travel": "h2"}) == 1
    docs = {(d.tenant, d.doc_id): d.doc_hash for d in store.indexed_documents()}
    assert docs[("acme", "travel")] == "h2"
    hits = store.search(EVERYONE, mode="keyword", k=5, query="hotel cap")
    assert [h.text for h in hits] == ["New travel rules: the hotel cap is 300 USD."]


def test_delete_documents_and_count(store: VectorStore) -> None:
    assert store.count() == 4
    assert store.count("acme") == 3
    store.delete_documents("acme", ["travel"])
    assert store.count("acme") == 1
    assert store.count("globex") == 1
    assert {d.doc_id for d in store.indexed_documents("acme")} == {"salaries"}


def test_scope_names_are_validated(store: VectorStore) -> None:
    evil = AccessScope('acme" or tenant != "x', frozenset({"all"}))
    with pytest.raises(NexusError) as err:
        store.search(evil, mode="keyword", k=5, query="hotel")
    assert err.value.code is ErrorCode.VALIDATION_FAILED


def test_wrong_dimension_is_refused(store: VectorStore) -> None:
    with pytest.raises(NexusError):
        store.search(EVERYONE, mode="dense", k=5, query="x", vector=[0.1, 0.2])


def test_stale_versions_of_many_documents_go_in_one_call(store: VectorStore) -> None:
    store.upsert([_chunk("acme", "travel", 0, "Hotel cap 300 USD.", ("all",), 1, "h2"),
                  _chunk("acme", "salaries", 0, "Bands are reviewed yearly.", ("hr",), 3, "h2")])
    # travel#1 (h1) is stale; globex/travel (h1) belongs to another tenant and stays
    assert store.delete_stale_versions("acme", {"travel": "h2", "salaries": "h2"}) == 1
    assert store.count() == 3
    assert {(d.tenant, d.doc_id, d.doc_hash) for d in store.indexed_documents()} == {
        ("acme", "travel", "h2"), ("acme", "salaries", "h2"), ("globex", "travel", "h1")}
    assert store.delete_stale_versions("acme", {}) == 0


@pytest.mark.parametrize("mode", ["dense", "keyword", "hybrid"])
def test_acl_groups_match_exactly(store: VectorStore, mode: str) -> None:
    # "_" is a LIKE wildcard: a reader of "sales-ops" must not match a "sales_ops" document, nor "ops" or "sales"
    store.upsert([_chunk("acme", "pipeline", 0, "The hotel pipeline review is weekly.", ("sales_ops",), 4),
                  _chunk("acme", "forecast", 0, "The hotel pipeline forecast is weekly.", ("salesxops",), 4)])
    for groups in ({"sales-ops"}, {"ops"}, {"sales"}):
        hits = store.search(AccessScope("acme", frozenset(groups)), mode=mode, k=10,  # type: ignore[arg-type]
                            query="hotel pipeline review", vector=_vector(4))
        assert "acme/pipeline#0" not in {h.chunk_id for h in hits}, groups
    hits = store.search(AccessScope("acme", frozenset({"sales_ops"})), mode=mode, k=10,  # type: ignore[arg-type]
                        query="hotel pipeline review", vector=_vector(4))
    assert [h.chunk_id for h in hits] == ["acme/pipeline#0"]


def test_a_collection_without_acl_key_is_migrated(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Collections written before ``acl_key`` existed keep their rows and become searchable under the new filter."""
    from pymilvus import DataType, Function, FunctionType, MilvusClient

    from retrieval.milvus_store import MilvusVectorStore

    uri = str(tmp_path / "old.db")
    client = MilvusClient(uri=uri)
    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("chunk_id", DataType.VARCHAR, is_primary=True, max_length=512)
    for name in ("doc_id", "tenant", "title", "section", "doc_hash", "source"):
        schema.add_field(name, DataType.VARCHAR, max_length=256)
    schema.add_field("acl_groups", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=16, max_length=64)
    schema.add_field("page", DataType.INT64)
    schema.add_field("chunk_index", DataType.INT64)
    schema.add_field("text", DataType.VARCHAR, max_length=32000, enable_analyzer=True)
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=DIM)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_function(Function(name="text_bm25", function_type=FunctionType.BM25, input_field_names=["text"],
                                 output_field_names=["sparse"]))
    index = client.prepare_index_params()
    index.add_index(field_name="dense", index_type="AUTOINDEX", metric_type="COSINE")
    index.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
    client.create_collection("old", schema=schema, index_params=index)
    client.insert("old", [
        {"chunk_id": f"acme/{doc}#0", "doc_id": doc, "tenant": "acme", "title": doc, "section": "S", "doc_hash": "h",
         "source": "s", "acl_groups": list(acl), "page": 1, "chunk_index": 0, "text": text, "dense": _vector(seed)}
        for doc, acl, text, seed in (("travel", ("all",), "The hotel cap is 250 USD.", 1),
                                     ("salaries", ("hr",), "Hotel managers' salary bands.", 3))])
    client.close()

    store = MilvusVectorStore(uri, DIM, "old")
    try:
        assert store.count() == 2
        hits = store.search(EVERYONE, mode="hybrid", k=5, query="hotel", vector=_vector(3))
        assert [h.chunk_id for h in hits] == ["acme/travel#0"]
        assert {h.chunk_id for h in store.search(HR, mode="keyword", k=5, query="hotel")} == {
            "acme/travel#0", "acme/salaries#0"}
    finally:
        store.close()
