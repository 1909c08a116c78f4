"""The one error a document can end in (a one-line message naming its problem), and a problem as the `problems`
table records it."""
from __future__ import annotations

from dataclasses import dataclass


class DocumentError(Exception):
    """A document that cannot be processed; the message is one line naming the problem, ``stage`` where it arose."""

    def __init__(self, message: str, stage: str = "") -> None:
        super().__init__(message)
        self.stage = stage


@dataclass(frozen=True)
class Problem:
    """One problem of the input, as a row of the `problems` table and as the line printed for it."""

    severity: str  # error | warning
    file: str  # the file it concerns (a raw document, the manifest, the folder)
    message: str  # one line
    stage: str  # where it arose: folder, manifest, read, metadata, tables, checks, analysis, write, corpus
    doc_id: str = ""  # empty when no document is concerned (a stray file, the folder)

    def line(self) -> str:
        return f"{self.severity}: {self.file}: {self.message}"

    def __str__(self) -> str:
        """As the folder's problems were printed before they had a severity: file and message."""
        return f"{self.file}: {self.message}"
