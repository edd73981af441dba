"""Document search for an authenticated actor: hybrid (dense + BM25, fused by RRF), dense-only or keyword-only.

The tenant and ACL filter comes from the ``Actor`` (``retrieval.acl.scope_for``); callers cannot pass their own.
"""

from __future__ import annotations

from typing import get_args

from erp_core.errors import Issue, validation_error
from erp_core.identity import Actor
from retrieval.acl import scope_for
from retrieval.ports import Embedder, Hit, SearchMode, VectorStore

MAX_QUERY_CHARS = 2000
MAX_K = 50


class DocumentSearch:
    """The read side of the document index, used by the ``search_documents`` tool and the evals."""

    def __init__(self, store: VectorStore, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder

    def search(self, actor: Actor, query: str, k: int = 5, mode: SearchMode = "hybrid") -> list[Hit]:
        """The ``k`` best chunks ``actor`` may read, each with citation data (doc id, title, section, page).

        Raises:
            NexusError: VALIDATION_FAILED for an empty or too long query, a bad ``k`` or mode;
                STORE_UNAVAILABLE when the vector store is down.
        """
        text = query.strip()
        issues = []
        if not text:
            issues.append(Issue("empty_query", "the search query is empty", "query"))
        if len(text) > MAX_QUERY_CHARS:
            issues.append(Issue("query_too_long", f"the query has more than {MAX_QUERY_CHARS} characters", "query"))
        if not 1 <= k <= MAX_K:
            issues.append(Issue("bad_k", f"k must be between 1 and {MAX_K}", "k"))
        if mode not in get_args(SearchMode):
            issues.append(Issue("bad_mode", f"mode must be one of {get_args(SearchMode)}", "mode"))
        if issues:
            raise validation_error(issues)
        scope = scope_for(actor)
        vector = None if mode == "keyword" else self.embedder.embed_query(text)
        return self.store.search(scope, mode=mode, k=k, query=text, vector=vector)
