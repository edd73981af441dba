"""``nexus index FOLDER --tenant T --groups …``: a folder of documents without a manifest, indexed incrementally with
titles from the documents and the ACL from the groups given."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from erp_core.errors import NexusError
from retrieval.content_store import InMemoryContentStore
from retrieval.indexing.folder import folder_documents
from retrieval.indexing.pipeline import index_corpus
from retrieval.ports import AccessScope

CORPUS = Path(__file__).resolve().parents[3] / "retrieval" / "corpus" / "acme"


@pytest.fixture()
def store(tmp_path: Path, embedder):  # type: ignore[no-untyped-def]
    from retrieval.milvus_store import MilvusVectorStore

    instance = MilvusVectorStore(str(tmp_path / "milvus.db"), embedder.dimension)
    yield instance
    instance.close()


def _folder(root: Path) -> Path:
    import docx

    folder = root / "shared-drive"
    (folder / "policies").mkdir(parents=True)
    (folder / "policies" / "workshop-safety.md").write_text(
        "Intro line\n\n# Workshop Safety Rules\n\nBike lifts are inspected every Monday by the head mechanic.\n",
        encoding="utf-8")
    (folder / "notes.txt").write_text("Supplier Call Notes\n\nShimano delivers brake pads on Thursdays.\n",
                                      encoding="utf-8")
    (folder / "returns.html").write_text(
        "<html><head><title>Returns Policy</title></head><body><h1>Returns</h1>"
        "<p>Unused parts may be returned within 30 days with the receipt.</p></body></html>", encoding="utf-8")
    document = docx.Document()
    document.add_heading("Warranty Handbook", level=1)
    document.add_paragraph("Frames carry a lifetime warranty against manufacturing defects.")
    document.save(str(folder / "warranty.docx"))
    shutil.copy(CORPUS / "journal-entry-guidelines.pdf", folder / "je-guide.pdf")
    (folder / "image.png").write_bytes(b"\x89PNG not a document")
    (folder / ".hidden.md").write_text("# Hidden\n\nnot indexed\n", encoding="utf-8")
    return folder


def test_a_folder_without_manifest_is_indexed_with_titles_and_acl(tmp_path: Path, store) -> None:  # type: ignore[no-untyped-def]
    folder = _folder(tmp_path)
    documents = folder_documents(folder, "acme", ["finance"])
    titles = {d.doc_id: d.title for d in documents}
    assert titles == {"je-guide.pdf": "Journal Entry Guidelines", "notes.txt": "Supplier Call Notes",
                      "policies-workshop-safety.md": "Workshop Safety Rules", "returns.html": "Returns Policy",
                      "warranty.docx": "Warranty Handbook"}
    assert {d.acl_groups for d in documents} == {("finance",)}
    content = InMemoryContentStore()
    first = index_corpus(folder, store, content, device="cpu", documents=documents)
    assert sorted(first.added) == sorted(titles)

    finance = AccessScope("acme", frozenset({"finance"}))
    everyone = AccessScope("acme", frozenset({"all"}))
    hits = store.search(finance, mode="keyword", k=5, query="lifetime warranty frames")
    assert hits and hits[0].doc_id == "warranty.docx" and hits[0].title == "Warranty Handbook"
    assert store.search(everyone, mode="keyword", k=5, query="lifetime warranty frames") == []

    again = index_corpus(folder, store, content, device="cpu", documents=folder_documents(folder, "acme",
                                                                                         ["finance"]))
    assert sorted(again.unchanged) == sorted(titles) and again.chunks_written == 0
    (folder / "notes.txt").unlink()
    (folder / "returns.html").write_text("<html><head><title>Returns Policy</title></head><body>"
                                         "<p>Returns now within 60 days.</p></body></html>", encoding="utf-8")
    third = index_corpus(folder, store, content, device="cpu", documents=folder_documents(folder, "acme",
                                                                                         ["finance"]))
    assert (third.added, third.updated, third.removed) == ([], ["returns.html"], ["notes.txt"])


def test_folder_problems_are_reported(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    with pytest.raises(NexusError) as caught:
        folder_documents(folder, "Acme!", ["nobody"])
    assert {i.code for i in caught.value.issues} == {"invalid_name", "unknown_group"}
    with pytest.raises(NexusError):
        folder_documents(tmp_path / "missing", "acme", ["all"])
