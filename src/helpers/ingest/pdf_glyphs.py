"""Characters of a PDF page into visual lines: glyph boxes rebuilt around the baseline, lines by vertical overlap,
spaces where the PDF shows a real gap, full-width marks a font maps to ASCII, text drawn turned read upright, and
line breaks inside a table cell joined.
"""
from __future__ import annotations

import re

# All distances are relative to the font size of the characters involved.
# A gap this wide (em) between two glyphs is a word gap ...
SPACE_GAP = 0.5


# ... before an opening quote or bracket, often set in the right half of its slot ...
SPACE_GAP_OPENING = 0.8


# ... and this wide where the PDF put a space glyph.
SPACE_GAP_WITH_SPACE_CHAR = 0.15


# Share of the smaller height two glyphs must overlap to share a line.
LINE_OVERLAP = 0.5


# Glyph box rebuilt around the baseline (em above, em below).
ASCENT, DESCENT = 0.8, 0.2


# An ASCII mark whose box and slot are this wide (em) stands for a full-width one.
FULLWIDTH_SLOT = 0.85


CJK_RE = re.compile(
    "[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
)


SENTENCE_PUNCT = set("，。；！？")


_OPENING = set("“‘（《〈「『【〔")


_FULLWIDTH = {
    ":": "：",
    ",": "，",
    ";": "；",
    "(": "（",
    ")": "）",
    "!": "！",
    "?": "？",
}


# A glyph is a tuple, built once per page from pdfplumber's char dicts:
TOP, BOT, X0, X1, SIZE, TEXT, HX, VY = range(8)


def detect_direction(chars: list[dict]) -> int:
    """The page's dominant writing direction in degrees counter-clockwise: 0 upright,
    90 running up the page, 180 upside down, 270 running down (a landscape table set
    on a portrait page without /Rotate)."""
    votes = [0, 0, 0, 0]
    for c in chars:
        m = c.get("matrix")
        if not m:
            continue
        a, b = m[0], m[1]
        if abs(a) >= abs(b):
            votes[0 if a > 0 else 2] += 1
        else:
            votes[1 if b > 0 else 3] += 1
    best = max(range(4), key=votes.__getitem__)
    return 90 * best if votes[best] > votes[0] else 0


def turn_box(box: tuple, direction: int, width: float, height: float) -> tuple:
    """(x0, top, x1, bottom) in page space → the same box on the page turned so that
    text of ``direction`` reads upright."""
    x0, top, x1, bottom = box
    if direction == 90:
        return (height - bottom, x0, height - top, x1)
    if direction == 270:
        return (top, width - x1, bottom, width - x0)
    if direction == 180:
        return (width - x1, height - bottom, width - x0, height - top)
    return box


def read_glyphs(
    chars: list[dict], direction: int = 0, width: float = 0.0, height: float = 0.0
):
    """Page chars → glyph tuples (top, bottom, x0, x1, size, text, h-mid, v-mid), the
    number of chars with text and the number of those without a Unicode mapping.

    The vertical extent of upright text is rebuilt from the baseline (the text matrix
    origin) and the size: some embedded fonts carry a bogus descent, and pdfminer then
    puts the box of the year, the colon or the 、 of a title most of a line below its
    neighbours. On a page whose text runs sideways the boxes are turned first.
    """
    out = []
    n_text = n_cid = 0
    for c in chars:
        text = c["text"]
        if not text:
            continue
        if text.isspace():
            text = " "
        else:
            n_text += 1
            if text.startswith("(cid:"):
                n_cid += 1
        if direction:
            x0, top, x1, bot = turn_box(
                (c["x0"], c["top"], c["x1"], c["bottom"]), direction, width, height
            )
            size = (bot - top) or 1.0
        else:
            x0, x1 = c["x0"], c["x1"]
            size = c["size"] or (c["bottom"] - c["top"]) or 1.0
            m = c.get("matrix")
            if m and m[1] == 0 and m[2] == 0 and m[0] > 0 and m[3] > 0:
                base = c["bottom"] + c["y0"] - m[5]
                top, bot = base - ASCENT * size, base + DESCENT * size
            else:  # rotated or skewed glyph among upright text: pdfminer's box
                top, bot = c["top"], c["bottom"]
        w = x1 - x0
        # horizontal middle: some fonts claim 1 em for every glyph, halve that for digits
        hx = x0 + min(w, 0.6 * size) / 2 if w > 0 else x0
        out.append((top, bot, x0, x1, size, text, hx, (top + bot) / 2))
    return out, n_text, n_cid


def cluster_lines(glyphs: list[tuple]) -> list[list[tuple]]:
    """Group glyphs into visual lines: vertical extents overlapping by LINE_OVERLAP."""
    if not glyphs:
        return []
    glyphs = sorted(glyphs, key=lambda g: (g[TOP], g[X0]))
    lines: list[list[tuple]] = []
    cur: list[tuple] = []
    cur_bot = cur_h = 0.0
    for g in glyphs:
        t, b = g[TOP], g[BOT]
        h = b - t
        if cur and (min(b, cur_bot) - t) >= LINE_OVERLAP * min(h, cur_h):
            cur.append(g)
            cur_bot = max(cur_bot, b)
        else:
            cur = [g]
            lines.append(cur)
            cur_bot, cur_h = b, h
    return lines


def _fullwidth_marks(glyphs: list[tuple], spaced: list[bool]) -> list[bool]:
    """Which ASCII marks stand for full-width ones.

    Some typesetting fonts (方正 fonts in WPS output) map the full-width colon, comma
    and brackets to ASCII code points while drawing them in a 1 em slot between CJK
    characters. Such a mark has a 1 em box, no space glyph around it, CJK on both sides
    and the two neighbours 1 em apart.  A ``(`` opening a line becomes full-width when a
    ``)`` after it on the line did, and a ``)`` closing a line when its ``(`` did.
    """
    n = len(glyphs)
    full = [False] * n
    for i in range(1, n - 1):
        g = glyphs[i]
        if g[TEXT] not in _FULLWIDTH or spaced[i] or spaced[i + 1]:
            continue
        size = g[SIZE]
        prev, nxt = glyphs[i - 1], glyphs[i + 1]
        if (
            g[X1] - g[X0] >= FULLWIDTH_SLOT * size
            and FULLWIDTH_SLOT * size <= nxt[X0] - prev[X1] <= 1.25 * size
            and is_cjk(prev[TEXT][-1])
            and is_cjk(nxt[TEXT][0])
        ):
            full[i] = True
    if n > 2 and glyphs[0][TEXT] == "(" and is_cjk(glyphs[1][TEXT][0]):
        g = glyphs[0]
        if g[X1] - g[X0] >= FULLWIDTH_SLOT * g[SIZE]:
            for j in range(1, n):
                if glyphs[j][TEXT] == "(":
                    break
                if glyphs[j][TEXT] == ")":
                    full[0] = full[j]
                    break
    if n > 2 and glyphs[-1][TEXT] == ")" and is_cjk(glyphs[-2][TEXT][-1]):
        g = glyphs[-1]
        if g[X1] - g[X0] >= FULLWIDTH_SLOT * g[SIZE]:
            for j in range(n - 2, -1, -1):
                if glyphs[j][TEXT] == ")":
                    break
                if glyphs[j][TEXT] == "(":
                    full[-1] = full[j]
                    break
    return full


def line_text(line: list[tuple]) -> str:
    """Glyphs of one visual line → text, left to right, spaces at real gaps."""
    line.sort(key=lambda g: g[X0])
    glyphs: list[tuple] = []  # non-space glyphs
    spaced: list[bool] = []  # a space glyph stood before this one
    saw_space = False
    for g in line:
        if g[TEXT] == " ":
            saw_space = True
            continue
        if glyphs:
            prev = glyphs[-1]
            if g[TEXT] == prev[TEXT] and abs(g[X0] - prev[X0]) < 0.1 * g[SIZE]:
                continue  # the same glyph drawn twice (fake bold)
        glyphs.append(g)
        spaced.append(saw_space)
        saw_space = False
    full = _fullwidth_marks(glyphs, spaced)
    parts: list[str] = []
    for i, g in enumerate(glyphs):
        text = g[TEXT]
        if i and not (full[i] and text == "("):  # a full-width ( owns the gap before it
            prev = glyphs[i - 1]
            gap = g[X0] - prev[X1]
            size = max(prev[SIZE], g[SIZE])
            limit = SPACE_GAP_OPENING if text in _OPENING else SPACE_GAP
            if gap > limit * size or (
                spaced[i] and gap > SPACE_GAP_WITH_SPACE_CHAR * size
            ):
                parts.append(" ")
        parts.append(_FULLWIDTH[text] if full[i] else text)
    return "".join(parts)


def is_cjk(ch: str) -> bool:
    return bool(CJK_RE.match(ch))


def join_wrapped(pieces: list[str]) -> str:
    """Lines of one table cell → one string.

    Nothing between two CJK characters or two digits (``264344.9`` + ``0``), one space
    between ASCII words, nothing in any other case (CJK text has no word spaces).
    """
    out = ""
    for piece in pieces:
        if not piece:
            continue
        if out:
            a, b = out[-1], piece[0]
            if (
                b.isascii()
                and b.isalpha()
                and a.isascii()
                and (a.isalpha() or a in ",;:.!?)")
            ):
                out += " "
        out += piece
    return out
