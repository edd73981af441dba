"""The Haystack indexing pipeline and the incremental ``index_corpus`` entry point.

convert (Markdown as text, HTML via trafilatura to Markdown, DOCX, PDF via pypdf) → mark headings → clean → split at
headings, then by words (no NLTK) → strip the split markup (``ChunkText``) → embed (sentence-transformers, local
model dir) → write (``ChunkWriter``: one upsert and one stale-chunk delete per run).

Incremental: a document whose content hash (file bytes + metadata) is already indexed is skipped; a changed one is
re-embedded and its old chunks removed; a document that left its manifest is removed from the vector store and the
content store, scoped to the manifest's ``source`` so indexing another folder never deletes the demo corpus.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from erp_core.errors import ErrorCode, Issue, NexusError
from retrieval.embedding import resolve_device, resolve_model_path
from retrieval.indexing.manifest import SourceDocument, load_documents
from retrieval.ports import ContentStore, VectorStore

if TYPE_CHECKING:
    from haystack import Pipeline

SPLIT_WORDS = 120
SPLIT_OVERLAP = 20
# Documents per pipeline run. Embedding dominates the cost, and sentence-transformers sorts texts by length within
# one encode call, so the more chunks one run embeds, the less padding; each run also costs one upsert and one delete.
# Smaller runs would only move the progress bar more often (the demo corpus, 46 documents, is one run).
BATCH_DOCUMENTS = 256
# A run that wrote this many chunks seals them into a segment (``VectorStore.flush``); smaller runs leave them in the
# store's write buffer, which Milvus searches and seals on its own, instead of a tiny segment per small update
# (a flush cost ~3% of indexing the demo corpus, 223 chunks).
FLUSH_MIN_CHUNKS = 2000
ProgressFn = Callable[[int, int, str], None]


@dataclass
class IndexReport:
    """What one ``index_corpus`` run did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    chunks_written: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
                f"{len(self.removed)} removed; {self.chunks_written} chunks written in {self.seconds:.1f} s")


def build_pipeline(store: VectorStore, model_path: Path | None = None, device: str = "auto",
                   batch_size: int = 32) -> Pipeline:
    """The indexing pipeline; its inputs are the four converters' ``sources``/``meta``."""
    from haystack import Pipeline
    from haystack.components.converters import (
        DOCXToDocument,
        HTMLToDocument,
        PyPDFToDocument,
        TextFileToDocument,
    )
    from haystack.components.joiners import DocumentJoiner
    from haystack.components.preprocessors import DocumentCleaner, MarkdownHeaderSplitter
    from haystack.utils import ComponentDevice
    from haystack_integrations.components.embedders.sentence_transformers import (
        SentenceTransformersDocumentEmbedder,
    )

    from retrieval.indexing.components import ChunkText, ChunkWriter, HeadingMarker

    pipeline = Pipeline()
    pipeline.add_component("md", TextFileToDocument())
    pipeline.add_component("html", HTMLToDocument(extraction_kwargs={"output_format": "markdown",
                                                                     "include_tables": True, "favor_recall": True}))
    pipeline.add_component("docx", DOCXToDocument(table_format="markdown"))
    pipeline.add_component("pdf", PyPDFToDocument())
    pipeline.add_component("join", DocumentJoiner(join_mode="concatenate"))
    pipeline.add_component("headings", HeadingMarker())
    # remove_extra_whitespaces would fold the newlines that put headings at the start of a line
    pipeline.add_component("clean", DocumentCleaner(remove_empty_lines=False, remove_extra_whitespaces=False,
                                                    unicode_normalization="NFKC",
                                                    replace_regexes={r"[ \t]{2,}": " "}))
    pipeline.add_component("split", MarkdownHeaderSplitter(header_split_levels=[1, 2, 3], secondary_split="word",
                                                           split_length=SPLIT_WORDS, split_overlap=SPLIT_OVERLAP))
    pipeline.add_component("text", ChunkText())
    pipeline.add_component("embed", SentenceTransformersDocumentEmbedder(
        model=str(resolve_model_path(model_path)), device=ComponentDevice.from_str(resolve_device(device)),
        batch_size=batch_size, progress_bar=False, normalize_embeddings=True, meta_fields_to_embed=["title"],
        local_files_only=True, token=None))
    pipeline.add_component("write", ChunkWriter(store))
    for converter in ("md", "html", "docx", "pdf"):
        pipeline.connect(f"{converter}.documents", "join.documents")
    pipeline.connect("join.documents", "headings.documents")
    pipeline.connect("headings.documents", "clean.documents")
    pipeline.connect("clean.documents", "split.documents")
    pipeline.connect("split.documents", "text.documents")
    pipeline.connect("text.documents", "embed.documents")
    pipeline.connect("embed.documents", "write.documents")
    return pipeline


def run_batch(pipeline: Pipeline, docs: Sequence[SourceDocument]) -> tuple[int, dict[str, int], dict[str, str]]:
    """Indexes ``docs``; returns (chunks written, chunks per 'tenant/doc_id', converted text per 'tenant/doc_id')."""
    inputs: dict[str, dict[str, list[Any]]] = {name: {"sources": [], "meta": []}
                                               for name in ("md", "html", "docx", "pdf")}
    for doc in docs:
        inputs[doc.format]["sources"].append(doc.path)
        inputs[doc.format]["meta"].append(doc.meta())
    result = pipeline.run(inputs, include_outputs_from={"clean"})
    texts = {f"{d.meta['tenant']}/{d.meta['doc_id']}": d.content or "" for d in result["clean"]["documents"]}
    return result["write"]["written"], result["write"]["chunks_per_document"], texts


def index_corpus(path: Path, vector_store: VectorStore, content_store: ContentStore | None = None, *,
                 model_path: Path | None = None, device: str = "auto", rebuild: bool = False,
                 batch_documents: int = BATCH_DOCUMENTS, progress: ProgressFn | None = None,
                 pipeline: Pipeline | None = None, documents: list[SourceDocument] | None = None) -> IndexReport:
    """Indexes every document listed by the manifests under ``path``, incrementally.

    Args:
        path: a folder holding ``manifest.yaml`` files (e.g. ``retrieval/corpus``) or one manifest.
        vector_store: where chunks go; ``content_store``, when given, receives each document's text and metadata.
        rebuild: re-index everything under ``path`` even when unchanged.
        progress: called as ``progress(done, total, doc_id)`` after each batch.
        pipeline: a pipeline from ``build_pipeline`` writing to ``vector_store``, to reuse its loaded model; by
            default one is built (and the model loaded) when something needs indexing.
        documents: the documents to index instead of the manifests' (``folder.folder_documents`` for a folder
            without a manifest); removals stay scoped to these documents' sources.

    Raises:
        NexusError: VALIDATION_FAILED listing every manifest problem (nothing is written then); STORE_UNAVAILABLE.
    """
    started = time.perf_counter()
    if documents is None:
        documents = load_documents(path)
    report = IndexReport()
    indexed = {(d.tenant, d.doc_id): d for d in vector_store.indexed_documents()}
    todo = []
    for doc in documents:
        previous = indexed.get(doc.key)
        if previous is not None and previous.doc_hash == doc.doc_hash and not rebuild:
            report.unchanged.append(doc.doc_id)
            continue
        (report.updated if previous else report.added).append(doc.doc_id)
        todo.append(doc)

    if todo:
        if pipeline is None:
            pipeline = build_pipeline(vector_store, model_path, device)
        done = 0
        for start in range(0, len(todo), batch_documents):
            batch = todo[start:start + batch_documents]
            written, per_doc, texts = run_batch(pipeline, batch)
            _check_every_document_indexed(batch, per_doc)
            report.chunks_written += written
            if content_store is not None:
                records: dict[str, dict[str, dict[str, Any]]] = {}
                for doc in batch:
                    records.setdefault(doc.tenant, {})[doc.doc_id] = _content_record(doc, texts, per_doc)
                for tenant, by_id in records.items():
                    content_store.put_documents(tenant, by_id)
            done += len(batch)
            if progress:
                progress(done, len(todo), batch[-1].doc_id)

    if report.chunks_written >= FLUSH_MIN_CHUNKS:
        vector_store.flush()
    current = {doc.key for doc in documents}
    sources = {doc.source for doc in documents}
    gone = [d for key, d in indexed.items() if key not in current and d.source in sources]
    for stale in gone:
        vector_store.delete_documents(stale.tenant, [stale.doc_id])
        if content_store is not None:
            content_store.delete_document(stale.tenant, stale.doc_id)
        report.removed.append(stale.doc_id)
    report.seconds = time.perf_counter() - started
    return report


def _check_every_document_indexed(batch: Sequence[SourceDocument], per_doc: dict[str, int]) -> None:
    """Haystack converters skip unreadable files with a warning; here that becomes an error naming them."""
    empty = [doc for doc in batch if per_doc.get(f"{doc.tenant}/{doc.doc_id}", 0) == 0]
    if empty:
        issues = [Issue("no_text", f"{doc.path} gave no indexable text (unreadable or empty {doc.format})",
                        doc.doc_id) for doc in empty]
        raise NexusError(ErrorCode.VALIDATION_FAILED, "; ".join(i.message for i in issues), issues=issues)


def _content_record(doc: SourceDocument, texts: dict[str, str], per_doc: dict[str, int]) -> dict[str, Any]:
    key = f"{doc.tenant}/{doc.doc_id}"
    return {**doc.meta(), "text": texts.get(key, ""), "chunks": per_doc.get(key, 0),
            "indexed_at": time.time()}
