"""One document's text layer, from its raw files in order: PDFs through the cached extraction, text as it is.

The pages of a document of several files are numbered on: the second file's first page follows the first file's
last. A document of one PDF reads its layer from the cache file; a document of several files writes the joined
layer to ``<interim>/documents/<doc_id>.txt`` so that every line number can be looked up.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from helpers.errors import DocumentError
from helpers.fsio import write_atomic
from helpers.ingest.layer import pdf_layer, renumber_pages, split_pages
from helpers.ingest.pdf import PdfError
from helpers.ingest.raw_text import RawText, SourcePart, decode
from helpers.ingest.sources import DocumentSource, kind_of


def read_document(source: DocumentSource, interim_dir: Path) -> RawText:
    """The text layer of a document; DocumentError (one line) when a file cannot be read."""
    texts: list[str] = []
    parts: list[SourcePart] = []
    problems: list[tuple[str, str]] = []
    encodings: list[str] = []
    layer_file = ""
    offset = extracted = cached = 0
    seconds = 0.0
    for path in source.files:
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        where = f"{path.name}: " if len(source.files) > 1 else ""
        if kind_of(path) == "pdf":
            try:
                layer = pdf_layer(path, digest, interim_dir)
            except PdfError as exc:
                raise DocumentError(f"{where}{exc}", "read") from None
            stats = layer.stats
            if stats.scanned_pages:
                shown = ", ".join(str(p) for p in stats.scanned_pages)
                problems.append(("warning", f"{where}pages {shown} have images but no text layer (scanned?): "
                                            "whatever they print is not read"))
            texts.append(renumber_pages(layer.text, offset))
            parts.append(SourcePart(path.name, "pdf", digest, offset + 1, offset + stats.n_pages,
                                    tuple(p + offset for p in stats.scanned_pages)))
            offset += stats.n_pages
            cached, extracted = (cached + stats.n_pages, extracted) if layer.cached else (cached, extracted + stats.n_pages)
            seconds += 0.0 if layer.cached else stats.seconds
            encodings.append("pdf")
            layer_file = f"{digest}.txt"
        else:
            try:
                text, encoding, warnings = decode(data)
            except DocumentError as exc:
                raise DocumentError(f"{where}{exc}", "read") from None
            problems += [("warning", f"{where}{w}") for w in warnings]
            texts.append(text)
            parts.append(SourcePart(path.name, "text", digest))
            encodings.append(encoding)
            layer_file = ""
    n_pages = sum(p.last_page - p.first_page + 1 for p in parts if p.first_page)
    if n_pages and all(p.kind == "pdf" for p in parts) and sum(len(p.scanned_pages) for p in parts) == n_pages:
        raise DocumentError(f"no text layer on any of its {n_pages} pages (a scanned PDF?); OCR is not supported", "read")
    joined = "\n".join(t.rstrip("\n") for t in texts) + "\n" if len(texts) > 1 else texts[0]
    if len(source.files) > 1:
        layer_file = f"documents/{source.doc_id}.txt"
        (interim_dir / "documents").mkdir(parents=True, exist_ok=True)
        write_atomic(interim_dir / layer_file, joined)
    text, pages = split_pages(joined)
    digest = parts[0].sha256 if len(parts) == 1 else hashlib.sha256(
        "".join(p.sha256 for p in parts).encode()).hexdigest()
    return RawText(source.path, text, "+".join(dict.fromkeys(encodings)), digest, pages, tuple(parts), layer_file,
                   tuple(problems), extracted, cached, seconds)
