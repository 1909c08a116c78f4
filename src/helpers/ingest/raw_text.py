"""Read a raw text file: encodings, binary and empty files, checksum; and what one document's text is made of.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from helpers.errors import DocumentError
from helpers.ingest.layer import split_pages

# Encodings tried in order; GB18030 is a superset of GBK/GB2312 used by Chinese tools.
ENCODINGS = ("utf-8-sig", "gb18030")
# Control characters other than tab, line feed, form feed and carriage return.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


@dataclass(frozen=True)
class SourcePart:
    """One raw file of a document and the pages it brings (first..last in the document's numbering)."""

    name: str
    kind: str  # "pdf" or "text"
    sha256: str
    first_page: int | None = None
    last_page: int | None = None
    scanned_pages: tuple[int, ...] = ()  # in the document's numbering

    def label(self) -> str:
        if self.first_page is None:
            return self.name
        return f"{self.name}:{self.first_page}-{self.last_page}"


@dataclass(frozen=True)
class RawText:
    path: Path  # the document's first raw file
    text: str  # the text layer, page markers blanked (line numbers as in the layer)
    encoding: str
    sha256: str  # of the raw file; of the files' checksums in order for a document of several files
    pages: tuple[int | None, ...] | None = None  # page of each line; None for text without pages
    parts: tuple[SourcePart, ...] = ()
    layer_file: str = ""  # where the text layer can be read when it is not the raw file itself
    problems: tuple[tuple[str, str], ...] = ()  # (severity, message) of the reading, e.g. pages without text
    extracted_pages: int = 0  # PDF pages extracted now (not from the cache)
    cached_pages: int = 0
    extract_seconds: float = 0.0


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding of a raw file's bytes (UTF-8 or GB18030), refusing empty and binary files."""
    if not data.strip():
        raise DocumentError("file is empty")
    if b"\x00" in data:
        raise DocumentError("file is binary (contains NUL bytes), not extracted text")
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text.replace("\r\n", "\n").replace("\r", "\n"), encoding
    raise DocumentError("encoding not recognised (tried UTF-8 and GB18030)")


def read_text(path: Path) -> RawText:
    """A raw text file as a document's text (its page markers, if any, blanked and mapped)."""
    data = path.read_bytes()
    text, encoding = decode(data)
    digest = hashlib.sha256(data).hexdigest()
    text, pages = split_pages(text)
    return RawText(path, text, encoding, digest, pages, (SourcePart(path.name, "text", digest),))


def _looks_like_text(text: str) -> bool:
    control = len(CONTROL_RE.findall(text))  # one regex pass, not a Python loop over every character
    return control <= len(text) / 1000
