"""Documents found under a folder without a manifest: ``nexus index FOLDER --tenant T --groups g1,g2``.

Every PDF, DOCX, Markdown, HTML and text file below the folder is a document of the tenant, readable by the given
ACL groups. Its title comes from the document itself (a Markdown ``#`` heading, the HTML ``<title>`` or first
``<h1>``, the DOCX title property or first heading, the PDF title metadata or first line) and falls back to the file
name. Its id is its path relative to the folder; its source is the folder, so a file deleted from the folder leaves
the index on the next run while other folders and the manifest corpus stay untouched. Sub-folders that carry a
``manifest.yaml`` are left to their manifest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from erp_core.errors import Issue, NexusError, not_found, validation_error
from retrieval.acl import check_acl_groups, check_name
from retrieval.indexing.manifest import FORMATS, MANIFEST_NAME, SourceDocument, content_hash

MAX_TITLE_CHARS = 200
_ID_CHARS = re.compile(r"[^a-z0-9._-]+")
_MD_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")


def document_id(relative: Path) -> str:
    """A stable id from the relative path: lowercase, path separators and other characters folded to '-'."""
    return _ID_CHARS.sub("-", relative.as_posix().lower()).strip("-") or "document"


def _clean(text: str | None) -> str | None:
    if not text:
        return None
    text = " ".join(text.split())
    return text[:MAX_TITLE_CHARS] if text else None


def _first_line(text: str) -> str | None:
    return next((_clean(line) for line in text.splitlines() if line.strip()), None)


def _markdown_title(path: Path) -> str | None:
    text = path.read_text(encoding="utf-8", errors="replace")
    for line in text.splitlines():
        match = _MD_HEADING.match(line.strip())
        if match:
            return _clean(match.group(1))
    return _first_line(text) if path.suffix.lower() == ".txt" else None


def _html_title(path: Path) -> str | None:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_bytes(), "html.parser")
    if soup.title and soup.title.string:
        return _clean(soup.title.string)
    heading = soup.find(["h1", "h2"])
    return _clean(heading.get_text(" ")) if heading else None


def _docx_title(path: Path) -> str | None:
    import docx

    document = docx.Document(str(path))
    title = _clean(document.core_properties.title)
    if title:
        return title
    for paragraph in document.paragraphs:
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if paragraph.text.strip() and (style.startswith(("Heading", "Title"))):
            return _clean(paragraph.text)
    return next((_clean(p.text) for p in document.paragraphs if p.text.strip()), None)


def _pdf_title(path: Path) -> str | None:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    meta = reader.metadata
    if meta is not None and meta.title and meta.title.strip():
        return _clean(meta.title)
    return _first_line(reader.pages[0].extract_text() or "") if reader.pages else None


_TITLE_READERS = {"md": _markdown_title, "html": _html_title, "docx": _docx_title, "pdf": _pdf_title}


def document_title(path: Path, fmt: str) -> str:
    """The title the document gives itself, else its file name without the extension."""
    try:
        title = _TITLE_READERS[fmt](path)
    except Exception:  # an unreadable title is no error of its own: the pipeline reports unreadable files
        title = None
    return title or path.stem.replace("_", " ").replace("-", " ").strip() or path.name


def _covered_by_manifest(path: Path, root: Path) -> bool:
    return any((folder / MANIFEST_NAME).is_file() for folder in [path.parent, *path.parent.parents]
               if folder == root or root in folder.parents)


def folder_documents(root: Path, tenant: str, groups: Sequence[str]) -> list[SourceDocument]:
    """Every supported file under ``root`` that no manifest describes, as documents of ``tenant`` for ``groups``.

    Raises:
        NexusError: NOT_FOUND (no such folder); VALIDATION_FAILED (bad tenant or groups).
    """
    if not root.is_dir():
        raise not_found("folder", root)
    issues: list[Issue] = []
    for check in (lambda: check_name("tenant", tenant), lambda: check_acl_groups(list(groups), "groups")):
        try:
            check()
        except NexusError as exc:
            issues.extend(exc.issues or [Issue("invalid", exc.message, "groups")])
    if issues:
        raise validation_error(issues)
    acl = tuple(sorted(set(groups)))
    source = f"folder:{root.resolve()}"
    documents = []
    seen: set[str] = set()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root)
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None or any(part.startswith(".") for part in relative.parts) or _covered_by_manifest(path, root):
            continue
        doc_id = document_id(relative)
        if doc_id in seen:
            continue
        seen.add(doc_id)
        title = document_title(path, fmt)
        metadata = {"tenant": tenant, "id": doc_id, "title": title, "type": "document", "acl": list(acl)}
        documents.append(SourceDocument(tenant=tenant, doc_id=doc_id, title=title, doc_type="document",
                                        acl_groups=acl, path=path, format=fmt, source=source,
                                        doc_hash=content_hash(path.read_bytes(), metadata)))
    return documents
