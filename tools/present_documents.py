"""What a person reads for a document search: the policy's own sentence that answers, quoted with its citation.

Not the list of passages found and not a model's paraphrase: the sentence comes from ``retrieval.extract`` and is
quoted verbatim, so a figure in it ("20 days", "75 USD") is exactly the document's. When the best sentence does not
answer the question closely enough, the headline says so before quoting it, instead of passing it off as the answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from retrieval.extract import Extract
from retrieval.ports import Hit
from tools.presentation import Presentation

MAX_QUERY_SHOWN = 120


def quote(extract: Extract) -> str:
    """``"<sentence(s)>" — Title, § Section``."""
    return f'"{extract.text}" — {extract.source}'


def document_answer(question: str, hits: Sequence[Hit], extract: Extract | None) -> Presentation:
    if not hits or extract is None:
        asked = question if len(question) <= MAX_QUERY_SHOWN else question[:MAX_QUERY_SHOWN].rsplit(" ", 1)[0] + " …"
        return Presentation(f'I found nothing in the documents you can read that answers "{asked}".')
    if not extract.confident:
        return Presentation(f"The documents you can read do not answer this directly. The closest passage: "
                            f"{quote(extract)}")
    return Presentation(quote(extract))
