"""Incremental indexing through the Haystack pipeline into Milvus Lite, with the content store."""

from __future__ import annotations

from pathlib import Path

import pytest

from erp_core.errors import ErrorCode, NexusError
from retrieval.content_store import InMemoryContentStore
from retrieval.indexing.pipeline import index_corpus
from retrieval.ports import AccessScope


@pytest.fixture()
def store(tmp_path: Path, embedder):  # type: ignore[no-untyped-def]
    from retrieval.milvus_store import MilvusVectorStore

    instance = MilvusVectorStore(str(tmp_path / "milvus.db"), embedder.dimension)
    yield instance
    instance.close()


def test_incremental_reindex(small_corpus: Path, store, embedder) -> None:  # type: ignore[no-untyped-def]
    content = InMemoryContentStore()
    first = index_corpus(small_corpus, store, content, device="cpu")
    assert sorted(first.added) == ["t-benefits", "t-journal", "t-remote", "t-travel"]
    assert len(store.indexed_documents()) == 4
    total = store.count()
    assert content.get_document("acme", "t-journal")["chunks"] >= 3  # type: ignore[index]
    assert "reversing entry" in content.get_document("acme", "t-journal")["text"]  # type: ignore[index]

    again = index_corpus(small_corpus, store, content, device="cpu")
    assert sorted(again.unchanged) == ["t-benefits", "t-journal", "t-remote", "t-travel"]
    assert again.chunks_written == 0 and store.count() == total

    # change one document (shorter: fewer chunks), drop one from the manifest, add one
    (small_corpus / "travel-expense-policy.md").write_text(
        "# Travel\n\n## Hotels\n\nThe hotel cap is now 275 USD per night.\n", encoding="utf-8")
    manifest = small_corpus / "manifest.yaml"
    text = manifest.read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if "t-benefits" not in line) + "\n"
    (small_corpus / "extra.md").write_text("# Parking\n\n## Garage\n\nThe garage opens at 6:00.\n", encoding="utf-8")
    text += "  - {id: t-parking, file: extra.md, title: Parking, type: policy, acl: [all]}\n"
    manifest.write_text(text, encoding="utf-8")

    third = index_corpus(small_corpus, store, content, device="cpu")
    assert (third.added, third.updated, third.removed) == (["t-parking"], ["t-travel"], ["t-benefits"])
    assert sorted(third.unchanged) == ["t-journal", "t-remote"]
    docs = {d.doc_id: d.doc_hash for d in store.indexed_documents()}
    assert set(docs) == {"t-travel", "t-journal", "t-remote", "t-parking"}
    assert content.get_document("acme", "t-benefits") is None

    everyone = AccessScope("acme", frozenset({"all"}))
    hits = store.search(everyone, mode="keyword", k=10, query="hotel cap per night")
    travel = [h for h in hits if h.doc_id == "t-travel"]
    assert len(travel) == 1 and "275 USD" in travel[0].text, "old chunks of the changed document are gone"
    assert store.search(everyone, mode="keyword", k=10, query="401(k) retirement plan match") == []


def test_acl_change_reindexes_the_document(small_corpus: Path, store) -> None:  # type: ignore[no-untyped-def]
    index_corpus(small_corpus, store, device="cpu")
    manifest = small_corpus / "manifest.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        "title: Remote Work, type: policy, acl: [all]", "title: Remote Work, type: policy, acl: [hr]"),
        encoding="utf-8")
    report = index_corpus(small_corpus, store, device="cpu")
    assert report.updated == ["t-remote"]
    everyone = AccessScope("acme", frozenset({"all"}))
    assert not [h for h in store.search(everyone, mode="keyword", k=10, query="home-office allowance")
                if h.doc_id == "t-remote"]


def test_bad_manifest_lists_every_problem_and_writes_nothing(tmp_path: Path, store) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "a.md").write_text("# A\n\ntext\n", encoding="utf-8")
    (folder / "manifest.yaml").write_text(
        "tenant: acme\ndocuments:\n"
        "  - {id: a, file: a.md, title: A, acl: [all]}\n"
        "  - {id: b, file: missing.md, title: B, acl: [all]}\n"
        "  - {id: c, file: a.md, title: C, acl: [nobody]}\n"
        "  - {id: d, file: a.xls, title: D, acl: [all]}\n", encoding="utf-8")
    with pytest.raises(NexusError) as err:
        index_corpus(folder, store, device="cpu")
    assert err.value.code is ErrorCode.VALIDATION_FAILED
    assert {i.code for i in err.value.issues} >= {"missing_file", "unknown_group", "unsupported_format"}
    assert store.count() == 0
