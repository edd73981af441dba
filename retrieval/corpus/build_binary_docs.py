"""Builds the PDF and DOCX demo documents from their Markdown sources in ``sources/``.

Run ``python -m retrieval.corpus.build_binary_docs`` after editing a source; the outputs are committed so that
indexing never depends on this script. Outputs are byte-for-byte reproducible (fixed dates, no random ids), so an
unchanged source gives an unchanged content hash and the incremental indexer skips it.

The PDF writer is deliberately minimal (Helvetica, WinAnsi text, one page per two sections) so the corpus has real
multi-page PDFs whose page numbers show up in citations.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).resolve().parent
SOURCES = CORPUS / "sources"

# source stem -> (tenant folder, output file name)
OUTPUTS: dict[str, tuple[str, str]] = {
    "acme-remote-work-policy": ("acme", "remote-work-policy.docx"),
    "acme-vendor-onboarding": ("acme", "vendor-onboarding.docx"),
    "acme-journal-entry-guidelines": ("acme", "journal-entry-guidelines.pdf"),
    "acme-information-classification": ("acme", "information-classification.pdf"),
    "globex-consulting-delivery-handbook": ("globex", "consulting-delivery-handbook.docx"),
    "globex-vat-invoicing-guide": ("globex", "vat-invoicing-guide.pdf"),
}

_FIXED_DATE = dt.datetime(2026, 1, 15, 9, 0, 0, tzinfo=dt.UTC)


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class SourceDoc:
    title: str
    preamble: list[str]
    sections: list[Section]


def parse_source(text: str) -> SourceDoc:
    """Reads the small Markdown subset the sources use: one ``#`` title, ``##`` sections, blank-line paragraphs."""
    title = ""
    preamble: list[str] = []
    sections: list[Section] = []
    block: list[str] = []

    def flush() -> None:
        if block:
            paragraph = " ".join(line.strip() for line in block)
            (sections[-1].paragraphs if sections else preamble).append(paragraph)
            block.clear()

    for line in text.splitlines():
        if line.startswith("## "):
            flush()
            sections.append(Section(line[3:].strip()))
        elif line.startswith("# "):
            flush()
            title = line[2:].strip()
        elif not line.strip():
            flush()
        else:
            block.append(line)
    flush()
    return SourceDoc(title, preamble, sections)


# --------------------------------------------------------------------------------------------------- PDF


def _pdf_text(value: str) -> bytes:
    escaped = value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return escaped.encode("cp1252")


def _page_stream(lines: list[tuple[str, str, int]]) -> bytes:
    """Content stream for one page; ``lines`` are (font resource, text, size) from the top of the page down."""
    out = [b"BT", b"72 770 Td"]
    for font, text, size in lines:
        leading = size + 5
        out.append(f"/{font} {size} Tf".encode())
        out.append(b"(" + _pdf_text(text) + b") Tj")
        out.append(f"0 -{leading} Td".encode())
    out.append(b"ET")
    return b"\n".join(out)


def _pdf_pages(doc: SourceDoc) -> list[list[tuple[str, str, int]]]:
    def wrapped(text: str) -> list[tuple[str, str, int]]:
        return [("F1", line, 11) for line in textwrap.wrap(text, 92)] + [("F1", "", 11)]

    first: list[tuple[str, str, int]] = [("F2", doc.title, 16), ("F1", "", 11)]
    for paragraph in doc.preamble:
        first += wrapped(paragraph)
    pages = [first]
    for index, section in enumerate(doc.sections):
        if index and index % 2 == 0:  # two sections per page: the corpus needs multi-page PDFs
            pages.append([])
        pages[-1].append(("F2", section.heading, 12))
        for paragraph in section.paragraphs:
            pages[-1] += wrapped(paragraph)
    return pages


def render_pdf(doc: SourceDoc) -> bytes:
    """A minimal, valid PDF 1.4 file: catalog, page tree, two standard fonts, one content stream per page."""
    pages = _pdf_pages(doc)
    objects: list[bytes] = []
    font_regular, font_bold = 3, 4
    first_page = 5
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    for i, lines in enumerate(pages):
        content_ref = first_page + 2 * i + 1
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content_ref} 0 R "
            f"/Resources << /Font << /F1 {font_regular} 0 R /F2 {font_bold} 0 R >> >> >>".encode())
        stream = _page_stream(lines)
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")

    body = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref_at = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        body += f"{offset:010d} 00000 n \n".encode()
    body += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n".encode()
    return bytes(body)


# --------------------------------------------------------------------------------------------------- DOCX


def render_docx(doc: SourceDoc, path: Path) -> None:
    import docx  # python-docx; only needed when rebuilding the corpus

    document = docx.Document()
    props = document.core_properties
    props.title = doc.title
    props.author = "Nexus demo corpus"
    props.created = props.modified = props.last_printed = _FIXED_DATE
    props.revision = 1
    document.add_heading(doc.title, level=1)
    for paragraph in doc.preamble:
        document.add_paragraph(paragraph)
    for section in doc.sections:
        document.add_heading(section.heading, level=2)
        for paragraph in section.paragraphs:
            document.add_paragraph(paragraph)
    document.save(str(path))
    _normalise_zip_dates(path)


def _normalise_zip_dates(path: Path) -> None:
    """Rewrites the .docx zip with fixed member timestamps so rebuilding gives identical bytes."""
    import zipfile

    with zipfile.ZipFile(path) as source:
        members = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 15, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)


def build_all() -> list[Path]:
    written = []
    for stem, (tenant, name) in OUTPUTS.items():
        source = parse_source((SOURCES / f"{stem}.md").read_text(encoding="utf-8"))
        target = CORPUS / tenant / name
        if name.endswith(".pdf"):
            target.write_bytes(render_pdf(source))
        else:
            render_docx(source, target)
        written.append(target)
    return written


if __name__ == "__main__":
    for out in build_all():
        print(out.relative_to(CORPUS))
