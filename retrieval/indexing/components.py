"""Haystack components of the indexing pipeline that Haystack does not ship.

- ``HeadingMarker`` turns the headings of plain-text conversions (PDF, DOCX) into Markdown ``#`` lines so that one
  splitter (Haystack's ``MarkdownHeaderSplitter``) finds sections in every format, and citations can name them.
- ``ChunkText`` strips the heading marks and page breaks from each split *before* it is embedded, and drops splits
  left empty, so the embedder encodes exactly the text that is stored and cited (and no empty split is embedded).
- ``ChunkWriter`` turns split, embedded Haystack documents into ``Chunk``s and writes them to any ``VectorStore``
  (our own component over pymilvus rather than milvus-haystack: see ``docs/stores.md`` for why).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from typing import Any

from haystack import Document, component

from retrieval.ports import Chunk, VectorStore

# A heading line in extracted text: short, starts with a capital or a section number, no closing punctuation.
_NUMBERED = re.compile(r"^\d+(\.\d+)*\.?\s+\S")
_SENTENCE_END = (".", ",", ";", ":", "!", "?")
_MD_HEADER = re.compile(r"(?m)^#{1,6} ")


def looks_like_heading(line: str, previous: str | None) -> bool:
    """Heuristic for headings in text extracted from PDF/DOCX, where styles are gone.

    The previous line must end a paragraph (or not exist) so that the short last line of a wrapped paragraph is not
    taken for a heading.
    """
    text = line.strip()
    if not text or len(text) > 80 or len(text.split()) > 10 or text.endswith(_SENTENCE_END):
        return False
    if not (text[0].isupper() or _NUMBERED.match(text)):
        return False
    return previous is None or not previous.strip() or previous.rstrip().endswith(_SENTENCE_END) \
        or looks_like_heading(previous, None)


def mark_headings(text: str) -> str:
    """Prefixes heading lines with ``#`` (the first heading) or ``##``; keeps page breaks (form feeds) in place."""
    out: list[str] = []
    previous: str | None = None
    seen_heading = False
    for raw in text.split("\n"):
        page_break = raw.startswith("\f")
        line = raw.lstrip("\f")
        if looks_like_heading(line, previous):
            prefix = "## " if seen_heading else "# "
            seen_heading = True
            # the form feed goes on its own line so the page count before the heading stays right
            out.extend(["\f", prefix + line.strip()] if page_break else [prefix + line.strip()])
        else:
            out.append(raw)
        previous = line
    return "\n".join(out)


@component
class HeadingMarker:
    """Adds Markdown heading marks to documents converted from formats without them (PDF, DOCX)."""

    def __init__(self, formats: list[str] | None = None) -> None:
        self.formats = formats or ["pdf", "docx"]

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, Any]:
        marked = []
        for doc in documents:
            if doc.meta.get("format") in self.formats and doc.content:
                doc = replace(doc, content=mark_headings(doc.content))
            marked.append(doc)
        return {"documents": marked}


def chunk_text(content: str | None) -> str:
    """The stored (and embedded) text of a split: no ``#`` heading marks, no form feeds."""
    return _MD_HEADER.sub("", content or "").replace("\f", "").strip()


@component
class ChunkText:
    """Replaces each split's content by its ``chunk_text`` and drops splits that are left empty."""

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, Any]:
        out = []
        for doc in documents:
            text = chunk_text(doc.content)
            if text:
                out.append(doc if text == doc.content else replace(doc, content=text))
        return {"documents": out}


def chunk_id(tenant: str, doc_id: str, index: int) -> str:
    return f"{tenant}/{doc_id}#{index}"


def to_chunks(documents: list[Document]) -> list[Chunk]:
    """Numbers each document's splits in order and builds the Chunks with citation metadata."""
    counters: dict[tuple[str, str], int] = defaultdict(int)
    chunks = []
    for doc in documents:
        meta = doc.meta
        key = (meta["tenant"], meta["doc_id"])
        index = counters[key]
        counters[key] += 1
        text = chunk_text(doc.content)
        chunks.append(Chunk(
            chunk_id=chunk_id(meta["tenant"], meta["doc_id"], index), doc_id=meta["doc_id"], tenant=meta["tenant"],
            acl_groups=tuple(meta["acl_groups"]), title=meta["title"],
            section=str(meta.get("header") or meta["title"]), page=int(meta.get("page_number") or 1), text=text,
            doc_hash=meta["doc_hash"], source=meta["source"], embedding=tuple(doc.embedding or ())))
    return chunks


@component
class ChunkWriter:
    """Writes embedded splits to a VectorStore, then drops chunks left over from the documents' older versions.

    One upsert and one stale-chunk delete per tenant for the whole run (a delete per document cost Milvus Lite
    ~10 ms each, as much as embedding a dozen chunks).
    """

    def __init__(self, store: VectorStore) -> None:
        self.store = store

    @component.output_types(written=int, chunks_per_document=dict)
    def run(self, documents: list[Document]) -> dict[str, Any]:
        chunks = [c for c in to_chunks(documents) if c.text]
        written = self.store.upsert(chunks)
        per_document: dict[str, int] = defaultdict(int)
        current: dict[str, dict[str, str]] = defaultdict(dict)  # tenant -> doc_id -> the hash just written
        for chunk in chunks:
            per_document[f"{chunk.tenant}/{chunk.doc_id}"] += 1
            current[chunk.tenant][chunk.doc_id] = chunk.doc_hash
        for tenant, hashes in current.items():
            self.store.delete_stale_versions(tenant, hashes)
        return {"written": written, "chunks_per_document": dict(per_document)}
