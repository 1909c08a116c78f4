"""Read a raw text file: encodings, binary and empty files, checksum; and what one document's text is made of.
"""
from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from helpers.errors import DocumentError
from helpers.ingest.layer import split_pages

# Control characters other than tab, line feed, form feed and carriage return.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# More control characters than this share of the text: not extracted text but a binary file.
BINARY_CONTROL_SHARE = 0.01
# A Chinese text in GB18030 is almost all hanzi of GB2312 and its punctuation; bytes of another encoding (Big5, a
# binary file) decoded as GB18030 come out as kana, Cyrillic and rare hanzi: about 0.3 of them common (measured on the
# bundled documents as Big5 and as UTF-8 bytes read as GB18030, and on random bytes; real documents give 0.99–1.0).
MIN_COMMON_SHARE = 0.8
COMMON_GB2312_LEADS = frozenset({0xA1, 0xA2, 0xA3, *range(0xB0, 0xF8)})  # punctuation, ①, full-width forms, hanzi
ASCII_RE = re.compile(r"[\x00-\x7f]+")
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


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


class Decoded(NamedTuple):
    text: str  # line ends normalised to \\n, stray control characters removed
    encoding: str  # the codec that reads the file's bytes back (utf-8-sig for UTF-8 with or without BOM)
    warnings: tuple[str, ...] = ()  # one line each: what was changed while decoding


def decode(data: bytes) -> Decoded:
    """Text and encoding of a raw file's bytes: UTF-8, UTF-16/32 (with a byte-order mark, or UTF-16 without one),
    GB18030; Big5 and binary files refused with a message that names them. A few stray control characters (BEL …)
    are removed with a warning; many make the file binary."""
    text, encoding = _decode_bytes(data)
    if not text.strip():
        raise DocumentError("file is empty")
    controls = CONTROL_RE.findall(text)
    if len(controls) > BINARY_CONTROL_SHARE * len(text):
        raise DocumentError(f"file is binary ({len(controls)} control characters in {len(text)}), not extracted text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not controls:
        return Decoded(text, encoding)
    line = text[: CONTROL_RE.search(text).start()].count("\n") + 1
    codes = ", ".join(f"U+{ord(c):04X}" for c in sorted(set(controls)))
    warning = f"{len(controls)} control character(s) removed ({codes}; the first on line {line})"
    return Decoded(CONTROL_RE.sub("", text), encoding, (warning,))


def _decode_bytes(data: bytes) -> tuple[str, str]:
    if not data.strip():
        raise DocumentError("file is empty")
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                raise DocumentError(f"file starts with a {encoding.upper()} byte-order mark but does not decode as "
                                    f"{encoding.upper()}") from None
    if b"\x00" in data:
        for encoding in ("utf-16-le", "utf-16-be"):  # UTF-16 without a byte-order mark: ASCII has NUL bytes
            text = _strict(data, encoding)
            if text is not None and _mostly_common_chinese(text) and not text.count("\x00"):
                return text, encoding
        raise DocumentError("file is binary (contains NUL bytes), not extracted text")
    text = _strict(data, "utf-8")
    if text is not None:
        return text, "utf-8-sig"
    text = _strict(data, "gb18030")
    if text is not None and _mostly_common_chinese(text):
        return text, "gb18030"
    if _strict(data, "big5") is not None:
        raise DocumentError("text looks like Big5 (traditional Chinese), which is not read: the maps hold simplified "
                            "titles; save it as UTF-8 in simplified Chinese")
    raise DocumentError("encoding not recognised (tried UTF-8, UTF-16, GB18030 and Big5)")


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _mostly_common_chinese(text: str) -> bool:
    """Whether the text's non-ASCII characters are mostly common hanzi and punctuation (see MIN_COMMON_SHARE)."""
    wide = ASCII_RE.sub("", text)
    if not wide:
        return True
    encoded = wide.encode("gb2312", errors="ignore")
    common = sum(1 for lead in encoded[0::2] if lead in COMMON_GB2312_LEADS)
    return common >= MIN_COMMON_SHARE * len(wide)


def read_text(path: Path) -> RawText:
    """A raw text file as a document's text (its page markers, if any, blanked and mapped)."""
    data = path.read_bytes()
    text, encoding, warnings = decode(data)
    digest = hashlib.sha256(data).hexdigest()
    text, pages = split_pages(text)
    return RawText(path, text, encoding, digest, pages, (SourcePart(path.name, "text", digest),),
                   problems=tuple(("warning", w) for w in warnings))
