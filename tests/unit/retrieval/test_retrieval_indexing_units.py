"""Heading detection, chunk building, manifests and the binary corpus builder (no stores, no model)."""

from __future__ import annotations

from pathlib import Path

import pytest
from haystack import Document

from erp_core.errors import ErrorCode, NexusError
from retrieval.corpus.build_binary_docs import parse_source, render_pdf
from retrieval.indexing.components import ChunkText, mark_headings, to_chunks
from retrieval.indexing.manifest import load_documents

CORPUS = Path(__file__).resolve().parents[3] / "retrieval" / "corpus"


def test_mark_headings_finds_numbered_and_short_titles_and_keeps_page_breaks() -> None:
    text = ("Journal Entry Guidelines\nAcme Robotics Inc. — Finance only.\n1. Scope\nThese guidelines apply to\n"
            "every entry.\n\f3. Approval thresholds\nEntries under 10,000 USD post directly.\n")
    marked = mark_headings(text).split("\n")
    assert marked[0] == "# Journal Entry Guidelines"
    assert "## 1. Scope" in marked and "## 3. Approval thresholds" in marked
    assert "every entry." in marked, "the short last line of a wrapped paragraph is not a heading"
    assert marked[marked.index("## 3. Approval thresholds") - 1] == "\f"


def test_to_chunks_numbers_splits_per_document_and_strips_markup() -> None:
    meta = {"tenant": "acme", "doc_id": "d", "title": "T", "acl_groups": ["all"], "doc_hash": "h", "source": "s"}
    docs = [Document(content="## Hotels\n\nThe cap is 250 USD.", meta={**meta, "header": "Hotels", "page_number": 2},
                     embedding=[0.1, 0.2]),
            Document(content="Preamble text", meta={**meta, "header": ""}, embedding=[0.3, 0.4])]
    first, second = to_chunks(docs)
    assert (first.chunk_id, first.section, first.page) == ("acme/d#0", "Hotels", 2)
    assert first.text == "Hotels\n\nThe cap is 250 USD."
    assert (second.chunk_id, second.section, second.page) == ("acme/d#1", "T", 1)


def test_chunk_text_embeds_what_is_stored_and_drops_empty_splits() -> None:
    meta = {"tenant": "acme", "doc_id": "d", "title": "T", "acl_groups": ["all"], "doc_hash": "h", "source": "s"}
    splits = [Document(content="\f\n  \n", meta=dict(meta)),
              Document(content="## Hotels\n\nThe cap is 250 USD.\f", meta={**meta, "header": "Hotels"})]
    out = ChunkText().run(documents=splits)["documents"]
    assert [d.content for d in out] == ["Hotels\n\nThe cap is 250 USD."]
    chunks = to_chunks([Document(content=d.content, meta=d.meta, embedding=[0.1]) for d in out])
    assert [c.chunk_id for c in chunks] == ["acme/d#0"], "numbering starts at the first split that has text"


def test_demo_corpus_manifests() -> None:
    docs = load_documents(CORPUS)
    assert len(docs) >= 40
    assert {d.tenant for d in docs} == {"acme", "globex"}
    assert {d.format for d in docs} == {"md", "pdf", "docx", "html"}
    assert {"hr", "executives", "finance", "sales", "all"} <= {g for d in docs for g in d.acl_groups}
    assert len({d.doc_hash for d in docs}) == len(docs)


def test_demo_corpus_states_the_demo_company_facts() -> None:
    def text(tenant: str, name: str) -> str:
        return " ".join((CORPUS / tenant / name).read_text(encoding="utf-8").split())

    matrix = text("acme", "procurement-approval-matrix.md")
    for fact in ("under 5,000 USD", "50,000 USD and above", "under 10,000 USD", "100,000 USD and above", "0.8",
                 "14 days"):
        assert fact in matrix
    assert "42,000.00 USD" in text("acme", "hq-lease-summary.md")
    assert "18,500.00 EUR" in text("globex", "office-lease-berlin.md")
    assert "20 days" in text("acme", "leave-policy.md") and "25 days" in text("globex", "leave-policy.md")
    assert "250 USD per night" in text("acme", "travel-expense-policy.md")
    assert "200 EUR per night" in text("globex", "travel-expense-policy.md")


def test_missing_path_and_folder_without_manifest(tmp_path: Path) -> None:
    with pytest.raises(NexusError) as missing:
        load_documents(tmp_path / "nope")
    assert missing.value.code is ErrorCode.NOT_FOUND
    with pytest.raises(NexusError) as empty:
        load_documents(tmp_path)
    assert empty.value.code is ErrorCode.VALIDATION_FAILED


def test_committed_pdfs_are_what_the_builder_makes() -> None:
    source = parse_source((CORPUS / "sources" / "acme-journal-entry-guidelines.md").read_text(encoding="utf-8"))
    assert source.title == "Journal Entry Guidelines" and len(source.sections) == 5
    assert render_pdf(source) == (CORPUS / "acme" / "journal-entry-guidelines.pdf").read_bytes()
