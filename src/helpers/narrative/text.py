"""Narrative text as paragraphs: lines joined until a sentence ends, each character keeping its line.

Markdown debris is stripped (leading ``#``, ``- ``, every ``*``); a line that does not end with a sentence
end (。；：) continues on the next non-empty line, so ``项目支出 4760.78`` / (blank) / ``万元`` is one
number; a markdown heading (``#`` line) stands alone.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

EVIDENCE_MAX = 80
_SENTENCE_END = "。；：;:！？!?"
_TRAILING_CLOSERS = "”’\"'）)】」』"
UNIT_FACTOR = {"元": 1e-4, "万元": 1.0, "亿元": 1e4, None: 1.0}
HEADING_START_RE = re.compile(r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")
WHITESPACE_RE = re.compile(r"\s+")
SENTENCE_END_RE = re.compile(r"[。！？!?]")
BRACKET_RE = re.compile(r"[（()）]")
# 、 ends a clause only after an amount (货物预算0万元、工程预算0万元), not inside 收、支总计.
CLAUSE_END_RE = re.compile(r"[，,；;。：:！？!?]|(?<=[元%％\d])、")


def clean_line(text: str) -> str:
    """Strip markdown debris: leading ``#`` and ``- ``, every ``*``."""
    text = text.replace("*", "").strip()
    text = text.lstrip("#").strip()
    if text.startswith("- ") or text == "-":
        text = text[1:].strip()
    return text


@dataclass
class Paragraph:
    text: str
    starts: list[int]  # offset in text where each piece starts
    lines: list[int]  # line number of each piece

    def line_at(self, offset: int) -> int:
        return self.lines[bisect.bisect_right(self.starts, offset) - 1]


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip(_TRAILING_CLOSERS + " \t")
    return bool(stripped) and stripped[-1] in _SENTENCE_END


def join_paragraphs(lines: Iterable[tuple[int, str]]) -> list[Paragraph]:
    """Join the lines of each paragraph, remembering which line each part came from."""
    paragraphs: list[Paragraph] = []
    text, starts, nums = "", [], []

    def flush() -> None:
        nonlocal text, starts, nums
        if text:
            paragraphs.append(Paragraph(text, starts, nums))
        text, starts, nums = "", [], []

    for number, raw in lines:
        is_heading = raw.lstrip().startswith("#")
        piece = clean_line(raw)
        if not piece:
            continue
        if is_heading or HEADING_START_RE.match(piece):
            flush()  # a numbered heading (第三部分, 一、, （二）) starts a paragraph of its own
        starts.append(len(text))
        nums.append(int(number))
        text += piece
        # A sentence end inside brackets (…万元；\n…万元。）比上年增加…) does not end the paragraph.
        if is_heading or _ends_sentence(piece) and _open_brackets(text) == 0:
            flush()
    flush()
    return paragraphs


def _open_brackets(text: str) -> int:
    return _bracket_walk(text)[1]


def bracketed_asides(text: str) -> list[tuple[int, int]]:
    """(open, close) positions of the bracketed asides of a paragraph, outermost ones."""
    return _bracket_walk(text)[0]


def _bracket_walk(text: str) -> tuple[list[tuple[int, int]], int]:
    """The outermost bracketed spans closed in the text, and how many brackets are left open at its end (a closing
    bracket with none open is ignored)."""
    spans, depth, start = [], 0, 0
    for m in BRACKET_RE.finditer(text):  # the brackets alone: a paragraph has few, most none
        if m.group() in "（(":
            depth, start = depth + 1, (m.start() if depth == 0 else start)
        elif depth:
            depth -= 1
            if depth == 0:
                spans.append((start, m.start()))
    return spans, depth


def evidence_text(text: str) -> str:
    text = WHITESPACE_RE.sub(" ", text).strip()
    return text if len(text) <= EVIDENCE_MAX else text[: EVIDENCE_MAX - 1] + "…"


@dataclass(frozen=True)
class ClauseEnds:
    """Where a paragraph's clauses and sentences end (right after their mark), found once: each number looks for the
    clause and sentence it stands in. Every mark is one character, so the marks before a position are the ends up to
    it, as a search stopped there finds them."""

    clauses: list[int]
    sentences: list[int]

    @classmethod
    def of(cls, text: str) -> ClauseEnds:
        return cls([m.end() for m in CLAUSE_END_RE.finditer(text)], [m.end() for m in SENTENCE_END_RE.finditer(text)])

    def clause_start(self, position: int, back: int = 1) -> int:
        """Where the clause holding ``position`` starts (``back`` = 2: the clause before it); 0 if none does."""
        k = bisect.bisect_right(self.clauses, position)
        return self.clauses[k - back] if k >= back else 0

    def clause_stop(self, position: int, length: int) -> int:
        """Where the clause holding ``position`` stops (its mark), or the paragraph's ``length``."""
        k = bisect.bisect_right(self.clauses, position)
        return self.clauses[k] - 1 if k < len(self.clauses) else length

    def sentence_start(self, position: int) -> int:
        k = bisect.bisect_right(self.sentences, position)
        return self.sentences[k - 1] if k else 0
