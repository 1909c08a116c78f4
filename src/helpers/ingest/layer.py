"""The text layer: what every stage after ingest reads, from a text file or from a PDF.

A text layer is UTF-8 text, one visual line per line; a table row is its cells joined by TAB. A PDF's layer starts
each page with a marker line, the form feed followed by the page number (``\\f12``), so every line knows its page.
A raw ``.txt`` may carry the same markers (a layer saved as text keeps its pages); without them its lines have no
page. The layer of a PDF is extracted once and cached by the PDF's sha256 in the interim folder, beside a JSON
file of its page statistics; an unchanged PDF is never extracted twice.
"""
from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.frames import Array
from helpers.fsio import write_atomic

PAGE_MARK = "\f"
PAGE_MARK_RE = re.compile(r"^\f(\d+)\s*$")
# Bumped whenever the extraction writes a different layer for the same PDF: older cache files are then ignored.
LAYER_VERSION = 1


@dataclass(frozen=True)
class PageStats:
    """What the extraction saw of one PDF, kept beside its cached layer."""

    n_pages: int
    scanned_pages: list[int] = field(default_factory=list)  # pages with images and no text characters
    dropped_lines: int = 0  # page furniture dropped (page numbers, running headers)
    seconds: float = 0.0  # extraction time when the layer was made
    version: str = ""  # layer format and library versions the cache entry was made with


def split_pages(text: str) -> tuple[str, tuple[int | None, ...] | None]:
    """The text with each page-marker line blanked (line numbers kept), and the page of every line; None for a
    text without markers."""
    if PAGE_MARK not in text:
        return text, None
    lines = text.split("\n")
    pages: list[int | None] = []
    page: int | None = None
    for i, line in enumerate(lines):
        marker = PAGE_MARK_RE.match(line)
        if marker:
            page = int(marker.group(1))
            lines[i] = ""
        pages.append(page)
    return "\n".join(lines), tuple(pages)


def version_key() -> str:
    import pdfplumber

    return f"layer{LAYER_VERSION}-pdfplumber{pdfplumber.__version__}"


@dataclass(frozen=True)
class CachedLayer:
    text: str  # with page markers
    stats: PageStats
    cached: bool  # read from the cache, not extracted now


def pdf_layer(path: Path, sha256: str, interim_dir: Path) -> CachedLayer:
    """The text layer of a PDF: from the cache when this PDF (by content) was extracted by this version, else
    extracted now and cached. Raises PdfError for a PDF that cannot be read."""
    from helpers.ingest.pdf import extract_pdf

    key = version_key()
    text_path, stats_path = interim_dir / f"{sha256}.txt", interim_dir / f"{sha256}.json"
    if text_path.is_file() and stats_path.is_file():
        try:
            stats = PageStats(**json.loads(stats_path.read_text(encoding="utf-8")))
            if stats.version == key:
                return CachedLayer(text_path.read_text(encoding="utf-8"), stats, True)
        except (ValueError, TypeError):
            pass  # a damaged cache entry is made again
    start = time.perf_counter()
    layer = extract_pdf(path)
    stats = PageStats(len(layer.pages), layer.scanned_pages, sum(len(p.dropped) for p in layer.pages),
                      round(time.perf_counter() - start, 3), key)
    text = layer.text()
    interim_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(text_path, text)
    write_atomic(stats_path, json.dumps(asdict(stats), ensure_ascii=False))
    return CachedLayer(text, stats, False)


@dataclass(frozen=True)
class LayerRun:
    """What making sure of one PDF's layer did: its pages, whether they came from the cache, the seconds it took."""

    pages: int
    cached: bool
    seconds: float


def ensure_layer(path: Path, interim_dir: Path) -> LayerRun | None:
    """The layer of one PDF extracted into the cache unless it is there (a task of its own, so that a corpus's PDFs
    are extracted file by file in parallel before any document reads them); None for a PDF that cannot be read,
    whose document reports why when it reads it."""
    from helpers.ingest.pdf import PdfError

    start = time.perf_counter()
    try:
        layer = pdf_layer(path, hashlib.sha256(path.read_bytes()).hexdigest(), interim_dir)
    except (PdfError, OSError):
        return None
    return LayerRun(layer.stats.n_pages, layer.cached, time.perf_counter() - start)


def renumber_pages(text: str, offset: int) -> str:
    """A layer's page markers shifted by ``offset`` (the pages of the files before it in the document)."""
    if not offset:
        return text
    return re.sub(r"(?m)^\f(\d+)\s*$", lambda m: f"{PAGE_MARK}{int(m.group(1)) + offset}", text)


def page_values(pages: tuple[int | None, ...] | None, lines: Array) -> pd.arrays.IntegerArray:
    """The page of each line (Int64; all missing for a text input, built without a value per row)."""
    if pages is None:
        return pd.arrays.IntegerArray(np.zeros(len(lines), dtype="int64"), np.ones(len(lines), dtype=bool))
    return _page_array(pages, lines)


def _page_array(pages: tuple[int | None, ...], lines: Array) -> pd.arrays.IntegerArray:
    """The page of each line, as pd.array(..., dtype="Int64") makes it (a missing page holds 1 under its mask)
    without its look at every value."""
    if lines.dtype == np.int64:  # no row without a line: each one an index into pages
        count = len(pages)
        found = [pages[n - 1] if 0 < n <= count else None for n in lines.tolist()]
    else:
        found = [_page_of(pages, n) for n in lines.tolist()]
    mask = np.fromiter((p is None for p in found), dtype=bool, count=len(found))
    data = np.fromiter((1 if p is None else p for p in found), dtype=np.int64, count=len(found))
    return pd.arrays.IntegerArray(data, mask)


def _page_of(pages: tuple[int | None, ...], line) -> int | None:
    if pd.isna(line):  # a row with no line (a missing key figure)
        return None
    index = int(line) - 1
    return pages[index] if 0 <= index < len(pages) else None


def pages_of_lines(pages: tuple[int | None, ...] | None, lines) -> list[int]:
    """The distinct pages of some lines, sorted."""
    if pages is None:
        return []
    return sorted({p for n in lines if (p := _page_of(pages, n)) is not None})
