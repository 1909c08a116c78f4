"""A ruled table of a PDF page as rows of cells (pdfplumber's cell boxes, characters placed by a grid lookup), and
the test that tells a real one-row table from a box drawn behind narrative text.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from itertools import pairwise

from helpers.ingest.pdf_glyphs import SENTENCE_PUNCT, SIZE, TEXT, VY, X0, X1, cluster_lines, join_wrapped, line_text

# Text running through a one-row grid's ruling with a gap below this (em): not a table.
FLOW_GAP = 0.3


class Grid:
    """A found table: its cells on pdfplumber's row/column grid, and a fast lookup."""

    __slots__ = ("bbox", "cells", "content", "fake", "slots", "xs", "ys")

    def __init__(self, cells: list[tuple]):
        self.cells = cells
        self.xs = sorted({c[0] for c in cells})
        self.ys = sorted({c[1] for c in cells})
        self.bbox = (
            min(c[0] for c in cells),
            min(c[1] for c in cells),
            max(c[2] for c in cells),
            max(c[3] for c in cells),
        )
        xs, ys = self.xs, self.ys
        # slots[row][col] → index of the cell covering that grid position
        self.slots = [[-1] * len(xs) for _ in ys]
        for k, (x0, top, x1, bottom) in enumerate(cells):
            c0, r0 = xs.index(x0), ys.index(top)
            c1 = bisect_right(xs, x1 - 0.01)
            r1 = bisect_right(ys, bottom - 0.01)
            for r in range(r0, r1):
                row = self.slots[r]
                for c in range(c0, c1):
                    if row[c] == -1:
                        row[c] = k
        self.content: list[list[tuple]] = [[] for _ in cells]
        self.fake = False

    @property
    def n_rows(self) -> int:
        return len(self.ys)

    @property
    def n_cols(self) -> int:
        return len(self.xs)

    def locate(self, hx: float, vy: float) -> int:
        x0, top, x1, bottom = self.bbox
        if not (x0 <= hx < x1 and top <= vy < bottom):
            return -1
        r = bisect_right(self.ys, vy) - 1
        c = bisect_right(self.xs, hx) - 1
        if r < 0 or c < 0:
            return -1
        k = self.slots[r][c]
        if k < 0:
            return -1
        cell = self.cells[k]
        if hx < cell[2] and vy < cell[3]:
            return k
        return -1

    def cell_text(self, k: int) -> str:
        glyphs = self.content[k]
        if not glyphs:
            return ""
        pieces = [line_text(line) for line in cluster_lines(glyphs)]
        return join_wrapped(pieces).replace("\t", " ")

    def rows(self) -> list[str]:
        """One TAB-joined line per grid row (every column kept; all-empty rows dropped)."""
        xs, ys = self.xs, self.ys
        by_pos = {(c[1], c[0]): k for k, c in enumerate(self.cells)}
        out = []
        for top in ys:
            texts = []
            for x in xs:
                k = by_pos.get((top, x))
                texts.append(self.cell_text(k) if k is not None else "")
            if any(texts):
                if len(texts) == 1:
                    texts.append("")
                out.append("\t".join(texts))
        return out

    def text_flows_through(self, outside: list[tuple]) -> bool:
        """True when a run of text crosses one of this one-row grid's vertical rulings.

        A box drawn behind each run of narrative text gives a one-row "table" whose cell
        borders cut words and numbers (``1935.`` | ``36``); in a real table the cell
        content keeps clear of the rulings.
        """
        x0, top, x1, bottom = self.bbox
        # glyphs per column slot, left to right
        runs = []
        for k in sorted(range(len(self.cells)), key=lambda k: self.cells[k][0]):
            glyphs = [g for g in self.content[k] if g[TEXT] != " "]
            if glyphs:
                runs.append(
                    (
                        min(glyphs, key=lambda g: g[X0]),
                        max(glyphs, key=lambda g: g[X1]),
                    )
                )
            else:
                runs.append(None)
        for left, right in pairwise(runs):
            if left and right:
                a, b = left[1], right[0]
                if b[X0] - a[X1] < FLOW_GAP * max(a[SIZE], b[SIZE]):
                    return True
        # text glued to the outer left or right border, on the same line
        first = next((r for r in runs if r), None)
        last = next((r for r in reversed(runs) if r), None)
        if first is None:
            return False
        for g in outside:
            if g[TEXT] == " " or not (top <= g[VY] < bottom):
                continue
            size = g[SIZE]
            if g[X1] <= x0 + 1 and first[0][X0] - g[X1] < FLOW_GAP * size:
                return True
            if g[X0] >= x1 - 1 and g[X0] - last[1][X1] < FLOW_GAP * size:
                return True
        return False

    def is_sentence_row(self) -> bool:
        """A one-row grid whose cells are prose: two or more filled cells, each with
        sentence punctuation and none an amount."""
        filled = [t for t in (self.cell_text(k) for k in range(len(self.cells))) if t]
        return len(filled) >= 2 and all(
            not _AMOUNT_RE.match(t) and any(ch in SENTENCE_PUNCT for ch in t)
            for t in filled
        )


_AMOUNT_RE = re.compile(r"^[-+]?[\d,，.]+%?$")
