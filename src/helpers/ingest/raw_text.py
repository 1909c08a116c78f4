"""Read a raw text file: encodings, binary and empty files, checksum.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from helpers.errors import DocumentError

# Encodings tried in order; GB18030 is a superset of GBK/GB2312 used by Chinese tools.
ENCODINGS = ("utf-8-sig", "gb18030")
# Control characters other than tab, line feed, form feed and carriage return.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


@dataclass(frozen=True)
class RawText:
    path: Path
    text: str
    encoding: str
    sha256: str


def read_text(path: Path) -> RawText:
    """Decode a raw file (UTF-8 or GB18030), refusing empty and binary files."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
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
            return RawText(path, text.replace("\r\n", "\n").replace("\r", "\n"), encoding, digest)
    raise DocumentError("encoding not recognised (tried UTF-8 and GB18030)")


def _looks_like_text(text: str) -> bool:
    control = len(CONTROL_RE.findall(text))  # one regex pass, not a Python loop over every character
    return control <= len(text) / 1000
